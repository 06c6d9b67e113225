import type { GroupMeasures } from '../services/attendance/attendance-measures';
import type { AgendaPupil, AgendaView } from '../services/cluster/cluster-agenda';
import { adaptiveCard, column, columns, container, heading, subtle, text, type AdaptiveCard, type CardAction, type CardElement, type Column } from './adaptive-card';
import { AGENDA_PAGE_SIZE } from '../services/cluster/cluster-agenda';
import { agendaAction, candidatesAction, fitRows, minimisedNote, minutesAction, myActionsAction, ncYear, percent, points, refreshFor, reviewAction, ROLE_WORDS, safe, severityColour } from './cluster-card-parts';
import { VERBS } from './verbs';
import { dayMonth, weekdayDate } from '../services/calendar/dates';

/**
 * The cluster meeting agenda: header (cluster, meeting date, schools, invitees), headline figures
 * against the authority and England, the cohorts, then the pupils to review, most urgent first.
 * Figures and cohorts are on the first page; later pages carry only pupils, so every page stays
 * well under 28 KB.
 */

export interface AgendaCardOptions {
  /** Teams user ids (29:...) whose own view Teams fetches automatically (Universal Actions). */
  refreshUserIds?: readonly string[];
}

const CATEGORY_WORDS: Record<AgendaPupil['category'], string> = {
  severe: 'Severe absence',
  persistent_need: 'Persistent absence',
  action_due: 'Action due',
  nominated: 'Nominated',
};

export function clusterAgendaCard(view: AgendaView, options: AgendaCardOptions = {}): AdaptiveCard {
  const first = view.from === 0;
  const body: CardElement[] = [
    heading(`${safe(view.district)} attendance cluster`),
    subtle(
      `Meeting ${weekdayDate(view.meeting.date)}${view.meeting.stored ? '' : ' (proposed: ten school days ahead)'} · year to date ${dayMonth(view.periodFrom)} – ${dayMonth(view.asOf)} (last day with marks)`,
    ),
    // Only where pupils are listed: a figures-only card has no initials to explain.
    ...(view.pupilsShown ? minimisedNote(view.nameMode) : []),
  ];
  if (first) body.push(...header(view), ...figures(view), ...cohorts(view));
  const pupilHead = pupilHeading(view);
  body.push(...pupilHead);
  const card = adaptiveCard(body, {
    refresh: refreshFor(VERBS.clusterAgenda, first ? { district: view.district } : { district: view.district, from: view.from }, options.refreshUserIds),
    fallbackText: `${view.district} attendance cluster agenda for ${view.meeting.date}`,
  });
  // Rows are added while the card stays under the size limit; the next card starts after the last shown.
  const rows = view.pupils.map((p) => pupilRow(view.district, p));
  const actionsFor = (shown: number): CardAction[] => {
    const list: CardAction[] = [];
    if (view.from > 0) list.push(agendaAction(view.district, 'Previous', Math.max(0, view.from - AGENDA_PAGE_SIZE)));
    if (view.from + shown < view.total) list.push(agendaAction(view.district, 'Next', view.from + shown));
    if (view.pupilsShown) list.push(candidatesAction(view.district));
    list.push(minutesAction(view.district), myActionsAction());
    return list;
  };
  const shown = fitRows(card, rows, actionsFor);
  body.push(...rows.slice(0, shown));
  if (view.pupilsShown && view.total > 0) {
    (pupilHead[0] as { text: string }).text = `**Pupils to review (${view.total})**${view.total > shown ? ` · ${view.from + 1}–${view.from + shown}` : ''}`;
  }
  card.actions = actionsFor(shown);
  return card;
}

function header(view: AgendaView): CardElement[] {
  const schoolNames = view.schools.map((s) => safe(s.name, 48));
  const shownSchools = schoolNames.slice(0, 8).join(', ') + (schoolNames.length > 8 ? ` and ${schoolNames.length - 8} more` : '');
  const leaders = view.invitees.filter((i) => i.role === 'school_leader');
  const others = view.invitees.filter((i) => i.role !== 'school_leader');
  const invited = [
    ...others.slice(0, 6).map((i) => `${safe(i.name, 40)} (${ROLE_WORDS[i.role] ?? i.role})`),
    ...(others.length > 6 ? [`${others.length - 6} more`] : []),
    ...(leaders.length ? [`${leaders.length} school leader${leaders.length === 1 ? '' : 's'}${leaders.length <= 4 ? `: ${leaders.map((l) => safe(l.name, 60)).join(', ')}` : ''}`] : []),
  ];
  return [
    text(`**Schools (${view.schools.length}):** ${shownSchools || 'none'}`, { size: 'small', spacing: 'small' }),
    text(`**Invited:** ${invited.join(' · ') || 'no one yet: add staff users for this district'}`, { size: 'small', spacing: 'none' }),
  ];
}

/**
 * A small table: one Column per column of figures, its rows as paragraphs of one TextBlock (a
 * TextBlock per cell would triple the card's size). Columns share line heights, so rows line up.
 */
function table(head: readonly string[], rows: readonly (readonly string[])[]): CardElement {
  const cols: Column[] = head.map((h, c) =>
    column(
      // A no-break space keeps an empty cell's line, so the rows stay aligned across columns.
      [text([h ? `**${h}**` : '\u00a0', ...rows.map((r) => r[c] || '\u00a0')].join('\n\n'), { size: 'small', horizontalAlignment: c === 0 ? 'left' : 'right' })],
      c === 0 ? 'stretch' : 'auto',
    ),
  );
  return columns(cols, { spacing: 'small' });
}

function figures(view: AgendaView): CardElement[] {
  const c = view.figures.cluster;
  const a = view.figures.authority;
  const e = view.figures.england;
  const row = (label: string, pick: (g: GroupMeasures) => number | null, england: number | null): string[] => [label, percent(pick(c)), percent(pick(a)), percent(england)];
  return [
    text('**Headline figures**', { spacing: 'medium' }),
    table(
      ['', safe(view.district, 30), 'Authority', 'England 23/24'],
      [
        row('Overall absence', (g) => g.absenceRate, e.absenceRate),
        row('Unauthorised absence', (g) => g.unauthorisedRate, e.unauthorisedRate),
        row('Persistent absence (10%+)', (g) => g.persistentRate, e.persistentRate),
        row('Severe absence (50%+)', (g) => g.severeRate, e.severeRate),
        ['Pupils', String(c.pupils), String(a.pupils), ''],
      ],
    ),
    subtle('Cluster and authority: this year to date. England: the full 2023/24 year (DfE). PA and severe are shares of pupils.'),
    ...outsideCompulsory(view.figures.outsideCompulsory),
  ];
}

/**
 * DfE publishes absence for Years 1 to 11 only, so the cluster's reception, nursery and sixth-form
 * pupils are left out of the table above and given their own line, never set beside England.
 */
function outsideCompulsory(g: GroupMeasures): CardElement[] {
  if (g.pupils === 0) return [];
  return [
    text(`Reception, nursery and sixth form (not in the England comparison): ${g.pupils} ${g.pupils === 1 ? 'pupil' : 'pupils'}, ${percent(g.persistentRate)} persistently absent`, {
      size: 'small',
      spacing: 'small',
    }),
  ];
}

function cohorts(view: AgendaView): CardElement[] {
  const rows = view.cohorts.map((c) => [
    c.label,
    String(c.measures.pupils),
    percent(c.measures.absenceRate) + (c.england?.absenceRate !== undefined ? ` (${percent(c.england.absenceRate)})` : ''),
    percent(c.measures.persistentRate) + (c.england?.persistentRate !== undefined ? ` (${percent(c.england.persistentRate)})` : ''),
    String(c.measures.severe),
  ]);
  return [
    text('**Cohorts**', { spacing: 'medium' }),
    table(['', 'Pupils', 'Absence', 'PA', 'Severe'], rows),
    subtle('In brackets: England, autumn 2023/24, where DfE publishes it.'),
  ];
}

function pupilHeading(view: AgendaView): CardElement[] {
  if (!view.pupilsShown) return [text('Your role sees cluster figures only, not individual pupils.', { spacing: 'medium', isSubtle: true })];
  const counts = view.counts;
  const parts = [
    ...(counts.nominated ? [`${counts.nominated} nominated`] : []),
    ...(counts.carried ? [`${counts.carried} with actions carried over`] : []),
    `${counts.need} of highest need`,
  ];
  const out: CardElement[] = [
    text(`**Pupils to review (${view.total})**`, { spacing: 'medium' }),
    subtle(
      `${parts.join(' · ')}, up to ${view.agendaSize}. Pool: ${counts.pool.toLocaleString('en-GB')} pupil${counts.pool === 1 ? '' : 's'} meet the criteria (${counts.poolSevere.toLocaleString('en-GB')} severely absent); ` +
        `**cluster ${safe(view.district, 40)} candidates** lists them by school or cohort, to nominate.`,
    ),
  ];
  if (view.access === 'schools') out.push(subtle('Only pupils of your school(s) are listed.'));
  if (view.pupils.length === 0) out.push(text('No pupil meets the agenda criteria.', { isSubtle: true }));
  return out;
}

/** Badges on a row, most important first, capped so a row stays small: the review card has the rest. */
export function rowBadges(p: AgendaPupil): string[] {
  const badges: string[] = [];
  if (p.nomination) badges.push(`Nominated by ${safe(p.nomination.byName, 40)}${p.nomination.reason ? `: ${safe(p.nomination.reason, 60)}` : ''}`);
  else if (p.reason === 'carried') badges.push('Action carried over');
  if (p.category !== 'nominated') badges.push(CATEGORY_WORDS[p.category]);
  if (p.openActions > 0 && p.nextDue) badges.push(`${p.openActions} action${p.openActions === 1 ? '' : 's'} ${p.overdue ? 'overdue' : 'due'} ${dayMonth(p.nextDue)}`);
  badges.push(...p.needs.map((n) => (n === 'Worsening' ? `Worsening ${points(p.trendPoints)}` : n)), ...p.notes);
  const out: string[] = [];
  let length = 0;
  for (const b of badges) {
    if (out.length > 0 && length + b.length > MAX_BADGE_CHARS) {
      out.push(`+${badges.length - out.length} more`);
      break;
    }
    out.push(b);
    length += b.length + 3;
  }
  return out;
}

const MAX_BADGE_CHARS = 110;

/** The first line of a pupil's row: who, year, school and attendance (the headline table shows absence). */
export function rowTitle(p: AgendaPupil): string {
  return `**${safe(p.label, 40)}** · ${ncYear(p.ncYear)} · ${safe(p.schoolName, 40)} · **attendance ${percent(p.attendanceRate)}**`;
}

function pupilRow(district: string, p: AgendaPupil): CardElement {
  return container(
    [
      text(rowTitle(p), { size: 'small' }),
      // Badges are our own words (categories, needs, code patterns) plus escaped staff names and reasons.
      // Coloured by severity: severe attention, persistent warning, the rest default.
      text(rowBadges(p).join(' · '), { size: 'small', spacing: 'none', isSubtle: p.band === 'none', color: severityColour(p.band) }),
    ],
    { separator: true, spacing: 'small', selectAction: reviewAction(district, p.pupilId) },
  );
}
