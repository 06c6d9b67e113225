import type { RungView } from '../services/ladder/ladder-service';
import { adaptiveCard, container, heading, subtle, text, type ActionExecute, type AdaptiveCard, type CardElement, type InputToggle } from './adaptive-card';
import {
  capitalise,
  escapeContent,
  feedbackSection,
  link,
  openEntryAction,
  overviewAction,
  pointsSection,
  sampleBanner,
} from './ladder-card-parts';

// Lists are one TextBlock each: the card must stay under 28 KB with every situation point showing.
const bullets = (items: readonly string[]) => text(items.map((i) => `- ${escapeContent(i)}`).join('\n'), { spacing: 'small' });
const section = (title: string) => text(`**${title}**`, { spacing: 'medium' });

/**
 * One rung (or part-two scenario): signs, the school's actions as a checklist, evidence, LA services,
 * resources, when to move, cohort notes, and the statutory points for the situation described.
 * Previous / Next / Whole ladder update the card in place.
 */
export function ladderRungCard(view: RungView): AdaptiveCard {
  const e = view.entry;
  const isRung = e.kind === 'rung';
  const body: CardElement[] = [
    subtle(escapeContent([view.partTitle, view.position].filter(Boolean).join(' · '))),
    heading(`${escapeContent(e.label)}: ${escapeContent(e.title)}`, 'large'),
    ...sampleBanner(view),
    text(escapeContent(e.purpose), { spacing: 'small' }),
    ...pointsSection(view.points),
  ];

  if (e.early_warning_signs.length) body.push(section(isRung ? 'Early warning signs' : 'What this covers'), bullets(e.early_warning_signs));

  body.push(section(isRung ? 'School actions' : 'What to do'));
  body.push(
    container(
      e.school_actions.map((action, i): InputToggle => ({ type: 'Input.Toggle', id: `action-${i}`, title: action })),
      { spacing: 'small' },
    ),
  );

  if (e.statutory_expectations.length) {
    body.push(
      section('Statutory expectations'),
      text(e.statutory_expectations.map((s) => `- ${escapeContent(s.text)} _(${escapeContent(s.basis)})_`).join('\n'), { spacing: 'small' }),
    );
  }

  if (e.evidence_to_keep.length) body.push(section('Evidence to keep'), bullets(e.evidence_to_keep));

  if (e.la_services.length) {
    const lines = e.la_services.map((s) => {
      const name = s.link ? `**${link(s.name, s.link)}**` : `**${escapeContent(s.name)}**`;
      return `- ${name}: ${escapeContent(s.offers)} How to reach: ${escapeContent(s.contact)}`;
    });
    body.push(section('LA services'), text(lines.join('\n'), { spacing: 'small' }));
  }

  if (e.resources.length) {
    body.push(section('Resources'), text(e.resources.map((r) => `- ${link(r.title, r.link)}`).join('\n'), { spacing: 'small' }));
  }

  if (e.move_up_when.length) body.push(section(isRung ? 'When to move up' : 'When to escalate'), bullets(e.move_up_when));
  if (e.step_down_when.length) body.push(section(isRung ? 'When to step down' : 'Afterwards'), bullets(e.step_down_when));

  body.push(
    section('If the pupil is…'),
    text(
      [
        `**Looked after:** ${escapeContent(e.notes.looked_after)}`,
        `**On an EHC plan:** ${escapeContent(e.notes.ehc_plan)}`,
        `**On SEN support:** ${escapeContent(e.notes.sen_support)}`,
      ].join('\n\n'),
      { spacing: 'small', size: 'small' },
    ),
  );

  body.push(...feedbackSection('Was this useful?', view.feedback, { id: e.id, ...(view.query ? { q: view.query } : {}) }));

  const noun = isRung ? 'rung' : 'scenario';
  const actions: ActionExecute[] = [];
  if (view.previous) actions.push(openEntryAction(`‹ Previous ${noun}`, view.previous.id, view.query));
  if (view.next) actions.push(openEntryAction(`Next ${noun} ›`, view.next.id, view.query));
  actions.push(overviewAction());

  return adaptiveCard(body, { actions, fallbackText: `${capitalise(e.label)}: ${e.title}` });
}
