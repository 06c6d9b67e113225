import type { AgendaPupil, AgendaView } from '../../services/cluster/cluster-agenda';
import { ncYear, percent } from '../cluster-card-parts';
import { weekdayDate } from '../../services/calendar/dates';
import { context, escapeSlack, fieldSections, header, longSection, message, section, type Block, type SlackMessage } from './block-kit';

const CATEGORY_WORDS: Record<AgendaPupil['category'], string> = {
  severe: 'Severe absence',
  persistent_need: 'Persistent absence',
  action_due: 'Action due',
  nominated: 'Nominated',
};

/**
 * The cluster agenda in Block Kit, from the same view as the Teams card: the meeting, the figures
 * against the authority and England, and this page of pupils (labels are initials whenever the
 * view says names are not allowed here). Pupils are lines in a few sections, so a full agenda
 * stays far inside 50 blocks; longer lists say how to see the next page.
 */
export function clusterAgendaBlocks(view: AgendaView): SlackMessage {
  const blocks: Block[] = [
    header(`${view.district} attendance cluster`),
    context(`Next meeting ${escapeSlack(weekdayDate(view.meeting.date))}${view.meeting.stored ? '' : ' (proposed)'} · figures ${escapeSlack(weekdayDate(view.periodFrom))} to ${escapeSlack(weekdayDate(view.asOf))}`),
    ...fieldSections([
      `*Cluster attendance*\n${percent(view.figures.cluster.attendanceRate)}`,
      `*Authority*\n${percent(view.figures.authority.attendanceRate)}`,
      `*Persistently absent*\n${percent(view.figures.cluster.persistentRate)}`,
      `*Severely absent*\n${percent(view.figures.cluster.severeRate)}`,
    ]),
  ];
  if (!view.pupilsShown) {
    blocks.push(section('Your role sees the figures only, not the pupils.'));
    return message(`${view.district} cluster agenda`, blocks);
  }
  if (view.nameMode === 'initials') blocks.push(context('Pupils are shown by initials, year and school here. Ask in a direct message to see names.'));
  if (view.pupils.length === 0) blocks.push(section('No pupils meet the agenda criteria.'));
  else {
    const lines = view.pupils.map(
      (p) => `*${escapeSlack(p.label)}* · ${ncYear(p.ncYear)} · ${escapeSlack(p.schoolName)} · attendance ${percent(p.attendanceRate)} · ${CATEGORY_WORDS[p.category]}`,
    );
    blocks.push(...longSection(lines.join('\n')));
  }
  const last = view.from + view.pupils.length;
  if (last < view.total) blocks.push(context(`Pupils ${view.from + 1} to ${last} of ${view.total}. Open the agenda in Teams for the rest.`));
  return message(`${view.district} cluster agenda: ${view.total} pupils`, blocks);
}
