import type { MinutesView } from '../services/cluster/cluster-minutes';
import { adaptiveCard, container, heading, subtle, text, type AdaptiveCard, type CardAction, type CardElement } from './adaptive-card';
import { MINUTES_PAGE_SIZE } from '../services/cluster/cluster-minutes';
import { agendaAction, fitRows, longDate, minimisedNote, minutesAction, myActionsAction, ncYear, refreshFor, reviewAction, safe, shortDate } from './cluster-card-parts';
import { VERBS } from './verbs';

/** The minutes of a district's latest cluster meeting: who was reviewed, the lead practitioner, outcome and agreed actions. */
export function clusterMinutesCard(view: MinutesView, options: { refreshUserIds?: readonly string[] } = {}): AdaptiveCard {
  const body: CardElement[] = [heading(`${safe(view.district)} cluster minutes`)];
  const actions: CardAction[] = [agendaAction(view.district, 'Next agenda'), myActionsAction()];
  if (!view.meetingDate) {
    body.push(text('Nothing has been recorded for a meeting of this cluster yet. Reviews recorded from the agenda appear here.', { isSubtle: true }));
    return adaptiveCard(body, { actions, fallbackText: `${view.district} cluster minutes` });
  }
  const t = view.totals;
  body.push(
    subtle(`Meeting ${longDate(view.meetingDate)}`),
    ...minimisedNote(view.nameMode),
    text(`**${t.reviewed}** pupil${t.reviewed === 1 ? '' : 's'} reviewed · **${t.actions}** action${t.actions === 1 ? '' : 's'} agreed: ${t.open} open, ${t.done} done${t.overdue ? `, **${t.overdue} overdue**` : ''}`, {
      spacing: 'small',
    }),
  );
  const rows: CardElement[] = [];
  for (const p of view.pupils) {
    const lines = [
      `**${safe(p.label, 60)}** · ${ncYear(p.ncYear)} · ${safe(p.schoolName, 40)}`,
      p.leadPractitioner ? `Lead practitioner: ${safe(p.leadPractitioner, 100)}` : '',
      p.barriers ? `Barriers: ${safe(p.barriers, 300)}` : '',
      p.outcome ? `Outcome: ${safe(p.outcome, 300)}` : '',
      ...p.actions.map((a) => `• ${safe(a.description, 150)} — ${safe(a.ownerName, 60)}, ${a.status === 'open' ? (a.overdue ? `**overdue** since ${shortDate(a.dueDate)}` : `due ${shortDate(a.dueDate)}`) : a.status}`),
    ].filter(Boolean);
    rows.push(container([text(lines.join('\n\n'), { size: 'small' })], { separator: true, spacing: 'small', selectAction: reviewAction(view.district, p.pupilId) }));
  }
  const card = adaptiveCard(body, {
    refresh: refreshFor(VERBS.clusterMinutes, view.from > 0 ? { district: view.district, from: view.from } : { district: view.district }, options.refreshUserIds),
    fallbackText: `${view.district} cluster minutes for ${view.meetingDate}`,
  });
  const actionsFor = (shown: number): CardAction[] => [
    ...(view.from > 0 ? [minutesAction(view.district, 'Previous', Math.max(0, view.from - MINUTES_PAGE_SIZE))] : []),
    ...(view.from + shown < view.totals.reviewed ? [minutesAction(view.district, 'Next', view.from + shown)] : []),
    ...actions,
  ];
  const shown = fitRows(card, rows, actionsFor);
  body.push(...rows.slice(0, shown));
  card.actions = actionsFor(shown);
  return card;
}
