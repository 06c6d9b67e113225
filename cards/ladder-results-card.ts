import type { MatchReason } from '../services/ladder/ladder-search';
import type { ResultsView } from '../services/ladder/ladder-service';
import { adaptiveCard, column, columns, container, escapeMarkdown, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { escapeContent, feedbackSection, openEntryAction, overviewAction, pointsSection, sampleBanner } from './ladder-card-parts';
import { shorten } from './ladder-overview-card';

/** How many of the question's words a "Matches:" line names, best-weighted fields first. */
const TERMS_SHOWN = 4;

/**
 * Why an entry matched, in words: "Matches: walked out (leaving lessons), suspension, mostly in its
 * early warning signs." The search reports `"walked out" (leaving lessons)`; the quotes go.
 */
function whyLine(reasons: readonly MatchReason[]): string {
  const terms: string[] = [];
  for (const r of reasons) {
    for (const t of r.terms) {
      const plain = t.replace(/^"([^"]*)"/, '$1');
      if (!terms.includes(plain)) terms.push(plain);
    }
  }
  if (terms.length === 0) return '';
  const shown = terms.slice(0, TERMS_SHOWN).map(escapeMarkdown).join(', ');
  const where = reasons[0] ? `, mostly in its ${escapeContent(reasons[0].field)}` : '';
  return `Matches: ${shown}${terms.length > TERMS_SHOWN ? ' and more' : ''}${where}.`;
}

/** The best matches for a situation, each with why it matched and a button opening it in place. */
export function ladderResultsCard(view: ResultsView): AdaptiveCard {
  const body: CardElement[] = [heading('Ladder: best matches'), subtle(`You asked: “${escapeMarkdown(view.query)}”`), ...sampleBanner(view, { short: true })];

  if (view.corrections.length) {
    body.push(subtle(`Read ${view.corrections.map((c) => `“${escapeMarkdown(c.from)}” as “${escapeMarkdown(c.to)}”`).join(', ')}.`));
  }

  if (view.matches.length === 0) {
    body.push(
      text("I couldn't find a rung that fits. Try describing what the pupil does and what you have tried, e.g. “keeps walking out of lessons, PSP in place”.", {
        spacing: 'medium',
      }),
    );
  }

  view.matches.forEach((m, i) => {
    const why = whyLine(m.reasons);
    body.push(
      container(
        [
          columns(
            [
              column(
                [
                  text(`${i === 0 ? '**Best fit** · ' : ''}**${escapeContent(m.entry.label)}: ${escapeContent(m.entry.title)}**`),
                  subtle(escapeContent(shorten(m.entry.purpose, 160))),
                  ...(why ? [subtle(why)] : []),
                ],
                'stretch',
              ),
              column([text('›', { color: 'accent', size: 'large' })], 'auto', { verticalContentAlignment: 'center' }),
            ],
            { selectAction: openEntryAction(`Open ${m.entry.label}`, m.entry.id, view.query) },
          ),
        ],
        { style: i === 0 ? 'emphasis' : 'default', spacing: 'medium', separator: i > 0 },
      ),
    );
  });

  body.push(...pointsSection(view.points));
  // A search that found nothing is already counted as unhelpful; only ask when there is something to judge.
  if (view.matches[0]) body.push(...feedbackSection('Did this find what you needed?', view.feedback, { id: view.matches[0].entry.id, q: view.query, from: 'results' }));

  const actions = view.matches.map((m) => openEntryAction(`Open ${m.entry.label}`, m.entry.id, view.query));
  actions.push(overviewAction());
  return adaptiveCard(body, { actions, fallbackText: `Ladder: ${view.matches.length} matches for your question.` });
}
