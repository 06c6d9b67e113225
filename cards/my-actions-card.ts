import type { MyActionsView } from '../services/cluster/cluster-actions';
import type { OverdueNotice } from '../services/cluster/overdue-reminders';
import { adaptiveCard, column, columns, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { fitRows, minimisedNote, myActionsAction, ncYear, refreshFor, reviewAction, safe, shortDate } from './cluster-card-parts';
import { VERBS } from './verbs';

/** A person's open cluster actions, soonest due first, each opening its pupil's review. */
export function myActionsCard(view: MyActionsView, options: { refreshUserIds?: readonly string[] } = {}): AdaptiveCard {
  const body: CardElement[] = [heading('My cluster actions'), subtle(`${safe(view.ownerName, 60)} · open actions, soonest due first`), ...minimisedNote(view.nameMode)];
  if (view.actions.length === 0) body.push(text('You have no open actions from cluster meetings.', { isSubtle: true }));
  const rows: CardElement[] = [];
  for (const a of view.actions) {
    rows.push(
      columns(
        [
          column(
            [
              text(`**${safe(a.description, 150)}**`, { size: 'small' }),
              text(`${safe(a.label, 60)} · ${ncYear(a.ncYear)} · ${safe(a.schoolName, 40)} · ${safe(a.district, 40)}`, { size: 'small', spacing: 'none', isSubtle: true }),
            ],
            'stretch',
          ),
          column([text(a.overdue ? `**Overdue** (${shortDate(a.dueDate)})` : `Due ${shortDate(a.dueDate)}`, { size: 'small', color: a.overdue ? 'attention' : 'default' })], 'auto'),
        ],
        { separator: true, spacing: 'small', selectAction: reviewAction(a.district, a.pupilId) },
      ),
    );
  }
  const card = adaptiveCard(body, { refresh: refreshFor(VERBS.myActions, {}, options.refreshUserIds), fallbackText: 'My cluster actions' });
  const shown = fitRows(card, rows, () => []);
  body.push(...rows.slice(0, shown));
  const more = view.more + rows.length - shown;
  if (more > 0) body.push(subtle(`${more} more open action${more === 1 ? '' : 's'} not shown: close some, or see them on each cluster's minutes.`));
  return card;
}

/** The proactive note to an action's owner once it is overdue (initials only: it may show on a lock screen). */
export function overdueActionCard(notice: OverdueNotice): AdaptiveCard {
  return adaptiveCard(
    [
      heading('A cluster action is overdue', 'default'),
      text(`**${safe(notice.description, 200)}** was due ${shortDate(notice.dueDate)}.`),
      subtle(`${safe(notice.pupilInitials, 10)} · ${ncYear(notice.ncYear)} · ${safe(notice.schoolName, 60)} · ${safe(notice.district, 40)} cluster`),
    ],
    {
      actions: [reviewAction(notice.district, notice.pupilId, 'Open review'), myActionsAction()],
      fallbackText: 'A cluster action is overdue',
    },
  );
}
