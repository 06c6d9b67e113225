import type { LadderStats } from '../services/ladder/ladder-feedback';
import { adaptiveCard, column, columns, escapeMarkdown, facts, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { overviewAction } from './ladder-card-parts';

export interface LadderStatsView {
  stats: LadderStats;
  /** Entry labels by id, e.g. step-2 -> "Step two". */
  labels: ReadonlyMap<string, string>;
  /** "since 1 September 2026" */
  periodLabel: string;
}

/** For LA managers: what schools ask the ladder most, and what it failed to answer, to improve the content. */
export function ladderStatsCard(view: LadderStatsView): AdaptiveCard {
  const { stats } = view;
  const body: CardElement[] = [
    heading('Ladder: how it is being used'),
    subtle(`${escapeMarkdown(view.periodLabel)} · questions are shown as typed; check them for names before sharing`),
    facts([
      ['Searches', String(stats.searches)],
      ['Found useful', String(stats.feedbackYes)],
      ['Not useful', String(stats.feedbackNo)],
    ]),
    text('**Most asked**', { spacing: 'large', separator: true }),
  ];
  if (stats.mostAsked.length === 0) body.push(subtle('No questions yet.'));
  for (const q of stats.mostAsked) {
    body.push(
      columns(
        [
          column([text(`“${escapeMarkdown(q.query)}”`, { size: 'small' })], 'stretch'),
          column([text(`${q.times}×`, { size: 'small', weight: 'bolder' })], 'auto'),
          column([text(q.topEntryId ? escapeMarkdown(view.labels.get(q.topEntryId) ?? q.topEntryId) : 'no match', { size: 'small', isSubtle: true })], '1'),
        ],
        { spacing: 'small' },
      ),
    );
  }
  body.push(text('**Found nothing useful**', { spacing: 'large', separator: true }));
  if (stats.foundNothingUseful.length === 0) body.push(subtle('Nothing so far.'));
  for (const q of stats.foundNothingUseful) {
    const why = [q.noMatch ? `no match ${q.noMatch}×` : '', q.saidNo ? `said not useful ${q.saidNo}×` : ''].filter(Boolean).join(', ');
    body.push(
      columns(
        [column([text(`“${escapeMarkdown(q.query)}”`, { size: 'small' })], 'stretch'), column([text(why, { size: 'small', isSubtle: true })], 'auto')],
        { spacing: 'small' },
      ),
    );
  }
  body.push(subtle('Add words to data/ladder/synonyms.yaml or key words to a rung so these questions find the right rung.'));
  return adaptiveCard(body, { actions: [overviewAction()], fallbackText: `Ladder: ${stats.searches} searches.` });
}
