import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CODE_BY_CHAR } from '../../../services/attendance/attendance-codes';
import { addDays } from '../../../services/calendar/dates';
import { calendarFromData, loadCalendar, type SchoolCalendar } from '../../../services/calendar/school-calendar';
import { planCounty } from '../../../scripts/demo/county-plan';
import { generateDemoCounty, type DemoCounty } from '../../../scripts/demo/demo-county';
import { DEMO_SCHOOL_LEADER_URN } from '../../../scripts/demo/demo-users';
import { Random } from '../../../scripts/demo/random';
import type { AttendanceRow } from '../../../scripts/demo/attendance-generator';
import { isValidUpn } from '../../../services/domain/upn';
import { EXCLUSION_REASON_CODES, ETHNICITY_CODES } from '../../../services/domain/dfe-codes';

const TODAY = '2026-11-25';
const calendar = loadCalendar();

interface Generated {
  county: DemoCounty;
  attendance: AttendanceRow[];
}

function generate(pupils: number, seed: string, today = TODAY, cal: SchoolCalendar = calendar): Generated {
  const county = generateDemoCounty({ pupils, seed, today, calendar: cal });
  const attendance: AttendanceRow[] = [];
  for (const batch of county.attendanceBatches(500)) attendance.push(...batch.rows);
  return { county, attendance };
}

/** Session counts per pupil: possible and absent (authorised + unauthorised), unauthorised. */
function absenceByPupil(rows: AttendanceRow[]): Map<number, { possible: number; absent: number; unauthorised: number }> {
  const out = new Map<number, { possible: number; absent: number; unauthorised: number }>();
  for (const row of rows) {
    let s = out.get(row.pupil_id);
    if (!s) out.set(row.pupil_id, (s = { possible: 0, absent: 0, unauthorised: 0 }));
    for (const ch of row.marks) {
      if (ch === '.') continue;
      const counts = CODE_BY_CHAR.get(ch)!.counts;
      if (counts === 'not_counted') continue;
      s.possible++;
      if (counts === 'authorised' || counts === 'unauthorised') s.absent++;
      if (counts === 'unauthorised') s.unauthorised++;
    }
  }
  return out;
}

function between(value: number, lo: number, hi: number, what: string): void {
  assert.ok(value >= lo && value <= hi, `${what} = ${value.toFixed(4)}, expected ${lo}..${hi}`);
}

describe('demo county generator', function () {
  this.timeout(120_000);
  let big: Generated;
  let small: Generated;

  before(() => {
    big = generate(20_000, 'rates');
    small = generate(2_000, 'small');
  });

  describe('determinism', () => {
    it('gives identical rows for the same seed, pupil count and date', () => {
      const again = generate(2_000, 'small');
      assert.deepEqual(again.county.schools, small.county.schools);
      assert.deepEqual(again.county.pupils, small.county.pupils);
      assert.deepEqual(again.county.enrolments, small.county.enrolments);
      assert.deepEqual(again.county.exclusions, small.county.exclusions);
      assert.deepEqual(again.attendance, small.attendance);
    });

    it('gives a different county for a different seed', () => {
      const other = generateDemoCounty({ pupils: 2_000, seed: 'other', today: TODAY, calendar });
      assert.notDeepEqual(
        other.pupils.map((p) => p.upn),
        small.county.pupils.map((p) => p.upn),
      );
      assert.notDeepEqual(
        other.schools.map((s) => s.name),
        small.county.schools.map((s) => s.name),
      );
    });
  });

  describe('schools', () => {
    it('lays out about 360 schools for 100,000 pupils: mostly primaries, ~50 secondaries, ~10 special, a few AP', () => {
      const plan = planCounty(100_000, new Random('x', 'plan'));
      const kinds = (k: string) => plan.schools.filter((s) => s.kind === k).length;
      between(plan.schools.length, 340, 380, 'schools');
      between(kinds('secondary'), 45, 60, 'secondaries');
      between(kinds('special'), 8, 12, 'special schools');
      between(kinds('alternative_provision'), 2, 6, 'AP');
      assert.ok(kinds('primary') > plan.schools.length * 0.7);
      const pupilsIn = (district: string) =>
        plan.schools.filter((s) => plan.districts[s.districtIndex]!.name === district).reduce((n, s) => n + s.yearCounts.reduce((a, b) => a + b, 0), 0);
      // Pupil numbers follow district populations: South Kesteven about twice Boston.
      between(pupilsIn('South Kesteven') / pupilsIn('Boston'), 1.6, 2.5, 'South Kesteven / Boston pupils');
    });

    it('gives every district a primary and a secondary, and the demo school leader the first Boston secondary', () => {
      const { county } = small;
      const districtName = new Map(county.districts.map((d) => [d.id, d.name]));
      for (const d of county.districts) {
        const here = county.schools.filter((s) => s.district_id === d.id);
        assert.ok(here.some((s) => s.phase === 'primary'), `${d.name} has a primary`);
        assert.ok(here.some((s) => s.phase === 'secondary'), `${d.name} has a secondary`);
      }
      const firstBostonSecondary = county.schools.find((s) => districtName.get(s.district_id) === 'Boston' && s.phase === 'secondary');
      assert.equal(firstBostonSecondary?.urn, DEMO_SCHOOL_LEADER_URN);
      assert.ok(county.schools.some((s) => s.type === 'special'));
      assert.ok(county.schools.some((s) => s.type === 'alternative_provision'));
    });

    it('uses unique six-digit URNs and unique names', () => {
      for (const { county } of [small, big]) {
        assert.equal(new Set(county.schools.map((s) => s.urn)).size, county.schools.length);
        assert.equal(new Set(county.schools.map((s) => s.name)).size, county.schools.length);
        for (const s of county.schools) assert.match(String(s.urn), /^\d{6}$/);
      }
    });

    it('names schools by their type', () => {
      const { county } = big;
      const primaries = county.schools.filter((s) => s.phase === 'primary');
      assert.ok(primaries.every((s) => /(Primary|Academy|Infant|School)/.test(s.name)));
      assert.ok(county.schools.filter((s) => s.type === 'voluntary_aided' || s.type === 'voluntary_controlled').some((s) => /(C of E|Church of England|Catholic)/.test(s.name)));
    });
  });

  describe('pupils', () => {
    it('have valid, unique UPNs issued in LA 925', () => {
      for (const { county } of [small, big]) {
        const upns = county.pupils.map((p) => p.upn);
        assert.equal(new Set(upns).size, upns.length);
        for (const upn of upns) {
          assert.ok(isValidUpn(upn), `${upn} is valid`);
          assert.equal(upn.slice(1, 4), '925');
        }
      }
    });

    it('have dates of birth that fit their NC year in 2026/27', () => {
      for (const p of big.county.pupils) {
        // NC year 0 (reception) in 2026/27: born 1 Sep 2021 .. 31 Aug 2022.
        const from = `${2021 - p.nc_year}-09-01`;
        const to = `${2022 - p.nc_year}-08-31`;
        assert.ok(p.date_of_birth >= from && p.date_of_birth <= to, `${p.date_of_birth} for year ${p.nc_year}`);
        assert.ok(p.nc_year >= 0 && p.nc_year <= 13);
      }
    });

    it('use DfE codes and a mostly White British ethnic mix, with more Eastern European pupils in Boston', () => {
      const { county } = big;
      for (const p of county.pupils) {
        assert.ok(p.ethnicity in ETHNICITY_CODES);
        assert.ok(['E', 'K', 'N'].includes(p.sen_provision));
        assert.ok(['N', 'CIN', 'CP'].includes(p.social_worker));
        assert.ok(p.sex === 'M' || p.sex === 'F');
        assert.ok(p.legal_forename.length > 0 && p.legal_surname.length > 0);
      }
      const share = (code: string, pupils = county.pupils) => pupils.filter((p) => p.ethnicity === code).length / pupils.length;
      between(share('WBRI'), 0.75, 0.92, 'WBRI share');
      for (const code of ['WOTH', 'WROM', 'WIRT', 'MWBC', 'AIND', 'APKN', 'BAFR']) assert.ok(share(code) > 0, `${code} present`);
      const schoolDistrict = new Map(county.schools.map((s) => [s.urn, s.district_id]));
      const districtOf = new Map(county.enrolments.filter((e) => e.end_date === null && e.registration !== 'S').map((e) => [e.pupil_id, schoolDistrict.get(e.school_urn)]));
      const idOf = (name: string) => county.districts.find((d) => d.name === name)!.id;
      const inDistrict = (name: string) => county.pupils.filter((p) => districtOf.get(p.id) === idOf(name));
      assert.ok(share('WOTH', inDistrict('Boston')) > 3 * share('WOTH', inDistrict('North Kesteven')));
    });

    it('give some pupils a preferred name different from their legal one', () => {
      const preferred = big.county.pupils.filter((p) => p.preferred_forename !== null);
      between(preferred.length / big.county.pupils.length, 0.01, 0.1, 'preferred names');
      assert.ok(preferred.every((p) => p.preferred_forename !== p.legal_forename));
    });

    it('match the 2023/24 England rates for SEN, FSM, looked after and social worker', () => {
      const pupils = big.county.pupils;
      const rate = (f: (p: (typeof pupils)[number]) => boolean) => pupils.filter(f).length / pupils.length;
      between(rate((p) => p.sen_provision === 'E'), 0.035, 0.065, 'EHC plan');
      between(rate((p) => p.sen_provision === 'K'), 0.1, 0.18, 'SEN support');
      between(rate((p) => p.fsm === 1), 0.2, 0.3, 'FSM');
      between(rate((p) => p.looked_after === 1), 0.004, 0.011, 'looked after');
      between(rate((p) => p.social_worker !== 'N'), 0.02, 0.045, 'social worker');
      between(rate((p) => p.youth_justice === 1), 0.0002, 0.01, 'youth justice');
    });
  });

  describe('enrolments', () => {
    it('give every pupil exactly one current main registration (C, or M when dual registered)', () => {
      const { county } = big;
      const open = new Map<number, number>();
      for (const e of county.enrolments) if (e.end_date === null && e.registration !== 'S') open.set(e.pupil_id, (open.get(e.pupil_id) ?? 0) + 1);
      assert.equal(open.size, county.pupils.length);
      assert.ok([...open.values()].every((n) => n === 1));
    });

    it('pair each main dual registration with a subsidiary one at an alternative provision school', () => {
      const { county } = big;
      const type = new Map(county.schools.map((s) => [s.urn, s.type]));
      const main = county.enrolments.filter((e) => e.registration === 'M');
      const subsidiary = county.enrolments.filter((e) => e.registration === 'S');
      assert.ok(main.length > 0);
      assert.deepEqual(main.map((e) => e.pupil_id).sort(), subsidiary.map((e) => e.pupil_id).sort());
      assert.ok(subsidiary.every((e) => type.get(e.school_urn) === 'alternative_provision'));
    });

    it('include pupils who moved school this year: an ended enrolment, then a new one', () => {
      const { county } = big;
      const byPupil = new Map<number, typeof county.enrolments>();
      for (const e of county.enrolments) byPupil.set(e.pupil_id, [...(byPupil.get(e.pupil_id) ?? []), e]);
      const movers = [...byPupil.values()].filter((list) => list.some((e) => e.end_date !== null && e.end_date >= county.window.yearStart));
      assert.ok(movers.length > 20, `${movers.length} movers`);
      for (const list of movers) {
        const ended = list.find((e) => e.end_date !== null)!;
        const next = list.find((e) => e.end_date === null && e.registration !== 'S')!;
        assert.ok(ended.end_date! < next.start_date, 'the new enrolment starts after the old one ends');
        assert.notEqual(ended.school_urn, next.school_urn);
      }
      for (const e of county.enrolments) assert.ok(e.end_date === null || e.start_date <= e.end_date);
    });
  });

  describe('exclusions', () => {
    it('run near England 2023/24 rates pro rata for the year so far', () => {
      const { county } = big;
      const n = county.pupils.length;
      const f = county.window.fractionOfYear;
      const susp = county.exclusions.filter((x) => x.category === 'SUSP').length;
      const perm = county.exclusions.filter((x) => x.category === 'PERM').length;
      between((susp / n) * 100 / f, 8, 14, 'suspensions per 100 pupils per year');
      between((perm / n) * 100 / f, 0.05, 0.3, 'permanent exclusions per 100 pupils per year');
    });

    it('are more frequent for pupils with SEN, with FSM, boys, Years 9-10 and over-represented ethnic groups', () => {
      const { county } = big;
      const suspensions = new Map<number, number>();
      for (const x of county.exclusions) if (x.category === 'SUSP') suspensions.set(x.pupil_id, (suspensions.get(x.pupil_id) ?? 0) + 1);
      const rate = (f: (p: (typeof county.pupils)[number]) => boolean) => {
        const group = county.pupils.filter(f);
        return group.reduce((s, p) => s + (suspensions.get(p.id) ?? 0), 0) / group.length;
      };
      const none = rate((p) => p.sen_provision === 'N');
      assert.ok(rate((p) => p.sen_provision === 'E') > 2 * none, 'EHC plan');
      assert.ok(rate((p) => p.sen_provision === 'K') > 2 * none, 'SEN support');
      assert.ok(rate((p) => p.fsm === 1) > 2 * rate((p) => p.fsm === 0), 'FSM');
      assert.ok(rate((p) => p.sex === 'M') > 1.2 * rate((p) => p.sex === 'F'), 'boys');
      const byYear = Array.from({ length: 14 }, (_, y) => rate((p) => p.nc_year === y));
      const top = byYear.indexOf(Math.max(...byYear));
      assert.ok(top === 9 || top === 10, `highest year ${top}`);
      assert.ok(rate((p) => ['WROM', 'WIRT', 'MWBC'].includes(p.ethnicity)) > 1.3 * rate((p) => p.ethnicity === 'WBRI'), 'GRT and MWBC');
    });

    it('use DfE reasons (mostly persistent disruption), realistic lengths and lunchtimes', () => {
      const { county } = big;
      const susp = county.exclusions.filter((x) => x.category === 'SUSP');
      for (const x of county.exclusions) {
        const reasons = x.reasons.split(';');
        assert.ok(reasons.length >= 1 && reasons.length <= 3 && new Set(reasons).size === reasons.length);
        for (const r of reasons) assert.ok(r in EXCLUSION_REASON_CODES, r);
        assert.equal(x.source, 'demo');
      }
      const main = (code: string) => susp.filter((x) => x.reasons.split(';')[0] === code).length / susp.length;
      assert.ok(main('DB') > 0.35);
      assert.ok(susp.filter((x) => x.sessions <= 6).length / susp.length > 0.8, 'mostly 1-3 days');
      assert.ok(susp.some((x) => x.sessions > 10), 'some longer than five days');
      const lunchtimes = county.exclusions.filter((x) => x.category === 'LUNC');
      assert.ok(lunchtimes.length > 0 && lunchtimes.every((x) => x.sessions === 1));
      const notified = county.exclusions.filter((x) => x.notified_date !== null);
      const prompt = notified.filter((x) => calendar.schoolDaysBetween(x.start_date, x.notified_date!) <= 1).length;
      assert.ok(prompt / county.exclusions.length > 0.8, 'mostly notified the same or next day');
      assert.ok(notified.every((x) => x.notified_date! >= x.start_date && x.notified_date! < TODAY));
    });

    it('start on school days in the year so far, never overlap for a pupil and keep under the 45-day cap', () => {
      for (const { county } of [small, big]) {
        const byPupil = new Map<number, typeof county.exclusions>();
        for (const x of county.exclusions) {
          assert.ok(calendar.isSchoolDay(x.start_date, x.school_urn), `${x.start_date} is a school day`);
          assert.ok(x.start_date >= county.window.yearStart && x.start_date < TODAY);
          assert.ok(x.created_at < `${TODAY}T00:00:00Z`);
          byPupil.set(x.pupil_id, [...(byPupil.get(x.pupil_id) ?? []), x]);
        }
        for (const list of byPupil.values()) {
          const days = list.filter((x) => x.category !== 'PERM').reduce((s, x) => s + x.sessions / 2, 0);
          assert.ok(days <= 45, `total ${days} days`);
          const taken = new Set<string>();
          for (const x of list) {
            if (x.category === 'PERM') continue;
            const length = x.category === 'LUNC' ? 1 : Math.ceil(x.sessions / 2);
            for (let k = 0, date = x.start_date; k < length; k++, date = calendar.addSchoolDays(date, 1, x.school_urn)) {
              assert.ok(!taken.has(date), `pupil ${x.pupil_id} has two exclusions on ${date}`);
              taken.add(date);
            }
          }
        }
      }
    });

    it('leave a handful of pupils near the 45-day cap, some long suspensions just begun and recent permanent exclusions', () => {
      const { county } = big;
      const days = county.window.days;
      const totals = new Map<number, number>();
      for (const x of county.exclusions) if (x.category !== 'PERM') totals.set(x.pupil_id, (totals.get(x.pupil_id) ?? 0) + x.sessions / 2);
      assert.ok([...totals.values()].filter((t) => t >= 35).length >= 1, 'someone at 35+ days');
      const lastFive = days[days.length - 5]!;
      assert.ok(county.exclusions.some((x) => x.category === 'PERM' && x.start_date >= lastFive), 'a permanent exclusion in the last five school days');
      const lastThree = days[days.length - 3]!;
      assert.ok(county.exclusions.some((x) => x.category === 'SUSP' && x.sessions > 10 && x.start_date >= lastThree), 'a long suspension that began in the last three days');
    });

    it('record some exclusions at a school the pupil has since left', () => {
      const { county } = big;
      const ended = new Set(county.enrolments.filter((e) => e.end_date !== null && e.end_date >= county.window.yearStart).map((e) => `${e.pupil_id}:${e.school_urn}`));
      assert.ok(county.exclusions.some((x) => ended.has(`${x.pupil_id}:${x.school_urn}`)));
    });
  });

  describe('attendance', () => {
    it('has one row per pupil, school and week with ten valid marks', () => {
      for (const { attendance } of [small, big]) {
        const keys = new Set<string>();
        for (const row of attendance) {
          assert.equal(row.marks.length, 10);
          for (const ch of row.marks) assert.ok(ch === '.' || CODE_BY_CHAR.has(ch), `mark ${ch}`);
          assert.notEqual(row.marks, '..........');
          const key = `${row.pupil_id}:${row.school_urn}:${row.week_start}`;
          assert.ok(!keys.has(key));
          keys.add(key);
        }
      }
    });

    it('marks only school days up to yesterday, while the pupil is on that school roll', () => {
      const { county, attendance } = small;
      const enrolments = new Map<string, typeof county.enrolments>();
      for (const e of county.enrolments) enrolments.set(`${e.pupil_id}:${e.school_urn}`, [...(enrolments.get(`${e.pupil_id}:${e.school_urn}`) ?? []), e]);
      for (const row of attendance) {
        assert.equal(new Date(`${row.week_start}T00:00:00Z`).getUTCDay(), 1, 'week starts on a Monday');
        for (let k = 0; k < 10; k++) {
          const date = addDays(row.week_start, Math.floor(k / 2));
          const marked = row.marks[k] !== '.';
          if (!marked) continue;
          assert.ok(date < TODAY, `${date} is before today`);
          assert.ok(calendar.isSchoolDay(date, row.school_urn), `${date} is a school day at ${row.school_urn}`);
          const on = (enrolments.get(`${row.pupil_id}:${row.school_urn}`) ?? []).some((e) => e.start_date <= date && (e.end_date === null || date <= e.end_date));
          assert.ok(on, `pupil ${row.pupil_id} on roll at ${row.school_urn} on ${date}`);
        }
      }
    });

    it('marks every school day for a pupil on a single registration all year', () => {
      const { county, attendance } = small;
      const single = new Set(
        county.pupils
          .map((p) => p.id)
          .filter((id) => {
            const list = county.enrolments.filter((e) => e.pupil_id === id);
            return list.length === 1 && list[0]!.registration === 'C' && list[0]!.start_date <= county.window.yearStart;
          })
          .slice(0, 200),
      );
      const marked = new Map<number, number>();
      for (const row of attendance) if (single.has(row.pupil_id)) marked.set(row.pupil_id, (marked.get(row.pupil_id) ?? 0) + [...row.marks].filter((c) => c !== '.').length);
      for (const id of single) assert.equal(marked.get(id), county.window.days.length * 2, `pupil ${id}`);
    });

    it('lands near England 2023/24 absence: overall ~7%, unauthorised ~2.5%, persistent ~20%, severe ~2%', () => {
      const stats = absenceByPupil(big.attendance);
      let possible = 0;
      let absent = 0;
      let unauthorised = 0;
      let persistent = 0;
      let severe = 0;
      for (const s of stats.values()) {
        possible += s.possible;
        absent += s.absent;
        unauthorised += s.unauthorised;
        if (s.possible > 0 && s.absent / s.possible >= 0.1) persistent++;
        if (s.possible > 0 && s.absent / s.possible >= 0.5) severe++;
      }
      between(absent / possible, 0.055, 0.085, 'overall absence');
      between(unauthorised / possible, 0.018, 0.035, 'unauthorised absence');
      between(persistent / stats.size, 0.15, 0.26, 'persistent absence');
      between(severe / stats.size, 0.01, 0.04, 'severe absence');
    });

    it('has higher absence for pupils with FSM and SEN', () => {
      const stats = absenceByPupil(big.attendance);
      const absence = (f: (p: (typeof big.county.pupils)[number]) => boolean) => {
        let possible = 0;
        let absent = 0;
        for (const p of big.county.pupils.filter(f)) {
          const s = stats.get(p.id);
          if (s) {
            possible += s.possible;
            absent += s.absent;
          }
        }
        return absent / possible;
      };
      assert.ok(absence((p) => p.fsm === 1) > 1.4 * absence((p) => p.fsm === 0));
      assert.ok(absence((p) => p.sen_provision !== 'N') > 1.3 * absence((p) => p.sen_provision === 'N'));
    });

    it('uses the register codes a school would: illness most, then O, G holidays, M, N, C2, E, lates', () => {
      const counts = new Map<string, number>();
      for (const row of big.attendance) for (const ch of row.marks) counts.set(ch, (counts.get(ch) ?? 0) + 1);
      const absenceCodes = [...counts].filter(([ch]) => ch !== '.' && ['authorised', 'unauthorised'].includes(CODE_BY_CHAR.get(ch)!.counts));
      const top = absenceCodes.sort((a, b) => b[1] - a[1])[0]![0];
      assert.equal(top, 'I');
      for (const ch of ['O', 'G', 'M', 'N', 'p', 'E', 'L', 'U', 'D', 'C']) assert.ok((counts.get(ch) ?? 0) > 0, `code ${ch} used`);
    });

    it('marks suspension days E at the excluding school', () => {
      const { county, attendance } = big;
      const rows = new Map(attendance.map((r) => [`${r.pupil_id}:${r.school_urn}:${r.week_start}`, r.marks]));
      const single = new Set(county.pupils.map((p) => p.id));
      for (const e of county.enrolments) if (e.registration !== 'C' || e.end_date !== null) single.delete(e.pupil_id);
      let checked = 0;
      for (const x of county.exclusions) {
        if (x.category !== 'SUSP' || !single.has(x.pupil_id)) continue;
        const weekday = new Date(`${x.start_date}T00:00:00Z`).getUTCDay();
        const monday = addDays(x.start_date, 1 - weekday);
        const marks = rows.get(`${x.pupil_id}:${x.school_urn}:${monday}`);
        assert.ok(marks, 'a row for the start week');
        const pm = marks[(weekday - 1) * 2 + 1];
        assert.equal(pm, 'E', `${x.start_date} afternoon is E (${marks})`);
        checked++;
      }
      assert.ok(checked > 100);
    });

    it('leaves a school closure day unmarked for that school only', () => {
      const data = JSON.parse(readFileSync(path.join(__dirname, '../../../data/calendar/lincolnshire-sample.json'), 'utf8'));
      const urn = small.county.schools[0]!.urn;
      const otherUrn = small.county.schools[1]!.urn;
      data.schoolClosures = [{ urn, date: '2026-11-10', reason: 'test closure' }];
      const withClosure = generate(2_000, 'small', TODAY, calendarFromData(data, 'test calendar'));
      // 2026-11-10 is a Tuesday: marks 2 (morning) and 3 (afternoon).
      const week = withClosure.attendance.filter((r) => r.week_start === '2026-11-09');
      const closed = week.filter((r) => r.school_urn === urn);
      const open = week.filter((r) => r.school_urn === otherUrn);
      assert.ok(closed.length > 0 && open.length > 0);
      assert.ok(closed.every((r) => r.marks[2] === '.' && r.marks[3] === '.'));
      assert.ok(open.some((r) => r.marks[2] !== '.' && r.marks[3] !== '.'));
    });
  });

  describe('early in the year', () => {
    it('generates a county with no attendance or exclusions on the first day of the year', () => {
      const { county, attendance } = generate(500, 'early', '2026-09-01');
      assert.equal(county.pupils.length, 500);
      assert.equal(county.exclusions.length, 0);
      assert.equal(attendance.length, 0);
    });

    it('copes with only a few school days behind it', () => {
      const { county, attendance } = generate(1_000, 'early', '2026-09-09');
      assert.equal(county.window.days.length, 4);
      assert.ok(attendance.length > 900);
      assert.ok(attendance.every((r) => r.week_start <= '2026-09-07'));
    });
  });

  it('refuses a pupil count outside 100..1,000,000', () => {
    assert.throws(() => generateDemoCounty({ pupils: 10, seed: 'x', today: TODAY, calendar }), /100 to 1,000,000/);
    assert.throws(() => generateDemoCounty({ pupils: 1.5e3 + 0.5, seed: 'x', today: TODAY, calendar }), RangeError);
  });
});
