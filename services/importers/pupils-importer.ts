import { addDays } from '../calendar/dates';
import { ETHNICITY_CODES } from '../domain/dfe-codes';
import { upnProblem } from '../domain/upn';
import type { Pupil, SenProvision, Sex, SocialWorkerStatus } from '../store/database';
import { choice, date, flag, optionalText, requiredText, schoolUrn, type RowView } from './fields';
import type { ImportEnv, Importer } from './importer';
import { IMPORT_RECORDS_PER_BATCH } from '../store/batches';

/**
 * `pupils`: upn,school_urn,legal_forename,legal_surname,preferred_forename,date_of_birth,nc_year,
 * sex,ethnicity,sen_provision,looked_after,social_worker,fsm,youth_justice.
 *
 * Upserts the pupil by UPN, then makes sure the pupil is on roll at school_urn:
 *  - already there (a current single or main dual registration at that school): nothing changes;
 *  - otherwise a single registration (C) starts there on the entry date when the optional
 *    entry_date column gives one (the CBDS entry date; go-live), else on the import date, and the
 *    pupil's other current single and main dual registrations end the day before (the pupil moved
 *    school). One that started on that day or later never had a school day and is removed instead;
 *  - already there but from a later date (loaded before without entry_date): the start moves back
 *    to the entry date.
 * Subsidiary dual registrations (S, e.g. an alternative provision placement) are left alone, as
 * are pupils not in the file: a file may cover one school or the whole county.
 *
 * Problems never echo a name, UPN or date of birth (children's data must stay out of messages).
 */

/** A checked row: the pupil as stored (less its id), the school it is on roll at, and the entry date. */
export type PupilRecord = Omit<Pupil, 'id'> & {
  school_urn: number;
  /** Go-live: the CBDS entry date (joined this school), or null; a new registration starts here. */
  entry_date: string | null;
};

export interface PupilsContext {
  env: ImportEnv;
  schools: Set<number>;
  /** The earliest plausible date of birth: pupils (SEND up to 25) are younger than 26. */
  oldestBirth: string;
}

const SEX_SPELLINGS: ReadonlyMap<string, Sex> = new Map<string, Sex>([
  ['f', 'F'],
  ['female', 'F'],
  ['m', 'M'],
  ['male', 'M'],
]);

const SEN_SPELLINGS: ReadonlyMap<string, SenProvision> = new Map<string, SenProvision>([
  ['e', 'E'],
  ['k', 'K'],
  ['n', 'N'],
]);

const SOCIAL_WORKER_SPELLINGS: ReadonlyMap<string, SocialWorkerStatus> = new Map<string, SocialWorkerStatus>([
  ['n', 'N'],
  ['none', 'N'],
  ['cin', 'CIN'],
  ['cp', 'CP'],
]);

const ETHNICITY_SPELLINGS: ReadonlyMap<string, string> = new Map(Object.keys(ETHNICITY_CODES).map((code) => [code.toLowerCase(), code]));

/**
 * National curriculum year: -2..14, R (reception) = 0, and the census nursery years N1 (the first,
 * children aged 3) = -2 and N2 (the year before reception) = -1. "Y7" and "Year 7" are read as 7.
 */
export function parseNcYear(value: string): number | undefined {
  const v = value.trim().toUpperCase().replace(/\s+/g, '');
  if (v === 'R' || v === 'RECEPTION') return 0;
  if (v === 'N1') return -2;
  if (v === 'N2') return -1;
  const m = /^(?:Y|YEAR)?(-?\d{1,2})$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= -2 && n <= 14 ? n : undefined;
}

const UPN_PROBLEMS = {
  length: 'UPN must be 13 characters',
  characters: 'UPN must be a check letter, 11 digits, then a digit or (temporary UPN) a letter',
  'check letter': 'UPN check letter is wrong',
} as const;

const FIELDS = [
  'school_urn',
  'legal_forename',
  'legal_surname',
  'preferred_forename',
  'date_of_birth',
  'nc_year',
  'sex',
  'ethnicity',
  'sen_provision',
  'looked_after',
  'social_worker',
  'fsm',
  'youth_justice',
  'home_la',
] as const;

export const pupilsImporter: Importer<PupilRecord, PupilsContext> = {
  kind: 'pupils',
  description: 'upn,school_urn,legal_forename,legal_surname,preferred_forename,date_of_birth,nc_year,sex,ethnicity,sen_provision,looked_after,social_worker,fsm,youth_justice[,entry_date][,home_la]',
  columns: [
    { name: 'upn', required: true },
    { name: 'school_urn', required: true },
    { name: 'legal_forename', required: true },
    { name: 'legal_surname', required: true },
    { name: 'preferred_forename', required: false },
    { name: 'date_of_birth', required: true },
    { name: 'nc_year', required: true },
    { name: 'sex', required: true },
    { name: 'ethnicity', required: true },
    { name: 'sen_provision', required: true },
    { name: 'looked_after', required: true },
    { name: 'social_worker', required: true },
    { name: 'fsm', required: true },
    { name: 'youth_justice', required: true },
    { name: 'entry_date', required: false },
    { name: 'home_la', required: false },
  ],
  keyColumn: 'upn',
  key: (record) => record.upn,

  async prepare(db, env) {
    const schools = new Set((await db.selectFrom('school').select('urn').execute()).map((s) => s.urn));
    const year = Number(env.today.slice(0, 4));
    return { env, schools, oldestBirth: `${year - 26}${env.today.slice(4)}` };
  },

  parse(row: RowView, ctx): PupilRecord | undefined {
    const upn = parseUpn(row);
    let urn = schoolUrn(row, 'school_urn');
    if (urn !== undefined && !ctx.schools.has(urn)) urn = row.fail('school_urn', `unknown school ${urn} (import it with the schools file first)`);
    const legalForename = requiredText(row, 'legal_forename', { maxLength: 100, name: true });
    const legalSurname = requiredText(row, 'legal_surname', { maxLength: 100, name: true });
    const preferred = optionalText(row, 'preferred_forename', { maxLength: 100, name: true });
    let born = date(row, 'date_of_birth');
    if (born !== undefined && born > ctx.env.today) born = row.fail('date_of_birth', 'is in the future');
    else if (born !== undefined && born <= ctx.oldestBirth) born = row.fail('date_of_birth', 'is 26 or more years before the import date: not a pupil');
    const ncText = row.get('nc_year');
    const ncYear = ncText === '' ? row.fail('nc_year', 'is empty') : parseNcYear(ncText);
    if (ncText !== '' && ncYear === undefined) row.fail('nc_year', 'is not a year group (-2..14, R, N1 or N2)');
    const sex = choice(row, 'sex', SEX_SPELLINGS, { echo: false, expected: 'F or M' });
    const ethnicity = choice(row, 'ethnicity', ETHNICITY_SPELLINGS, { echo: false, expected: 'a DfE main ethnicity code (e.g. WBRI, AIND, MOTH, REFU, NOBT)' });
    const sen = choice(row, 'sen_provision', SEN_SPELLINGS, { echo: false, expected: 'E, K or N' });
    const lookedAfter = flag(row, 'looked_after');
    const socialWorker = choice(row, 'social_worker', SOCIAL_WORKER_SPELLINGS, { echo: false, expected: 'N, CIN or CP' });
    const fsm = flag(row, 'fsm');
    const youthJustice = flag(row, 'youth_justice');
    const entryDate = parseEntryDate(row, ctx.env.today, born);
    const homeLa = row.get('home_la');
    if (homeLa !== '' && !/^\d{3}$/.test(homeLa)) row.fail('home_la', `"${homeLa.slice(0, 10)}" is not a three-digit LA code`);
    if (row.failed) return undefined;
    return {
      upn: upn!,
      school_urn: urn!,
      legal_forename: legalForename!,
      legal_surname: legalSurname!,
      preferred_forename: preferred ?? null,
      date_of_birth: born!,
      nc_year: ncYear!,
      sex: sex!,
      ethnicity: ethnicity!,
      sen_provision: sen!,
      looked_after: lookedAfter!,
      social_worker: socialWorker!,
      fsm: fsm!,
      youth_justice: youthJustice!,
      entry_date: entryDate ?? null,
      home_la: homeLa === '' ? null : homeLa,
    };
  },

  batchSize: () => IMPORT_RECORDS_PER_BATCH,

  async write(tx, batch, ctx, counts) {
    const today = ctx.env.today;
    const existing = new Map<string, Pupil>();
    for (const p of await tx.db.selectFrom('pupil').selectAll().where('upn', 'in', batch.map((r) => r.upn)).execute()) existing.set(p.upn, p);

    const changed: PupilRecord[] = [];
    const fresh = new Set<string>();
    const edited = new Set<string>();
    for (const record of batch) {
      const old = existing.get(record.upn);
      if (!old) fresh.add(record.upn);
      else if (FIELDS.some((f) => f !== 'school_urn' && old[f] !== record[f])) edited.add(record.upn);
      else continue;
      changed.push(record);
    }
    const ids = new Map<string, number>();
    for (const [upn, p] of existing) ids.set(upn, p.id);
    if (changed.length > 0) {
      const saved = await tx.db
        .insertInto('pupil')
        .values(changed.map(({ school_urn: _school, entry_date: _entry, ...pupil }) => pupil))
        .onConflict((oc) =>
          oc.column('upn').doUpdateSet((eb) => ({
            legal_forename: eb.ref('excluded.legal_forename'),
            legal_surname: eb.ref('excluded.legal_surname'),
            preferred_forename: eb.ref('excluded.preferred_forename'),
            date_of_birth: eb.ref('excluded.date_of_birth'),
            nc_year: eb.ref('excluded.nc_year'),
            sex: eb.ref('excluded.sex'),
            ethnicity: eb.ref('excluded.ethnicity'),
            sen_provision: eb.ref('excluded.sen_provision'),
            looked_after: eb.ref('excluded.looked_after'),
            social_worker: eb.ref('excluded.social_worker'),
            fsm: eb.ref('excluded.fsm'),
            youth_justice: eb.ref('excluded.youth_justice'),
            home_la: eb.ref('excluded.home_la'),
          })),
        )
        .returning(['id', 'upn'])
        .execute();
      for (const p of saved) ids.set(p.upn, p.id);
    }

    // Enrolments that matter for the batch: current or future single/main registrations, and any
    // registration starting today or on a given entry date (a new one then would collide with it on
    // the unique key).
    const pupilIds = batch.map((r) => ids.get(r.upn)!);
    const starts = [...new Set([today, ...batch.flatMap((r) => (r.entry_date ? [r.entry_date] : []))])];
    const enrolments = await tx.db
      .selectFrom('enrolment')
      .select(['id', 'pupil_id', 'school_urn', 'start_date', 'end_date', 'registration'])
      .where('pupil_id', 'in', pupilIds)
      .where((eb) =>
        eb.or([
          eb.and([eb('registration', 'in', ['C', 'M']), eb.or([eb('end_date', 'is', null), eb('end_date', '>=', today)])]),
          eb('start_date', 'in', starts),
        ]),
      )
      .execute();
    const byPupil = new Map<number, typeof enrolments>();
    for (const e of enrolments) {
      const list = byPupil.get(e.pupil_id);
      if (list) list.push(e);
      else byPupil.set(e.pupil_id, [e]);
    }

    const toEnd: number[] = [];
    const toDelete: number[] = [];
    const toReopen: number[] = [];
    const toStart: { pupil_id: number; school_urn: number; start_date: string; end_date: null; registration: 'C' }[] = [];
    const toBackdate: { id: number; start: string }[] = [];
    const toEndOn = new Map<number, string>();
    const moved = new Set<string>();
    for (const record of batch) {
      const pupilId = ids.get(record.upn)!;
      const list = byPupil.get(pupilId) ?? [];
      // A registration starts on the entry date when the file gives one, else on the import date.
      const start = record.entry_date ?? today;
      const live = list.filter((e) => (e.registration === 'C' || e.registration === 'M') && (e.end_date === null || e.end_date >= today));
      const here = live.find((e) => e.school_urn === record.school_urn);
      if (here) {
        // Loaded earlier without an entry date (on roll from that import date): the entry date
        // now given moves the start back, unless another registration here already starts then.
        if (record.entry_date && record.entry_date < here.start_date && !list.some((e) => e.school_urn === record.school_urn && e.start_date === record.entry_date)) {
          toBackdate.push({ id: here.id, start: record.entry_date });
          moved.add(record.upn);
        }
        continue;
      }
      moved.add(record.upn);
      for (const e of live) {
        // A registration that would start on or after the new one never had a day of its own.
        if (e.start_date >= start) toDelete.push(e.id);
        else if (start === today) toEnd.push(e.id);
        else toEndOn.set(e.id, addDays(start, -1));
      }
      const sameDay = list.find((e) => e.school_urn === record.school_urn && e.start_date === start);
      if (sameDay) toReopen.push(sameDay.id);
      else toStart.push({ pupil_id: pupilId, school_urn: record.school_urn, start_date: start, end_date: null, registration: 'C' });
    }
    // Removals first: a same-day registration being replaced must be gone before one is reopened.
    if (toDelete.length > 0) await tx.db.deleteFrom('enrolment').where('id', 'in', toDelete).execute();
    if (toEnd.length > 0) await tx.db.updateTable('enrolment').set({ end_date: addDays(today, -1) }).where('id', 'in', toEnd).execute();
    for (const [id, end] of toEndOn) await tx.db.updateTable('enrolment').set({ end_date: end }).where('id', '=', id).execute();
    for (const { id, start } of toBackdate) await tx.db.updateTable('enrolment').set({ start_date: start }).where('id', '=', id).execute();
    if (toBackdate.length > 0) bump(counts.other, 'registrations moved back to the entry date', toBackdate.length);
    if (toReopen.length > 0) await tx.db.updateTable('enrolment').set({ end_date: null, registration: 'C' }).where('id', 'in', toReopen).execute();
    if (toStart.length > 0) await tx.db.insertInto('enrolment').values(toStart).execute();
    if (toEnd.length + toEndOn.size + toDelete.length > 0) bump(counts.other, 'enrolments ended', toEnd.length + toEndOn.size + toDelete.length);
    if (toStart.length + toReopen.length > 0) bump(counts.other, 'enrolments started', toStart.length + toReopen.length);

    for (const record of batch) {
      if (fresh.has(record.upn)) counts.inserted++;
      else if (edited.has(record.upn) || moved.has(record.upn)) counts.updated++;
      else counts.unchanged++;
    }
  },
};

// --- entry_date (go-live, issue 8 item 16): kept apart from the other columns' checks. ---

/**
 * The optional CBDS entry date: the day the pupil joined this school. Empty or absent means "not
 * given" (the registration then starts on the import date). Never in the future; never before the
 * pupil was born.
 */
function parseEntryDate(row: RowView, today: string, born: string | undefined): string | undefined {
  if (row.get('entry_date') === '') return undefined;
  const entry = date(row, 'entry_date');
  if (entry === undefined) return undefined;
  if (entry > today) return row.fail('entry_date', 'is in the future (the day the pupil joined this school)');
  if (born !== undefined && entry < born) return row.fail('entry_date', 'is before the date of birth');
  return entry;
}

function parseUpn(row: RowView): string | undefined {
  const value = row.get('upn').toUpperCase();
  if (value === '') return row.fail('upn', 'is empty');
  const problem = upnProblem(value);
  return problem ? row.fail('upn', UPN_PROBLEMS[problem]) : value;
}

function bump(other: Record<string, number>, name: string, by: number): void {
  other[name] = (other[name] ?? 0) + by;
}
