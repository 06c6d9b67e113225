import type { NameMode } from '../services/cluster/cluster-service-types';
import { CARD_SIZE_LIMIT_BYTES, cardSizeBytes, escapeMarkdown, subtle, type ActionExecute, type AdaptiveCard, type CardAction, type CardElement, type CardRefresh } from './adaptive-card';
import { VERBS, type Verb } from './verbs';

/** Pieces shared by the attendance cluster cards. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** '2026-12-09' -> 'Wed 9 Dec 2026' (fixed English words: cards must not depend on the server's locale). */
export function longDate(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** '2026-12-09' -> '9 Dec'. */
export function shortDate(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

export function percent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  return `${(rate * 100).toFixed(digits)}%`;
}

/** Signed percentage points: −42.9 pts / +3.0 pts. */
export function points(value: number | null): string {
  if (value === null) return 'trend unknown';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${Math.abs(value).toFixed(1)} pts`;
}

/**
 * Shortens text to at most `max` characters at a word boundary, with an ellipsis, so a school's
 * name never ends mid-word; a single word longer than half the room is cut where it must be.
 */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const room = value.slice(0, max - 1);
  const space = room.lastIndexOf(' ');
  // When the cut falls on a space, `room` already ends with a whole word.
  const base = value[max - 1] === ' ' ? room : space >= Math.floor(max / 2) ? room.slice(0, space) : room;
  return `${base.replace(/[\s,;:.\-–(&]+$/u, '')}…`;
}

/** Data-derived text (names, school names, free text) must not become links or formatting. */
export function safe(value: string, max = 200): string {
  return escapeMarkdown(clip(value, max));
}

/**
 * What changed over the last six school weeks, said so it cannot mislead: a severely absent pupil
 * whose attendance rose is not "improving" but "+16.0 pts on the 6 weeks before, still severe".
 */
export function trendWords(band: 'none' | 'persistent' | 'severe', trend: 'worsening' | 'improving' | 'steady' | 'unknown', change: number | null): string {
  if (trend === 'unknown' || change === null) return 'not enough weeks yet to compare';
  const what = `${points(change)} on the 6 weeks before`;
  if (trend === 'worsening') return `${what}: worsening${band === 'severe' ? ', severe' : band === 'persistent' ? ', persistently absent' : ''}`;
  if (band === 'severe') return `${what}, still severe`;
  if (band === 'persistent') return `${what}, still persistently absent`;
  return `${what}: ${trend}`;
}

/** Text colour by how serious the absence is: severe attention, persistent warning, others default. */
export function severityColour(band: 'none' | 'persistent' | 'severe'): 'attention' | 'warning' | 'default' {
  return band === 'severe' ? 'attention' : band === 'persistent' ? 'warning' : 'default';
}

export function ncYear(year: number): string {
  if (year === 0) return 'Reception';
  if (year < 0) return `N${year + 3}`;
  return `Y${year}`;
}

/** The line shown on shared cards, so readers know why they see initials. */
export function minimisedNote(nameMode: NameMode): CardElement[] {
  if (nameMode === 'names') return [];
  return [subtle('Initials only here. Colleagues whose role and scope allow it see names on their own view of this card.')];
}

/**
 * A Universal Actions refresh: Teams asks the bot for each listed user's own view of the card
 * when it is shown (at most 60 users; see services/cluster/cluster-access.ts).
 */
export function refreshFor(verb: Verb, data: Record<string, unknown>, userIds: readonly string[] | undefined): CardRefresh | undefined {
  if (!userIds) return undefined;
  return { action: { type: 'Action.Execute', title: 'Refresh', verb, data }, userIds: [...userIds].slice(0, 60) };
}

export function agendaAction(district: string, title = 'Agenda', from?: number): ActionExecute {
  return { type: 'Action.Execute', title, verb: VERBS.clusterAgenda, data: from && from > 0 ? { district, from } : { district }, associatedInputs: 'none' };
}

export function reviewAction(district: string, pupilId: number, title = 'Review'): ActionExecute {
  return { type: 'Action.Execute', title, verb: VERBS.clusterReview, data: { district, pupilId } };
}

export interface CandidateFilters {
  school?: string;
  cohort?: string;
}

export function candidatesAction(district: string, title = 'Candidates', from?: number, filters: CandidateFilters = {}): ActionExecute {
  const data: Record<string, unknown> = { district, ...filters };
  if (from && from > 0) data.from = from;
  return { type: 'Action.Execute', title, verb: VERBS.clusterCandidates, data, associatedInputs: 'none' };
}

/** Nominate a pupil for the next meeting; `back` says which card to answer with. */
export function nominateAction(district: string, pupilId: number, back: { card: 'candidates'; from: number; filters: CandidateFilters } | { card: 'review' }, title = 'Nominate'): ActionExecute {
  const data: Record<string, unknown> = { district, pupilId, back: back.card };
  if (back.card === 'candidates') Object.assign(data, back.filters, back.from > 0 ? { from: back.from } : {});
  return { type: 'Action.Execute', title, verb: VERBS.clusterNominate, data, associatedInputs: back.card === 'review' ? 'auto' : 'none' };
}

export function minutesAction(district: string, title = 'Minutes', from?: number): ActionExecute {
  return { type: 'Action.Execute', title, verb: VERBS.clusterMinutes, data: from && from > 0 ? { district, from } : { district }, associatedInputs: 'none' };
}

export function myActionsAction(title = 'My actions'): ActionExecute {
  return { type: 'Action.Execute', title, verb: VERBS.myActions, data: {}, associatedInputs: 'none' };
}

export const ROLE_WORDS: Record<string, string> = {
  attendance_officer: 'attendance officer',
  cluster_member: 'cluster member',
  school_leader: 'school leader',
  la_manager: 'LA manager',
  admin: 'administrator',
};

/** Room kept free under the 28 KB limit for what Teams adds around the card. */
const SIZE_MARGIN_BYTES = 1024;

/**
 * How many of `rows` (appended to the body) keep the card under the size limit, with the actions
 * it would then carry. At least one row is always shown; when even one does not fit, the refresh
 * list is shortened from the end (the requester is first in it and keeps their refresh).
 */
export function fitRows(card: AdaptiveCard, rows: readonly CardElement[], actionsFor: (shown: number) => CardAction[]): number {
  const limit = CARD_SIZE_LIMIT_BYTES - SIZE_MARGIN_BYTES;
  const sizeWith = (shown: number) => cardSizeBytes({ ...card, body: [...card.body, ...rows.slice(0, shown)], actions: actionsFor(shown) });
  let shown = rows.length;
  // Row sizes are similar: estimate, then step to the exact answer.
  while (shown > 1 && sizeWith(shown) > limit) shown--;
  if (shown >= 1) while (card.refresh?.userIds && card.refresh.userIds.length > 1 && sizeWith(shown) > limit) card.refresh.userIds.pop();
  return Math.min(shown, rows.length);
}

/** Shortens the refresh list until the card fits (the requester comes first and keeps theirs). */
export function fitRefresh(card: AdaptiveCard): AdaptiveCard {
  const limit = CARD_SIZE_LIMIT_BYTES - SIZE_MARGIN_BYTES;
  while (card.refresh?.userIds && card.refresh.userIds.length > 1 && cardSizeBytes(card) > limit) card.refresh.userIds.pop();
  return card;
}
