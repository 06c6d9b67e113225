import { sql } from 'kysely';
import { ensureAttendanceSummaries, summaryWindow } from '../attendance/attendance-summary';
import { recordAccess } from '../audit/audit-log';
import { todayInLondon } from '../calendar/dates';
import type { Actor } from '../identity/actor';
import { mayListPupils, namesAllowed, type ClusterAccess } from './cluster-access';
import { agendaList, agendaSizeOf, openCluster, pupilDetails, rankedPool, poolQuery, type AgendaPupil, type PoolContext, type PoolFilters } from './cluster-agenda';
import { COHORTS, type CohortKey } from './cluster-figures';
import { nextMeeting, type MeetingRef, type SchoolRef } from './cluster-meetings';
import { problem, type ClusterDeps, type ClusterResult, type NameMode } from './cluster-service-types';

/**
 * The candidate pool behind a meeting's agenda (`cluster <district> candidates`): every pupil who
 * meets the agenda criteria, ranked as the agenda ranks them, paged, filterable by school and
 * cohort, each with whether they are already on the agenda, so the meeting's chair or a school can
 * nominate someone the size limit left off.
 */

export const CANDIDATES_PAGE_SIZE = 15;

export interface CandidatePupil extends AgendaPupil {
  onAgenda: boolean;
}

export interface CandidatesView {
  district: string;
  meeting: MeetingRef;
  access: ClusterAccess;
  nameMode: NameMode;
  schools: SchoolRef[];
  filters: { school?: SchoolRef; cohort?: { key: CohortKey; label: string } };
  pupils: CandidatePupil[];
  from: number;
  total: number;
}

export interface CandidatesRequest {
  district: string;
  from?: number;
  /** A URN or words of a school's name in the district. */
  school?: string;
  /** A cohort key or its words (e.g. "ehcp", "looked after"). */
  cohort?: string;
  view: 'shared' | 'own';
}

const COHORT_WORDS: Record<string, CohortKey> = {
  ehcp: 'ehcp',
  ehc: 'ehcp',
  'ehc plan': 'ehcp',
  sen: 'sen_support',
  'sen support': 'sen_support',
  sen_support: 'sen_support',
  fsm: 'fsm',
  'free school meals': 'fsm',
  'social worker': 'social_worker',
  social_worker: 'social_worker',
  sw: 'social_worker',
  cin: 'social_worker',
  cp: 'social_worker',
  'looked after': 'looked_after',
  looked_after: 'looked_after',
  lac: 'looked_after',
  cla: 'looked_after',
  'youth justice': 'youth_justice',
  youth_justice: 'youth_justice',
  yj: 'youth_justice',
};

function parseCohort(words: string): CohortKey | undefined {
  return COHORT_WORDS[words.trim().toLowerCase().replace(/\s+/g, ' ')];
}

/** A school of the district by URN or by (part of) its name; a problem message when none or several match. */
function matchSchool(schools: readonly SchoolRef[], words: string): { ok: true; school: SchoolRef } | { ok: false; message: string } {
  const wanted = words.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^\d{6}$/.test(wanted)) {
    const byUrn = schools.find((s) => s.urn === Number(wanted));
    if (byUrn) return { ok: true, school: byUrn };
  }
  const exact = schools.find((s) => s.name.toLowerCase() === wanted);
  if (exact) return { ok: true, school: exact };
  const found = schools.filter((s) => s.name.toLowerCase().includes(wanted));
  if (found.length === 1) return { ok: true, school: found[0]! };
  if (found.length === 0) return { ok: false, message: `No school of this district matches "${words.slice(0, 60)}". Try part of its name or its URN.` };
  return { ok: false, message: `"${words.slice(0, 60)}" matches ${found.length} schools: ${found.slice(0, 5).map((s) => s.name).join('; ')}${found.length > 5 ? '; …' : ''}. Say more of the name, or the URN.` };
}

export async function getClusterCandidates(deps: ClusterDeps, actor: Actor, request: CandidatesRequest): Promise<ClusterResult<CandidatesView>> {
  const opened = await openCluster(deps, actor, request.district);
  if (!opened.ok) return opened;
  if (!mayListPupils(actor.role)) return problem('not_in_scope', 'Your role sees cluster figures only, not individual pupils.');
  const { district, schools, access } = opened.view;
  const filters: PoolFilters = {};
  const shown: CandidatesView['filters'] = {};
  if (request.school?.trim()) {
    const match = matchSchool(schools, request.school);
    if (!match.ok) return problem('invalid', match.message);
    filters.schoolUrn = match.school.urn;
    shown.school = match.school;
  }
  if (request.cohort?.trim()) {
    const key = parseCohort(request.cohort);
    if (!key) return problem('invalid', `Cohort "${request.cohort.slice(0, 40)}" is not one I know. Cohorts: ${COHORTS.map((c) => c.key).join(', ')}.`);
    filters.cohort = key;
    shown.cohort = { key, label: COHORTS.find((c) => c.key === key)!.label };
  }

  const { db, calendar, clock } = deps;
  const today = todayInLondon(clock);
  const window = summaryWindow(calendar, today);
  await ensureAttendanceSummaries(db, calendar, today, clock.now().toISOString());
  const meeting = await nextMeeting(db, calendar, district.id, today);
  const nameMode: NameMode = namesAllowed(actor, request.view) ? 'names' : 'initials';
  const ctx: PoolContext = { deps, actor, district, urns: schools.map((s) => s.urn), academicYear: window.academicYear, today };

  let from = Math.max(0, Math.floor(Number.isFinite(request.from) ? request.from! : 0));
  const count = await poolQuery(ctx, filters).select(sql<number>`count(*)`.as('total')).executeTakeFirst();
  const total = Number(count?.total ?? 0);
  if (from >= total) from = 0;
  const keys = await rankedPool(ctx, filters).limit(CANDIDATES_PAGE_SIZE).offset(from).execute();
  const agenda = await agendaList(ctx, meeting.date, calendar.termOf(today)?.start ?? window.period.from, agendaSizeOf(deps));
  const onAgenda = new Map(agenda.keys.map((k) => [k.pupil_id, k.reason]));
  const rows = await pupilDetails(
    ctx,
    keys.map((k) => ({ ...k, reason: onAgenda.get(k.pupil_id) })),
    nameMode,
    meeting.date,
    agenda.meetingId,
  );
  const pupils: CandidatePupil[] = rows.map((p) => ({ ...p, onAgenda: onAgenda.has(p.pupilId) }));
  if (pupils.length) {
    await recordAccess(db, clock, {
      actor,
      action: nameMode === 'names' ? 'pupil.list' : 'pupil.list.minimised',
      command: 'cluster candidates',
      pupilIds: pupils.map((p) => p.pupilId),
    });
  }
  return { ok: true, view: { district: district.name, meeting, access, nameMode, schools, filters: shown, pupils, from, total } };
}
