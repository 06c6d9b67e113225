import type { MyActionsView } from '../../services/cluster/cluster-actions';
import { ncYear } from '../cluster-card-parts';
import { weekdayDate } from '../../services/calendar/dates';
import { context, escapeSlack, header, longSection, message, section, type Block, type SlackMessage } from './block-kit';

/** "My actions" in Block Kit, from the same view as the Teams card: soonest due first, overdue marked. */
export function myActionsBlocks(view: MyActionsView): SlackMessage {
  const blocks: Block[] = [header(`Open actions for ${view.ownerName}`)];
  if (view.nameMode === 'initials') blocks.push(context('Pupils are shown by initials, year and school here. Ask in a direct message to see names.'));
  if (view.actions.length === 0) {
    blocks.push(section('You have no open actions from cluster meetings.'));
    return message(`No open actions for ${view.ownerName}`, blocks);
  }
  const lines = view.actions.map(
    (a) =>
      `${a.overdue ? '*Overdue* · ' : ''}due ${escapeSlack(weekdayDate(a.dueDate))} · *${escapeSlack(a.label)}* · ${ncYear(a.ncYear)} · ${escapeSlack(a.schoolName)}\n${escapeSlack(a.description)} _(${escapeSlack(a.district)} meeting, ${escapeSlack(weekdayDate(a.meetingDate))})_`,
  );
  blocks.push(...longSection(lines.join('\n\n')));
  if (view.more > 0) blocks.push(context(`${view.more} more open actions not listed. Finish or update these first, or open them in Teams.`));
  const overdue = view.actions.filter((a) => a.overdue).length;
  return message(`${view.actions.length + view.more} open actions${overdue ? `, ${overdue} overdue` : ''}`, blocks);
}
