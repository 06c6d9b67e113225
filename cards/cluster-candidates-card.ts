import type { CandidatePupil, CandidatesView } from '../services/cluster/cluster-candidates';
import { CANDIDATES_PAGE_SIZE } from '../services/cluster/cluster-candidates';
import { adaptiveCard, column, columns, heading, subtle, text, type AdaptiveCard, type CardAction, type CardElement } from './adaptive-card';
import { rowBadges, rowTitle } from './cluster-agenda-card';
import { agendaAction, candidatesAction, fitRows, minimisedNote, nominateAction, safe, severityColour, type CandidateFilters } from './cluster-card-parts';
import { weekdayDate } from '../services/calendar/dates';

/**
 * The candidate pool behind the agenda: every pupil meeting the criteria, ranked like the agenda,
 * with a Nominate button on each pupil not yet on it. Filters (school, cohort) ride along in the
 * buttons' data, so paging and nominating keep them.
 */
export function clusterCandidatesCard(view: CandidatesView): AdaptiveCard {
  const filters: CandidateFilters = {};
  if (view.filters.school) filters.school = String(view.filters.school.urn);
  if (view.filters.cohort) filters.cohort = view.filters.cohort.key;
  const filterWords = [view.filters.school ? safe(view.filters.school.name, 60) : '', view.filters.cohort ? view.filters.cohort.label : ''].filter(Boolean).join(' · ');
  const body: CardElement[] = [
    heading(`${safe(view.district)} cluster: candidates`),
    subtle(`For the meeting on ${weekdayDate(view.meeting.date)}. Severely absent pupils and persistently absent pupils with a multi-agency need, most urgent first.${filterWords ? ` Only: ${filterWords}.` : ''}`),
    ...minimisedNote(view.nameMode),
  ];
  if (view.access === 'schools') body.push(subtle('Only pupils of your school(s) are listed.'));
  const head = text(`**Candidates (${view.total.toLocaleString('en-GB')})**`, { spacing: 'medium' });
  body.push(head);
  if (view.pupils.length === 0) body.push(text('No pupil meets the criteria here.', { isSubtle: true }));
  // No angle brackets: Teams drops <word> in card text.
  body.push(subtle(`To filter, add **school** and part of its name or its URN, and/or **cohort** and one of ehcp, sen, fsm, social worker, looked after, youth justice: e.g. **cluster ${safe(view.district, 40)} candidates cohort looked after**.`));
  const card = adaptiveCard(body, { fallbackText: `${view.district} attendance cluster candidates` });
  const rows = view.pupils.map((p) => candidateRow(view, p, filters));
  const actionsFor = (shown: number): CardAction[] => {
    const list: CardAction[] = [];
    if (view.from > 0) list.push(candidatesAction(view.district, 'Previous', Math.max(0, view.from - CANDIDATES_PAGE_SIZE), filters));
    if (view.from + shown < view.total) list.push(candidatesAction(view.district, 'Next', view.from + shown, filters));
    list.push(agendaAction(view.district, 'Agenda'));
    return list;
  };
  const shown = fitRows(card, rows, actionsFor);
  // The filter hint stays last among the header lines; rows go after it.
  body.push(...rows.slice(0, shown));
  if (view.total > shown) head.text = `**Candidates (${view.total.toLocaleString('en-GB')})** · ${view.from + 1}–${view.from + shown}`;
  card.actions = actionsFor(shown);
  return card;
}

function candidateRow(view: CandidatesView, p: CandidatePupil, filters: CandidateFilters): CardElement {
  const status = p.nomination ? 'Nominated' : p.onAgenda ? 'On the agenda' : null;
  const right: CardElement = status
    ? text(status, { size: 'small', isSubtle: true, horizontalAlignment: 'right' })
    : { type: 'ActionSet', actions: [nominateAction(view.district, p.pupilId, { card: 'candidates', from: view.from, filters })] };
  return columns(
    [
      column(
        [
          text(rowTitle(p), { size: 'small' }),
          text(rowBadges(p).join(' · '), { size: 'small', spacing: 'none', isSubtle: p.band === 'none', color: severityColour(p.band) }),
        ],
        'stretch',
      ),
      column([right], 'auto', { verticalContentAlignment: 'center' }),
    ],
    { separator: true, spacing: 'small' },
  );
}
