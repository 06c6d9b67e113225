import assert from 'node:assert/strict';
import type { RuleEnrolment, RuleExclusion, RulePupil, RuleSchool } from '../../../services/exclusions/alert-types';
import { evaluateDisproportionality } from '../../../services/exclusions/disproportionality';
import { resolveRuleSettings, type RuleSettingsInput } from '../../../services/exclusions/rule-settings';
import { SCHOOL_A, SCHOOL_B, TODAY, exclusion, pupil, sampleCalendar } from './rule-fixtures';

const schools: RuleSchool[] = [
  { urn: SCHOOL_A, district_id: 1 },
  { urn: SCHOOL_B, district_id: 2 },
];

interface World {
  pupils: RulePupil[];
  enrolments: RuleEnrolment[];
  exclusions: RuleExclusion[];
}

function world(): World {
  return { pupils: [], enrolments: [], exclusions: [] };
}

/** Adds `count` pupils on roll at a school, `suspended` of whom have one suspension this term. */
function addPupils(w: World, count: number, suspended: number, flags: Partial<RulePupil>, school = SCHOOL_A, extra: Partial<RuleExclusion> = {}) {
  for (let i = 0; i < count; i++) {
    const p = pupil(flags);
    w.pupils.push(p);
    w.enrolments.push({ pupil_id: p.id, school_urn: school, start_date: '2025-09-01', end_date: null, registration: 'C' });
    if (i < suspended) w.exclusions.push(exclusion(p, { start_date: '2026-10-06', school_urn: school, ...extra }));
  }
}

function run(w: World, settings: RuleSettingsInput = {}, today = TODAY) {
  return evaluateDisproportionality({ today, calendar: sampleCalendar(), schools, settings: resolveRuleSettings(settings), ...w });
}

describe('weekly disproportionality', () => {
  it('flags pupils with SEN suspended at more than twice the rate of the rest', () => {
    const w = world();
    addPupils(w, 30, 6, { sen_provision: 'K' });
    addPupils(w, 70, 3, { sen_provision: 'N' });
    const alerts = run(w);
    assert.equal(alerts.length, 1);
    const alert = alerts[0]!;
    assert.deepEqual(alert.group, { kind: 'sen' });
    assert.equal(alert.districtId, 1);
    assert.equal(alert.groupPupils, 30);
    assert.equal(alert.groupSuspensions, 6);
    assert.equal(alert.groupRate, 20);
    assert.equal(alert.restPupils, 70);
    assert.equal(alert.restRate, 4.29);
    assert.equal(alert.ratio, 4.67);
    assert.equal(alert.weekStart, '2026-11-23');
    assert.equal(alert.periodStart, '2026-09-01');
    assert.equal(alert.dedupeKey, 'disproportionality:d1:sen:2026-11-23');
  });

  it('counts EHC plans as SEN too', () => {
    const w = world();
    addPupils(w, 30, 6, { sen_provision: 'E' });
    addPupils(w, 70, 3, {});
    assert.deepEqual(run(w)[0]!.group, { kind: 'sen' });
  });

  it('does not flag a ratio at or below the threshold, which is configurable', () => {
    const w = world();
    addPupils(w, 50, 6, { fsm: 1 });
    addPupils(w, 50, 3, {});
    assert.deepEqual(run(w), [], 'ratio exactly 2');
    assert.deepEqual(run(w, { disproportionalityRatio: 1.5 }).map((a) => a.group), [{ kind: 'fsm' }]);
  });

  it('flags each ethnic group against everyone else, but never "refused" or "not obtained"', () => {
    const w = world();
    addPupils(w, 25, 5, { ethnicity: 'WROM' });
    addPupils(w, 25, 5, { ethnicity: 'REFU' });
    addPupils(w, 100, 2, { ethnicity: 'WBRI' });
    const groups = run(w).map((a) => a.group);
    assert.deepEqual(groups, [{ kind: 'ethnicity', code: 'WROM' }]);
  });

  it('needs a minimum group size and number of suspensions', () => {
    const small = world();
    addPupils(small, 10, 5, { fsm: 1 });
    addPupils(small, 90, 1, {});
    assert.deepEqual(run(small), []);
    assert.equal(run(small, { disproportionalityMinGroupPupils: 10 }).length, 1);
    const few = world();
    addPupils(few, 40, 2, { fsm: 1 });
    addPupils(few, 60, 0, {});
    assert.deepEqual(run(few), []);
    assert.equal(run(few, { disproportionalityMinGroupSuspensions: 2 })[0]!.ratio, null, 'the rest had none');
  });

  it('keeps districts apart', () => {
    const w = world();
    addPupils(w, 30, 6, { sen_provision: 'K' }, SCHOOL_A);
    addPupils(w, 70, 3, {}, SCHOOL_A);
    addPupils(w, 30, 1, { sen_provision: 'K' }, SCHOOL_B);
    addPupils(w, 70, 10, {}, SCHOOL_B);
    assert.deepEqual(run(w).map((a) => a.districtId), [1]);
  });

  it('leaves out lunchtimes by default, counts them when configured', () => {
    const w = world();
    addPupils(w, 30, 6, { sen_provision: 'K' }, SCHOOL_A, { category: 'LUNC', sessions: 1 });
    addPupils(w, 70, 3, {});
    assert.deepEqual(run(w), []);
    assert.equal(run(w, { disproportionalityIncludesLunchtimes: true }).length, 1);
  });

  it('counts only this academic year and pupils on roll today with a main registration', () => {
    const w = world();
    addPupils(w, 30, 6, { sen_provision: 'K' }, SCHOOL_A, { start_date: '2026-06-10' });
    addPupils(w, 70, 3, {});
    assert.deepEqual(run(w), [], 'last year’s suspensions do not count');

    const roll = world();
    addPupils(roll, 30, 6, { sen_provision: 'K' });
    addPupils(roll, 70, 3, {});
    // 60 subsidiary registrations and 60 leavers would dilute the SEN rate if they were counted.
    for (let i = 0; i < 60; i++) {
      const p = pupil({ sen_provision: 'K' });
      roll.pupils.push(p);
      roll.enrolments.push({ pupil_id: p.id, school_urn: SCHOOL_A, start_date: '2025-09-01', end_date: null, registration: 'S' });
      const left = pupil({ sen_provision: 'K' });
      roll.pupils.push(left);
      roll.enrolments.push({ pupil_id: left.id, school_urn: SCHOOL_A, start_date: '2025-09-01', end_date: '2026-07-22', registration: 'C' });
    }
    assert.equal(run(roll)[0]!.groupPupils, 30);
  });

  it('ignores permanent exclusions (they have their own alerts)', () => {
    const w = world();
    addPupils(w, 30, 6, { sen_provision: 'K' }, SCHOOL_A, { category: 'PERM', sessions: 0 });
    addPupils(w, 70, 3, {});
    assert.deepEqual(run(w), []);
  });
});
