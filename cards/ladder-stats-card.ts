import type { LadderStats, UnhelpfulQuestion } from '../services/ladder/ladder-feedback';
import { adaptiveCard, container, escapeMarkdown, facts, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { overviewAction } from './ladder-card-parts';

export interface LadderStatsView {
  stats: LadderStats;
  /** Entry labels by id, e.g. step-2 -> "Step two". */
  labels: ReadonlyMap<string, string>;
  /** "since 1 September 2026" */
  periodLabel: string;
}

/** "once", "twice", "5 times". */
export function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** What the manager can do about one question, in words (they edit no files; whoever keeps the ladder content does). */
export function whatToDo(q: UnhelpfulQuestion): string {
  if (q.noMatch > 0 && q.saidNo === 0) return 'It found no rung. Ask whoever keeps your ladder content to add the words schools used here, so it finds the right rung.';
  if (q.noMatch === 0) return 'It found a rung, but people said it did not help. Check whether that is the right rung; if not, ask for the right rung to be given these words.';
  return 'Sometimes it found nothing, and when it did people said it did not help. Ask for the words schools used here to be added to the right rung.';
}

/** A question as typed, on its own line (wrapping), with what happened underneath. */
function questionBlock(query: string, detail: string, first: boolean): CardElement {
  return container([text(`“${escapeMarkdown(query)}”`), subtle(detail)], { spacing: 'medium', separator: !first });
}

/**
 * For LA managers: what schools ask the ladder most, and what it failed to answer, each question on
 * its own lines so long questions stay readable, with what to do next said in words.
 */
export function ladderStatsCard(view: LadderStatsView): AdaptiveCard {
  const { stats } = view;
  const body: CardElement[] = [
    heading('Ladder: how it is being used'),
    subtle(`${escapeMarkdown(view.periodLabel)}. Questions are shown as typed: check them for names before sharing.`),
    facts([
      ['Searches', String(stats.searches)],
      ['Found useful', String(stats.feedbackYes)],
      ['Not useful', String(stats.feedbackNo)],
    ]),
    text('**Most asked**', { size: 'medium', spacing: 'large', separator: true }),
  ];
  if (stats.mostAsked.length === 0) body.push(subtle('No questions yet.'));
  stats.mostAsked.forEach((q, i) => {
    const answer = q.topEntryId ? `best match ${view.labels.get(q.topEntryId) ?? q.topEntryId}` : 'found no rung';
    body.push(questionBlock(q.query, `Asked ${times(q.times)}; ${escapeMarkdown(answer)}.`, i === 0));
  });

  body.push(text('**Found nothing useful**', { size: 'medium', spacing: 'large', separator: true }));
  if (stats.foundNothingUseful.length === 0) body.push(subtle('Nothing so far: every question found a rung and nobody said it did not help.'));
  stats.foundNothingUseful.forEach((q, i) => {
    const what = [q.noMatch ? `found no rung ${times(q.noMatch)}` : '', q.saidNo ? `said not useful ${times(q.saidNo)}` : ''].filter(Boolean).join(', ');
    body.push(questionBlock(q.query, `${what.charAt(0).toUpperCase()}${what.slice(1)}. ${whatToDo(q)}`, i === 0));
  });

  if (stats.foundNothingUseful.length > 0) {
    body.push(
      container(
        [
          text('**What to do next**'),
          text(
            'Send these questions to whoever looks after your ladder content. They add the words schools use to the ladder\'s word list, or as key words on the right rung; no code changes are needed, and the next search finds the right rung.',
            { size: 'small', spacing: 'small' },
          ),
        ],
        { style: 'emphasis', spacing: 'large' },
      ),
    );
  }
  return adaptiveCard(body, { actions: [overviewAction()], fallbackText: `Ladder: ${stats.searches} searches.` });
}
