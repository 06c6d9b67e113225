import assert from 'node:assert/strict';
import {
  factsFromRecord,
  factsFromText,
  mergeFacts,
  situationPoints,
  type ExclusionRecordFacts,
  type SituationFacts,
} from '../../../services/ladder/situation-rules';

const ids = (facts: SituationFacts) => situationPoints(facts).map((p) => p.id);

describe('situation rules', () => {
  describe('facts from a question', () => {
    const cases: [string, SituationFacts][] = [
      ['EHCP pupil at risk of permanent exclusion', { ehcPlan: true, permanentExclusion: true, suspensionMentioned: true }],
      ['she has an EHC plan', { ehcPlan: true }],
      ['boy on SEN support keeps walking out', { senSupport: true }],
      ['looked after child', { lookedAfter: true }],
      ['Y9 CiC kicking off', { lookedAfter: true }],
      ['LAC pupil', { lookedAfter: true }],
      ['child in care since summer', { lookedAfter: true }],
      ['has a social worker (CP plan)', { socialWorker: true }],
      ['PSP already in place but not working', { pspInPlace: true }],
      ['he is on a PSP', { pspInPlace: true }],
      ['should we do a PSP?', {}],
      ['pupil has had 3 suspensions this year', { suspensionsThisYear: 3, suspensionMentioned: true }],
      ['we have suspended him twice for fighting', { suspensionsThisYear: 2, suspensionMentioned: true }],
      ['suspended for the fourth time this year', { suspensionsThisYear: 4, suspensionMentioned: true }],
      ['second suspension this term', { suspensionsThisYear: 2, suspensionMentioned: true }],
      ['38 days of suspension already this year', { suspensionDaysThisYear: 38, suspensionMentioned: true }],
      ['12 days suspended this term', { suspensionDaysThisTerm: 12, suspensionMentioned: true }],
      ['suspended for 6 days', { longestSuspensionDays: 6, suspensionMentioned: true }],
      ['a ten-day suspension', { longestSuspensionDays: 10, suspensionMentioned: true }],
      ['kicked off in maths', {}],
    ];
    for (const [text, expected] of cases) {
      it(`"${text}"`, () => assert.deepEqual(factsFromText(text), expected));
    }
  });

  describe('facts from a pupil record', () => {
    const year = { yearStart: '2026-09-01', yearEnd: '2027-08-31', termStart: '2026-09-03', termEnd: '2026-12-18' };
    const susp = (start_date: string, sessions: number, category: ExclusionRecordFacts['category'] = 'SUSP'): ExclusionRecordFacts => ({
      category,
      sessions,
      start_date,
    });

    it('counts suspension days in the year and term, a lunchtime as half a day', () => {
      const facts = factsFromRecord({ sen_provision: 'K', looked_after: 1, social_worker: 'CIN' }, [
        susp('2026-06-10', 10), // last academic year: ignored
        susp('2026-10-01', 6),
        susp('2026-11-02', 1, 'LUNC'),
        susp('2027-01-12', 14),
      ], year);
      assert.equal(facts.suspensionsThisYear, 3);
      assert.equal(facts.suspensionDaysThisYear, 10.5);
      assert.equal(facts.suspensionDaysThisTerm, 3.5);
      assert.equal(facts.longestSuspensionDays, 7);
      assert.equal(facts.senSupport, true);
      assert.equal(facts.ehcPlan, false);
      assert.equal(facts.lookedAfter, true);
      assert.equal(facts.socialWorker, true);
    });

    it('notes a permanent exclusion', () => {
      const facts = factsFromRecord({ sen_provision: 'E', looked_after: 0, social_worker: 'N' }, [susp('2026-11-20', 0, 'PERM')], year);
      assert.equal(facts.permanentExclusion, true);
      assert.equal(facts.suspensionsThisYear, 0);
      assert.ok(ids(facts).includes('ehcp-avoid-pex'));
      assert.ok(ids(facts).includes('pex-process'));
    });
  });

  it('merges question and record facts: either flag, the larger count', () => {
    const merged = mergeFacts({ lookedAfter: true, suspensionsThisYear: 2 }, { lookedAfter: false, ehcPlan: true, suspensionsThisYear: 4 });
    assert.deepEqual(merged, { lookedAfter: true, ehcPlan: true, suspensionsThisYear: 4 });
  });

  describe('points', () => {
    it('adds nothing when nothing is known', () => {
      assert.deepEqual(situationPoints({}), []);
    });

    it('EHC plan: avoid permanent exclusion as far as possible', () => {
      const [p] = situationPoints({ ehcPlan: true });
      assert.equal(p?.id, 'ehcp-avoid-pex');
      assert.match(p!.text, /as far as possible, avoid permanently excluding a pupil with an EHC plan/i);
      assert.equal(p!.kind, 'statutory');
    });

    it('looked after: avoid permanent exclusion and involve the virtual school head', () => {
      const [p] = situationPoints({ lookedAfter: true });
      assert.equal(p?.id, 'lac-avoid-pex');
      assert.match(p!.text, /virtual school head/);
    });

    it('social worker: notify without delay', () => {
      assert.ok(ids({ socialWorker: true }).includes('social-worker-notify'));
    });

    it('45-day cap: warns from 35 days, says it is reached at 45', () => {
      assert.ok(!ids({ suspensionDaysThisYear: 34 }).some((id) => id.startsWith('cap')));
      const near = situationPoints({ suspensionDaysThisYear: 38 }).find((p) => p.id === 'cap-near');
      assert.match(near!.text, /^7 days of suspension remain/);
      assert.ok(ids({ suspensionDaysThisYear: 45 }).includes('cap-reached'));
      assert.ok(ids({ suspensionDaysThisYear: 44.5 }).includes('cap-near'));
      assert.match(situationPoints({ suspensionDaysThisYear: 44.5 }).find((p) => p.id === 'cap-near')!.text, /^0\.5 days/);
    });

    it('asks for the day total when only a count of suspensions is known', () => {
      assert.ok(ids({ suspensionsThisYear: 3, suspensionMentioned: true }).includes('cap-check'));
      assert.ok(!ids({ suspensionsThisYear: 1, suspensionMentioned: true }).includes('cap-check'));
    });

    it('term thresholds: more than 5 and more than 15 days', () => {
      assert.ok(!ids({ suspensionDaysThisTerm: 5 }).some((id) => id.startsWith('board')));
      assert.ok(ids({ suspensionDaysThisTerm: 5.5 }).includes('board-on-request'));
      assert.ok(ids({ suspensionDaysThisTerm: 15 }).includes('board-on-request'));
      assert.ok(ids({ suspensionDaysThisTerm: 15.5 }).includes('board-compulsory'));
    });

    it('day-6 provision for a suspension of more than 5 days', () => {
      assert.ok(!ids({ longestSuspensionDays: 5 }).includes('day-6-suspension'));
      assert.ok(ids({ longestSuspensionDays: 6 }).includes('day-6-suspension'));
    });

    it('screens for unmet SEND when exclusion is in view and no plan is known', () => {
      assert.ok(ids({ suspensionMentioned: true }).includes('screen-unmet-send'));
      assert.ok(!ids({ suspensionMentioned: true, ehcPlan: true }).includes('screen-unmet-send'));
      assert.ok(ids({ senSupport: true }).includes('sen-support-review'));
    });

    it('every suspension is notified to the LA', () => {
      assert.ok(ids({ suspensionMentioned: true }).includes('notify-la'));
    });

    it('a PSP in place is a practice point, not a statutory one', () => {
      const p = situationPoints({ pspInPlace: true }).find((x) => x.id === 'psp-evidence');
      assert.equal(p?.kind, 'practice');
    });

    it('reads a whole question into its points, cohort protections first', () => {
      const got = ids(factsFromText('looked after child with an EHCP, 38 days of suspension this year, PSP already in place'));
      assert.deepEqual(got.slice(0, 3), ['lac-avoid-pex', 'ehcp-avoid-pex', 'cap-near']);
      assert.ok(got.includes('psp-evidence'));
    });

    it('every point names its basis', () => {
      const all = situationPoints({
        ehcPlan: true,
        senSupport: true,
        lookedAfter: true,
        socialWorker: true,
        pspInPlace: true,
        suspensionDaysThisYear: 40,
        suspensionDaysThisTerm: 16,
        longestSuspensionDays: 8,
        permanentExclusion: true,
        suspensionMentioned: true,
      });
      assert.ok(all.length >= 8);
      for (const p of all) assert.ok(p.basis.length > 10 && p.because.length > 0, p.id);
    });
  });
});
