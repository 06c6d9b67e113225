import type { MinutesView } from '../../services/cluster/cluster-minutes';
import { MINUTES_PAGE_SIZE } from '../../services/cluster/cluster-minutes';
import type { CandidatesView } from '../../services/cluster/cluster-candidates';
import { CANDIDATES_PAGE_SIZE } from '../../services/cluster/cluster-candidates';
import { dayMonth, weekdayDate } from '../../services/calendar/dates';
import { ncYear } from '../cluster-card-parts';
import { context, escapeSlack, header, messageWithActions, section, sectionWithButton, type Block, type ButtonElement, type SlackMessage } from './block-kit';
import { pupilLine } from './cluster-agenda-blocks';
import { namesButton, nominateButton, pageButtons, viewButton } from './cluster-buttons';
import { reviewButton } from './review-blocks';

/**
 * The cluster minutes and the candidate pool in Block Kit, from the same views as the Teams cards:
 * a section per pupil with its Review button, Previous / Next in place, and Show names where
 * pupils are initials.
 */

export function clusterMinutesBlocks(view: MinutesView): SlackMessage {
  const blocks: Block[] = [header(`${view.district} cluster minutes`)];
  const back = [viewButton('Next agenda', 'agenda', { what: 'agenda', district: view.district })];
  if (!view.meetingDate) {
    blocks.push(section('Nothing has been recorded for a meeting of this cluster yet. Reviews recorded from the agenda appear here.'));
    return messageWithActions(`${view.district} cluster minutes`, blocks, back);
  }
  const t = view.totals;
  blocks.push(
    context(`Meeting ${escapeSlack(weekdayDate(view.meetingDate))}`),
    section(`*${t.reviewed}* pupil${t.reviewed === 1 ? '' : 's'} reviewed · *${t.actions}* action${t.actions === 1 ? '' : 's'} agreed: ${t.open} open, ${t.done} done${t.overdue ? `, *${t.overdue} overdue*` : ''}`),
  );
  if (view.nameMode === 'initials') blocks.push(context('Initials only here, and no free text. *Show names* shows the minutes to you alone.'));
  for (const p of view.pupils) {
    const lines = [
      `*${escapeSlack(p.label)}* · ${ncYear(p.ncYear)} · ${escapeSlack(p.schoolName)}`,
      p.leadPractitioner ? `Lead practitioner: ${escapeSlack(p.leadPractitioner)}` : '',
      p.barriers ? `Barriers: ${escapeSlack(p.barriers)}` : '',
      p.outcome ? `Outcome: ${escapeSlack(p.outcome)}` : '',
      ...p.actions.map((a) => `• ${escapeSlack(a.description)} · ${escapeSlack(a.ownerName)}, ${a.status === 'open' ? (a.overdue ? `*overdue* since ${dayMonth(a.dueDate)}` : `due ${dayMonth(a.dueDate)}`) : a.status}`),
    ];
    // One section a pupil (its text clipped at 3,000 characters) keeps the Review button beside it.
    blocks.push(sectionWithButton(lines.filter(Boolean).join('\n'), reviewButton(view.district, p.pupilId)));
  }
  const buttons: ButtonElement[] = [
    ...pageButtons({ what: 'minutes', district: view.district }, { from: view.from, shown: view.pupils.length, total: t.reviewed, pageSize: MINUTES_PAGE_SIZE }),
    ...(view.nameMode === 'initials' && view.pupils.length ? [namesButton({ what: 'minutes', district: view.district, from: view.from })] : []),
    ...back,
  ];
  return messageWithActions(`${view.district} cluster minutes for ${view.meetingDate}`, blocks, buttons);
}

export function clusterCandidatesBlocks(view: CandidatesView): SlackMessage {
  const filters = { ...(view.filters.school ? { school: String(view.filters.school.urn) } : {}), ...(view.filters.cohort ? { cohort: view.filters.cohort.key } : {}) };
  const only = [view.filters.school?.name, view.filters.cohort?.label].filter(Boolean).join(' · ');
  const blocks: Block[] = [
    header(`${view.district} cluster: candidates`),
    context(`For the meeting on ${escapeSlack(weekdayDate(view.meeting.date))}. Severely absent pupils and persistently absent pupils with a multi-agency need, most urgent first.${only ? ` Only: ${escapeSlack(only)}.` : ''}`),
  ];
  if (view.nameMode === 'initials') blocks.push(context('Pupils are shown by initials, year and school here. *Show names* shows them to you alone.'));
  if (view.access === 'schools') blocks.push(context('Only pupils of your school(s) are listed.'));
  if (view.pupils.length === 0) blocks.push(section('No pupil meets the criteria here.'));
  for (const p of view.pupils) {
    const status = p.nomination ? ' · _nominated_' : p.onAgenda ? ' · _on the agenda_' : '';
    // As in Teams, a pupil not yet on the agenda can be nominated; the others can be reviewed.
    const accessory = status ? reviewButton(view.district, p.pupilId) : nominateButton(view.district, p.pupilId, { card: 'candidates', from: view.from, ...filters });
    blocks.push(sectionWithButton(`${pupilLine(p)}${status}`, accessory));
  }
  if (view.total > 0) blocks.push(context(`Candidates ${view.from + 1} to ${view.from + view.pupils.length} of ${view.total}. To filter, add \`school\` and part of its name, or \`cohort\` and one of ehcp, sen, fsm, social worker, looked after, youth justice.`));
  const ref = { what: 'candidates' as const, district: view.district, ...filters };
  const buttons: ButtonElement[] = [
    ...pageButtons(ref, { from: view.from, shown: view.pupils.length, total: view.total, pageSize: CANDIDATES_PAGE_SIZE }),
    ...(view.nameMode === 'initials' && view.pupils.length ? [namesButton({ ...ref, from: view.from })] : []),
    viewButton('Agenda', 'agenda', { what: 'agenda', district: view.district }),
  ];
  return messageWithActions(`${view.district} cluster candidates: ${view.total}`, blocks, buttons);
}
