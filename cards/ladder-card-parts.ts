import type { SituationPoint } from '../services/ladder/situation-rules';
import type { ToolkitHeader, Verdict } from '../services/ladder/ladder-service';
import { container, subtle, text, type ActionExecute, type CardElement } from './adaptive-card';
import { VERBS } from './verbs';

/** Pieces shared by the ladder cards. */

/** The one-line form, for cards read often (a rung, search results); the overview carries the full notice. */
const SHORT_SAMPLE_NOTICE = "**Sample content:** check your authority's published ladder before acting.";

/** A plain-language "this is sample content" notice, shown once per card whenever the toolkit is the sample. */
export function sampleBanner(header: ToolkitHeader, options: { short?: boolean } = {}): CardElement[] {
  if (!header.sample) return [];
  const line = options.short ? SHORT_SAMPLE_NOTICE : `**Sample content.** ${escapeContent(header.notice ?? "Check against your authority's published ladder.")}`;
  return [container([text(line, { size: 'small' })], { style: 'warning', spacing: 'small' })];
}

/** "For this situation": statutory points the question or record triggered, most consequential first. */
export function pointsSection(points: readonly SituationPoint[]): CardElement[] {
  if (points.length === 0) return [];
  return [
    container(
      [
        text('**For this situation**', { size: 'medium' }),
        // One block per point keeps the card small enough for every point at once.
        ...points.map((p) =>
          text(`**${escapeContent(capitalise(p.because))}:** ${escapeContent(p.text)} _(${p.kind === 'statutory' ? '' : 'practice: '}${escapeContent(p.basis)})_`, {
            spacing: 'small',
          }),
        ),
      ],
      { style: 'attention', spacing: 'medium' },
    ),
  ];
}

/**
 * Toolkit and rule text is the authority's own, not user input, but it must still not turn into
 * formatting by accident. Parentheses stay as they are ("(PSP)"): without brackets they make no link.
 */
export function escapeContent(value: string): string {
  return value.replace(/([\\`*_[\]<>#|~])/g, '\\$1').replace(/^(\s*)([-+]|\d+\.)(\s)/gm, '$1\\$2$3');
}

/** Open a rung or scenario, carrying the question so its card can show the situation's points. */
export function openEntryAction(title: string, id: string, query?: string): ActionExecute {
  return { type: 'Action.Execute', title, verb: VERBS.ladderRung, data: query ? { id, q: query } : { id }, associatedInputs: 'none' };
}

export function overviewAction(title = 'Whole ladder'): ActionExecute {
  return { type: 'Action.Execute', title, verb: VERBS.ladderOverview, data: {}, associatedInputs: 'none' };
}

/** "Was this useful?" with Yes / No, or the thanks once answered. */
export function feedbackSection(
  question: string,
  feedback: Verdict | undefined,
  data: { id?: string; q?: string; from?: 'rung' | 'results' },
): CardElement[] {
  if (feedback) {
    return [subtle(feedback === 'yes' ? 'Thanks, glad it helped.' : 'Thanks. We use this to improve the ladder content.')];
  }
  const button = (title: string, verdict: Verdict): ActionExecute => ({
    type: 'Action.Execute',
    title,
    verb: VERBS.ladderFeedback,
    data: { verdict, ...data },
    associatedInputs: 'none',
  });
  return [
    text(question, { size: 'small', spacing: 'medium', separator: true }),
    { type: 'ActionSet', actions: [button('Yes', 'yes'), button('No', 'no')], spacing: 'small' },
  ];
}

/** Markdown link from trusted toolkit content; the title is escaped, the address is the validated link. */
export function link(title: string, url: string): string {
  return `[${escapeContent(title)}](${url})`;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
