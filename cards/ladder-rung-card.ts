import type { RungView } from '../services/ladder/ladder-service';
import {
  adaptiveCard,
  container,
  heading,
  subtle,
  text,
  type ActionExecute,
  type ActionSet,
  type AdaptiveCard,
  type CardElement,
  type InputToggle,
} from './adaptive-card';
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
import { VERBS } from './verbs';

// Lists are one TextBlock each: the card must stay under 28 KB with every situation point showing.
const bullets = (items: readonly string[]) => text(items.map((i) => `- ${escapeContent(i)}`).join('\n'), { spacing: 'small' });
const section = (title: string) => text(`**${title}**`, { spacing: 'medium' });

/** Element ids for "Show more": the hidden details and the two buttons that swap places. */
const RUNG_MORE_ID = 'ladder-more';
const SHOW_MORE_ID = 'ladder-show-more';
const SHOW_LESS_ID = 'ladder-show-less';

/** Input id of one checklist action; the store keys ticks by the same item key. */
const tickInputId = (itemKey: string) => `tick-${itemKey}`;

function toggleButton(id: string, title: string, visible: boolean): ActionSet {
  return {
    type: 'ActionSet',
    id,
    isVisible: visible,
    spacing: 'medium',
    actions: [{ type: 'Action.ToggleVisibility', title, targetElements: [RUNG_MORE_ID, SHOW_MORE_ID, SHOW_LESS_ID] }],
  };
}

/**
 * One rung (or part-two scenario). Essentials first: what it is for, the points for this situation,
 * what to do now (a checklist whose ticks are saved per user and situation) and who to call. The
 * rest (signs, statutory expectations, evidence, resources, when to move, cohort notes) sits behind
 * "Show more", which toggles in the client without a round trip. Previous / Next / Whole ladder
 * update the card in place.
 */
export function ladderRungCard(view: RungView): AdaptiveCard {
  const e = view.entry;
  const isRung = e.kind === 'rung';
  const body: CardElement[] = [
    subtle(escapeContent([view.partTitle, view.position].filter(Boolean).join(' · '))),
    heading(`${escapeContent(e.label)}: ${escapeContent(e.title)}`, 'large'),
    ...sampleBanner(view, { short: true }),
    text(escapeContent(e.purpose), { spacing: 'small' }),
    ...pointsSection(view.points),
  ];

  body.push(section('What to do now'));
  body.push(
    container(
      view.checklist.map(
        (item): InputToggle => ({
          type: 'Input.Toggle',
          id: tickInputId(item.key),
          title: item.text,
          // valueOn / valueOff default to "true" / "false", which is what the save handler reads.
          ...(item.ticked ? { value: 'true' as const } : {}),
        }),
      ),
      { spacing: 'small' },
    ),
  );
  const done = view.checklist.filter((i) => i.ticked).length;
  const save: ActionExecute = {
    type: 'Action.Execute',
    title: 'Save my ticks',
    verb: VERBS.ladderChecklist,
    data: view.query ? { id: e.id, q: view.query } : { id: e.id },
    associatedInputs: 'auto',
  };
  body.push({ type: 'ActionSet', actions: [save], spacing: 'small' });
  if (view.checklistSaved) body.push(subtle(`Saved: ${done} of ${view.checklist.length} done. Only you see your ticks.`));
  else if (done > 0) body.push(subtle(`Your ticks from last time: ${done} of ${view.checklist.length} done.`));

  if (e.la_services.length) {
    const lines = e.la_services.map((s) => {
      const name = s.link ? `**${link(s.name, s.link)}**` : `**${escapeContent(s.name)}**`;
      return `- ${name}: ${escapeContent(s.offers)} Contact: ${escapeContent(s.contact)}`;
    });
    body.push(section('Who to call'), text(lines.join('\n'), { spacing: 'small' }));
  }

  const more: CardElement[] = [];
  if (e.early_warning_signs.length) more.push(section(isRung ? 'Early warning signs' : 'What this covers'), bullets(e.early_warning_signs));
  if (e.statutory_expectations.length) {
    more.push(
      section('Statutory expectations'),
      text(e.statutory_expectations.map((s) => `- ${escapeContent(s.text)} _(${escapeContent(s.basis)})_`).join('\n'), { spacing: 'small' }),
    );
  }
  if (e.evidence_to_keep.length) more.push(section('Evidence to keep'), bullets(e.evidence_to_keep));
  if (e.resources.length) {
    more.push(section('Resources'), text(e.resources.map((r) => `- ${link(r.title, r.link)}`).join('\n'), { spacing: 'small' }));
  }
  if (e.move_up_when.length) more.push(section(isRung ? 'When to move up' : 'When to escalate'), bullets(e.move_up_when));
  if (e.step_down_when.length) more.push(section(isRung ? 'When to step down' : 'Afterwards'), bullets(e.step_down_when));
  more.push(
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

  body.push(
    toggleButton(SHOW_MORE_ID, 'Show more', true),
    container(more, { id: RUNG_MORE_ID, isVisible: false, spacing: 'none' }),
    toggleButton(SHOW_LESS_ID, 'Show less', false),
  );

  body.push(...feedbackSection('Was this useful?', view.feedback, { id: e.id, ...(view.query ? { q: view.query } : {}) }));

  const noun = isRung ? 'rung' : 'scenario';
  const actions: ActionExecute[] = [];
  if (view.previous) actions.push(openEntryAction(`‹ Previous ${noun}`, view.previous.id, view.query));
  if (view.next) actions.push(openEntryAction(`Next ${noun} ›`, view.next.id, view.query));
  actions.push(overviewAction());

  return adaptiveCard(body, { actions, fallbackText: `${capitalise(e.label)}: ${e.title}` });
}
