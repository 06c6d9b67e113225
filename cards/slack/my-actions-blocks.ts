import type { MyActionsView } from '../../services/cluster/cluster-actions';
import { ncYear } from '../cluster-card-parts';
import { weekdayDate } from '../../services/calendar/dates';
import { context, escapeSlack, header, message, section, sectionWithButton, type Block, type SlackMessage } from './block-kit';
import { reviewButton } from './review-blocks';

/**
 * "My actions" in Block Kit, from the same view as the Teams card: soonest due first, overdue
 * marked, each with a Review button for its pupil (as the Teams rows open the review).
 */
export function myActionsBlocks(view: MyActionsView): SlackMessage {
  const blocks: Block[] = [header(`Open actions for ${view.ownerName}`)];
  if (view.nameMode === 'initials') blocks.push(context('Pupils are shown by initials, year and school here. Ask in a direct message to see names.'));
  if (view.actions.length === 0) {
    blocks.push(section('You have no open actions from cluster meetings.'));
    return message(`No open actions for ${view.ownerName}`, blocks);
  }
  view.actions.forEach((a, row) => {
    const text = `${a.overdue ? '*Overdue* · ' : ''}due ${escapeSlack(weekdayDate(a.dueDate))} · *${escapeSlack(a.label)}* · ${ncYear(a.ncYear)} · ${escapeSlack(a.schoolName)}\n${escapeSlack(a.description)} _(${escapeSlack(a.district)} meeting, ${escapeSlack(weekdayDate(a.meetingDate))})_`;
    // One pupil may own several actions: the row number keeps each button's id unique.
    blocks.push(sectionWithButton(text, reviewButton(a.district, a.pupilId, 'Review', row)));
  });
  if (view.more > 0) blocks.push(context(`${view.more} more open actions not listed. Finish or update these first, or open them in Teams.`));
  const overdue = view.actions.filter((a) => a.overdue).length;
  return message(`${view.actions.length + view.more} open actions${overdue ? `, ${overdue} overdue` : ''}`, blocks);
}
