import type { AgendaPupil, AgendaView } from '../../services/cluster/cluster-agenda';
import { AGENDA_PAGE_SIZE } from '../../services/cluster/cluster-agenda';
import { ncYear, percent } from '../cluster-card-parts';
import { weekdayDate } from '../../services/calendar/dates';
import { context, escapeSlack, fieldSections, header, messageWithActions, section, sectionWithButton, type Block, type ButtonElement, type SlackMessage } from './block-kit';
import { namesButton, pageButtons, viewButton } from './cluster-buttons';
import { reviewButton } from './review-blocks';

const CATEGORY_WORDS: Record<AgendaPupil['category'], string> = {
  severe: 'Severe absence',
  persistent_need: 'Persistent absence',
  action_due: 'Action due',
  nominated: 'Nominated',
};

/** One pupil's line on the agenda (also the candidates list). */
export function pupilLine(p: AgendaPupil): string {
  const extra = [
    CATEGORY_WORDS[p.category],
    ...(p.nomination ? [`nominated by ${escapeSlack(p.nomination.byName)}`] : p.reason === 'carried' ? ['action carried over'] : []),
    ...(p.openActions > 0 && p.nextDue ? [`${p.openActions} action${p.openActions === 1 ? '' : 's'} ${p.overdue ? 'overdue' : 'due'} ${weekdayDate(p.nextDue)}`] : []),
    ...p.needs.map(escapeSlack),
  ];
  return `*${escapeSlack(p.label)}* · ${ncYear(p.ncYear)} · ${escapeSlack(p.schoolName)} · attendance ${percent(p.attendanceRate)}\n${extra.join(' · ')}`;
}

/**
 * The cluster agenda in Block Kit, from the same view as the Teams card: the meeting, the figures
 * against the authority (first page), and this page of pupils, each with its Review button (labels
 * are initials whenever the view says names are not allowed here). A page is at most 15 pupils, so
 * it stays far inside 50 blocks; Previous / Next redraw the message in place.
 */
export function clusterAgendaBlocks(view: AgendaView): SlackMessage {
  const blocks: Block[] = [
    header(`${view.district} attendance cluster`),
    context(`Next meeting ${escapeSlack(weekdayDate(view.meeting.date))}${view.meeting.stored ? '' : ' (proposed)'} · figures ${escapeSlack(weekdayDate(view.periodFrom))} to ${escapeSlack(weekdayDate(view.asOf))}`),
  ];
  if (view.from === 0) {
    blocks.push(
      ...fieldSections([
        `*Cluster attendance*\n${percent(view.figures.cluster.attendanceRate)}`,
        `*Authority*\n${percent(view.figures.authority.attendanceRate)}`,
        `*Persistently absent*\n${percent(view.figures.cluster.persistentRate)}`,
        `*Severely absent*\n${percent(view.figures.cluster.severeRate)}`,
      ]),
    );
  }
  const buttons: ButtonElement[] = [];
  if (!view.pupilsShown) {
    blocks.push(section('Your role sees the figures only, not the pupils.'));
    return messageWithActions(`${view.district} cluster agenda`, blocks, [viewButton('Minutes', 'minutes', { what: 'minutes', district: view.district })]);
  }
  if (view.nameMode === 'initials') blocks.push(context('Pupils are shown by initials, year and school here. *Show names* shows them to you alone.'));
  if (view.access === 'schools') blocks.push(context('Only pupils of your school(s) are listed.'));
  if (view.pupils.length === 0) blocks.push(section('No pupils meet the agenda criteria.'));
  for (const p of view.pupils) blocks.push(sectionWithButton(pupilLine(p), reviewButton(view.district, p.pupilId)));
  const last = view.from + view.pupils.length;
  if (view.total > 0) blocks.push(context(`Pupils ${view.from + 1} to ${last} of ${view.total}.`));
  buttons.push(...pageButtons({ what: 'agenda', district: view.district }, { from: view.from, shown: view.pupils.length, total: view.total, pageSize: AGENDA_PAGE_SIZE }));
  if (view.nameMode === 'initials' && view.pupils.length > 0) buttons.push(namesButton({ what: 'agenda', district: view.district, from: view.from }));
  buttons.push(viewButton('Candidates', 'candidates', { what: 'candidates', district: view.district }), viewButton('Minutes', 'minutes', { what: 'minutes', district: view.district }));
  return messageWithActions(`${view.district} cluster agenda: ${view.total} pupils`, blocks, buttons);
}
