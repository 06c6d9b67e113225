import type { OverviewView } from '../services/ladder/ladder-service';
import { adaptiveCard, column, columns, container, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { escapeContent, openEntryAction, sampleBanner } from './ladder-card-parts';

/** The whole ladder: every rung and scenario, each row opening its card in place. */
export function ladderOverviewCard(view: OverviewView): AdaptiveCard {
  const body: CardElement[] = [heading(escapeContent(view.title), 'large'), subtle(escapeContent(view.authority)), ...sampleBanner(view)];
  for (const part of view.parts) {
    body.push(text(`**${escapeContent(part.title)}**`, { size: 'medium', spacing: 'large', separator: true }));
    body.push(subtle(escapeContent(part.summary)));
    body.push(
      container(
        part.entries.map((entry, i) =>
          columns(
            [
              column([text(`**${escapeContent(entry.label)}**`)], '1'),
              column([text(escapeContent(entry.title)), subtle(escapeContent(shorten(entry.purpose, 110)))], '3'),
              column([text('›', { color: 'accent', size: 'large' })], 'auto', { verticalContentAlignment: 'center' }),
            ],
            { selectAction: openEntryAction(`Open ${entry.label}`, entry.id), separator: i > 0, spacing: 'small' },
          ),
        ),
        { spacing: 'small' },
      ),
    );
  }
  if (view.principles.length > 0) {
    body.push(text('**At every step**', { spacing: 'large', separator: true }));
    body.push(text(view.principles.map((p) => `- ${escapeContent(p)}`).join('\n'), { size: 'small' }));
  }
  body.push(subtle('Tap a step to open it, or type ladder followed by what is happening, e.g. "ladder keeps walking out of lessons".'));
  return adaptiveCard(body, { fallbackText: `${view.title}: type "ladder 1" to "ladder 4" to open a step.` });
}

/** Cuts at a word boundary with an ellipsis. */
export function shorten(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).replace(/[,;:.\s]+$/, '')}…`;
}
