import assert from 'node:assert/strict';
import { ladderOverviewCard } from '../../cards/ladder-overview-card';
import { ladderResultsCard } from '../../cards/ladder-results-card';
import { ladderRungCard } from '../../cards/ladder-rung-card';
import { ladderStatsCard } from '../../cards/ladder-stats-card';
import { ALL_VERBS, VERBS } from '../../cards/verbs';
import { loadLadderToolkit } from '../../services/ladder/ladder-loader';
import { createLadderService } from '../../services/ladder/ladder-service';
import { assertValidCard, cardText, cardVerbs } from '../helpers/card-check';

/** Every Action.Execute in a card with its data. */
function executes(card: unknown): { verb: string; title: string; data: Record<string, unknown> }[] {
  const out: { verb: string; title: string; data: Record<string, unknown> }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Execute') out.push({ verb: o.verb as string, title: o.title as string, data: (o.data ?? {}) as Record<string, unknown> });
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

describe('ladder cards', () => {
  const service = createLadderService(loadLadderToolkit());
  const toolkit = service.toolkit;

  describe('overview card', () => {
    const card = ladderOverviewCard(service.overview());

    it('validates as an Adaptive Card 1.5 under 28 KB', () => assertValidCard(card));

    it('lists every rung and scenario, each opening its own card', () => {
      const opens = executes(card).filter((a) => a.verb === VERBS.ladderRung).map((a) => a.data.id);
      assert.deepEqual(opens, toolkit.entries.map((e) => e.id));
      for (const e of toolkit.entries) assert.ok(cardText(card).includes(e.title), e.title);
    });

    it('says it is sample content', () => assert.match(cardText(card), /Sample content/));

    it('only uses registered verbs', () => {
      for (const verb of cardVerbs(card)) assert.ok(ALL_VERBS.includes(verb), verb);
    });
  });

  describe('rung card', () => {
    for (const entry of toolkit.entries) {
      it(`${entry.id} validates, under 28 KB, with registered verbs only`, () => {
        const card = ladderRungCard(service.rung(entry.id)!);
        assertValidCard(card);
        for (const verb of cardVerbs(card)) assert.ok(ALL_VERBS.includes(verb), verb);
      });
    }

    it('shows signs, actions as a checklist, evidence, services with how to reach them, and resources', () => {
      const entry = toolkit.byId.get('step-2')!;
      const card = ladderRungCard(service.rung('step-2')!);
      const all = cardText(card);
      const toggles = JSON.stringify(card).match(/"type":"Input\.Toggle"/g) ?? [];
      assert.equal(toggles.length, entry.school_actions.length);
      assert.ok(all.includes(entry.early_warning_signs[0]!.replace(/[*_]/g, (c) => `\\${c}`)), 'signs');
      assert.ok(all.includes(entry.evidence_to_keep[0]!), 'evidence');
      assert.ok(all.includes(entry.la_services[0]!.contact), 'how to reach');
      assert.ok(all.includes('(PSP)'), 'content parentheses are not escaped');
      assert.ok(all.includes(`(${entry.resources[0]!.link})`), 'resource links are clickable');
      assert.ok(all.includes('Statutory expectations'));
    });

    it('puts what to do now and who to call first, the rest behind "Show more"', () => {
      const entry = toolkit.byId.get('step-2')!;
      const card = ladderRungCard(service.rung('step-2')!);
      const top = card.body.filter((el) => el.isVisible !== false);
      const topText = cardText(top);
      assert.ok(topText.indexOf('What to do now') < topText.indexOf('Who to call'), 'actions before services');
      assert.ok(topText.includes(entry.la_services[0]!.contact), 'who to call, with how to reach them');
      assert.doesNotMatch(topText, /Early warning signs|Statutory expectations|Evidence to keep|If the pupil is/);
      const hidden = card.body.find((el) => el.isVisible === false && el.type === 'Container');
      assert.ok(hidden?.id, 'the details are one hidden container with an id');
      assert.match(cardText(hidden), /Early warning signs[\s\S]*Statutory expectations[\s\S]*Evidence to keep/);
      const toggles = JSON.stringify(card).match(/"type":"Action\.ToggleVisibility","title":"Show more","targetElements":\[[^\]]*\]/g) ?? [];
      assert.equal(toggles.length, 1);
      assert.ok(toggles[0]!.includes(`"${hidden.id}"`), 'Show more targets the hidden details');
    });

    it('shows the sample notice once, in one short line', () => {
      const all = cardText(ladderRungCard(service.rung('step-1', { query: 'walked out' })!));
      assert.equal(all.match(/Sample content/g)?.length, 1);
      assert.ok(all.split('\n').find((l) => l.includes('Sample content'))!.length < 100);
    });

    it('draws the checklist with the user\'s saved ticks and a save button carrying the situation', () => {
      const view = service.rung('step-2', { query: 'keeps walking out' })!;
      const ticked = { ...view, checklist: view.checklist.map((item, i) => ({ ...item, ticked: i === 1 })) };
      const card = ladderRungCard(ticked);
      const toggles = JSON.parse(JSON.stringify(card).replace(/^.*?(\[\{"type":"Input\.Toggle".*?\}\])[\s\S]*$/, '$1')) as { id: string; value?: string }[];
      assert.deepEqual(
        toggles.map((t) => t.value ?? 'false'),
        view.checklist.map((_, i) => (i === 1 ? 'true' : 'false')),
      );
      const save = executes(card).find((a) => a.verb === VERBS.ladderChecklist);
      assert.deepEqual(save?.data, { id: 'step-2', q: 'keeps walking out' });
      assert.match(cardText(card), /1 of \d+ done/);
    });

    it('has Previous rung, Next rung and Whole ladder buttons that carry the question', () => {
      const card = ladderRungCard(service.rung('step-2', { query: 'keeps walking out' })!);
      const [prev, next, whole] = card.actions as { title: string; verb: string; data: Record<string, unknown> }[];
      assert.equal(prev!.title, '‹ Previous rung');
      assert.deepEqual(prev!.data, { id: 'step-1', q: 'keeps walking out' });
      assert.equal(next!.title, 'Next rung ›');
      assert.deepEqual(next!.data, { id: 'step-3', q: 'keeps walking out' });
      assert.equal(whole!.verb, VERBS.ladderOverview);
    });

    it('has no Previous on the first rung and no Next on the last', () => {
      assert.deepEqual((ladderRungCard(service.rung('pre-ladder')!).actions ?? []).map((a) => a.title), ['Next rung ›', 'Whole ladder']);
      assert.deepEqual((ladderRungCard(service.rung('step-4')!).actions ?? []).map((a) => a.title), ['‹ Previous rung', 'Whole ladder']);
    });

    it('asks "Was this useful?" with yes and no, then thanks instead', () => {
      const asking = executes(ladderRungCard(service.rung('step-3', { query: 'psp not working' })!)).filter((a) => a.verb === VERBS.ladderFeedback);
      assert.deepEqual(asking.map((a) => a.data), [
        { verdict: 'yes', id: 'step-3', q: 'psp not working' },
        { verdict: 'no', id: 'step-3', q: 'psp not working' },
      ]);
      const answered = ladderRungCard(service.rung('step-3', { feedback: 'no' })!);
      assert.equal(executes(answered).filter((a) => a.verb === VERBS.ladderFeedback).length, 0);
      assert.match(cardText(answered), /Thanks/);
    });

    it('adds the statutory points for the situation described', () => {
      const card = ladderRungCard(service.rung('step-4', { query: 'looked after child with an EHCP, 40 days of suspension this year' })!);
      const all = cardText(card);
      assert.match(all, /For this situation/);
      assert.match(all, /avoid permanently excluding a looked-after child/);
      assert.match(all, /avoid permanently excluding a pupil with an EHC plan/);
      assert.match(all, /5 days of suspension remain before the 45-day limit/);
      assertValidCard(card);
    });

    it('shows no situation section when opened by name', () => {
      assert.doesNotMatch(cardText(ladderRungCard(service.rung('step-1')!)), /For this situation/);
    });

    it('labels scenario buttons as scenarios', () => {
      const titles = (ladderRungCard(service.rung('weapons')!).actions ?? []).map((a) => a.title);
      assert.deepEqual(titles, ['‹ Previous scenario', 'Next scenario ›', 'Whole ladder']);
    });

    it('stays valid and under 28 KB with every situation point at once', () => {
      const worst = 'looked after child on SEN support with an EHCP and a social worker, PSP already in place, 46 days of suspension this year, 16 days suspended this term, suspended for 10 days, now facing permanent exclusion';
      for (const entry of toolkit.entries) assertValidCard(ladderRungCard(service.rung(entry.id, { query: worst })!));
    });
  });

  describe('results card', () => {
    it('shows the best matches with why they matched, each opening its card with the question', () => {
      const view = service.search('Y8 keeps walking out of lessons, second suspension this term');
      const card = ladderResultsCard(view);
      assertValidCard(card);
      const all = cardText(card);
      assert.match(all, /Best fit/);
      assert.match(all, /Matches: [^\n]*walking out \(leaving lessons\)/, 'says why in words');
      assert.doesNotMatch(all, /Why: |early warning signs: /, 'no field: term debug lines');
      const opens = executes(card).filter((a) => a.verb === VERBS.ladderRung);
      assert.ok(opens.length >= view.matches.length);
      assert.deepEqual(opens[0]!.data, { id: view.matches[0]!.entry.id, q: view.query });
    });

    it('says which words it read differently', () => {
      assert.match(cardText(ladderResultsCard(service.search('found a knfie'))), /“knfie” as “knife”/);
    });

    it('escapes the question so it cannot add links or formatting', () => {
      const all = cardText(ladderResultsCard(service.search('[click](http://evil.example) *bold*')));
      assert.ok(all.includes('[click]\\(http://evil.example) \\*bold\\*'), all);
    });

    it('offers the whole ladder when nothing matched, without asking for feedback', () => {
      const card = ladderResultsCard(service.search('zzzz qqqq'));
      assertValidCard(card);
      assert.match(cardText(card), /couldn't find a rung/);
      assert.deepEqual(executes(card).map((a) => a.verb), [VERBS.ladderOverview]);
    });

    it('includes situation points from the question', () => {
      assert.match(cardText(ladderResultsCard(service.search('CiC kicking off, suspended for 6 days'))), /sixth day/);
    });
  });
});

describe('ladder stats card', () => {
  const labels = new Map([['step-2', 'Step two']]);

  it('shows the most asked questions and those that found nothing useful', () => {
    const card = ladderStatsCard({
      periodLabel: 'since 1 September 2026',
      labels,
      stats: {
        since: '2026-09-01T00:00:00.000Z',
        searches: 12,
        feedbackYes: 4,
        feedbackNo: 2,
        mostAsked: [{ query: 'keeps walking out of lessons', times: 3, topEntryId: 'step-2' }],
        foundNothingUseful: [{ query: 'zzzz', noMatch: 2, saidNo: 1, saidYes: 0 }],
      },
    });
    assertValidCard(card);
    const all = cardText(card);
    assert.match(all, /“keeps walking out of lessons”[^“]*Asked 3 times; best match Step two\./);
    assert.match(all, /“zzzz”[^“]*Found no rung twice, said not useful once\./);
    assert.match(all, /What to do next/);
    assert.doesNotMatch(all, /data\/ladder|\.yaml/, 'tells a manager what to do, not a file path');
    // One question per block, never squeezed into a column beside counts and labels.
    assert.doesNotMatch(JSON.stringify(card), /"type":"ColumnSet"/);
  });

  it('says so when there is nothing yet', () => {
    const card = ladderStatsCard({
      periodLabel: 'since 1 September 2026',
      labels,
      stats: { since: '', searches: 0, feedbackYes: 0, feedbackNo: 0, mostAsked: [], foundNothingUseful: [] },
    });
    assertValidCard(card);
    assert.match(cardText(card), /No questions yet/);
  });
});
