import { sql, type Kysely } from 'kysely';
import { recordAccess } from '../audit/audit-log';
import { todayInLondon } from '../calendar/dates';
import type { SchoolCalendar } from '../calendar/school-calendar';
import type { Clock } from '../clock';
import { nthSchoolDay } from '../exclusions/suspension-totals';
import { mayShowNames, type Actor } from '../identity/actor';
import { mayReadPupils } from '../identity/role-policy';
import { describeScope } from '../identity/scope';
import { pupilInScope, schoolInScope } from '../identity/scope-query';
import '../alerts/alert-schema';
import type { Database, Role } from '../store/database';
import { freePlacesOn, type FreeCount } from './free-places';
import { loadHubs, loadPlacementSpans } from './places-repository';
import type { ApPhase, PlaceKind } from './places-schema';

/**
 * `places`: the authority's view of its alternative provision: occupancy per hub in the viewer's
 * area, who is due to leave a place soon, and the permanently excluded pupils still without a
 * place on or after their sixth school day. LA roles only; administrators see the figures, never a
 * pupil (role-policy.ts, feature `places`). Pupils are named only when they are in the viewer's
 * scope (on roll at, or excluded from, one of its schools), in full only in a personal chat; each
 * pupil listed is audited.
 */

export const PLACES_ROLES: readonly Role[] = ['la_manager', 'attendance_officer', 'admin'];
export const PLACES_REFUSAL = 'The places overview is for the local authority’s teams (LA managers, attendance officers and administrators).';
/** "Due to leave": the last day in the place falls within this many school days from today. */
export const LEAVING_WITHIN_SCHOOL_DAYS = 10;
/** Lists on the card stop here ("and N more"), to keep it within Teams' size limit. */
export const LIST_LIMIT = 20;
const DAY_SIX = 6;

export interface HubOccupancy {
  hub: string;
  provider: string;
  district: string;
  phase: ApPhase;
  commissioned: number;
  transient: number;
  free: FreeCount;
  contact: string | null;
}

export interface LeavingPupil {
  /** Full name, initials, or "A pupil from outside your area". */
  label: string;
  hub: string;
  kind: PlaceKind;
  lastDay: string;
}

export interface WaitingPupil {
  label: string;
  schoolName: string;
  exclusionStart: string;
  daySix: string;
  /** School days since day 6 (0: day 6 is today). */
  schoolDaysPast: number;
}

export interface PlacesOverview {
  today: string;
  area: string;
  hubs: HubOccupancy[];
  /** Null for figures-only roles: counts only. */
  leaving: LeavingPupil[] | null;
  leavingCount: number;
  waiting: WaitingPupil[] | null;
  waitingCount: number;
  leavingUntil: string;
  minimised: boolean;
}

export type PlacesResult = { ok: true; view: PlacesOverview } | { ok: false; message: string };

export interface PlacesContext {
  db: Kysely<Database>;
  clock: Clock;
  calendar: SchoolCalendar;
}

function initials(forename: string, surname: string): string {
  return `${forename.trim()[0] ?? '?'}${surname.trim()[0] ?? '?'}`.toUpperCase();
}

export async function placesOverview(ctx: PlacesContext, actor: Actor): Promise<PlacesResult> {
  if (!PLACES_ROLES.includes(actor.role)) return { ok: false, message: PLACES_REFUSAL };
  const today = todayInLondon(ctx.clock);
  const withPupils = mayReadPupils(actor.role, 'places');
  const showNames = mayShowNames(actor);

  // Hubs in the viewer's area: the districts of their scope (a school scope: those schools' districts).
  const areaDistricts = new Set(
    (await ctx.db.selectFrom('school').innerJoin('district', 'district.id', 'school.district_id').select('district.id').where(schoolInScope(actor.scope)).execute()).map((d) => d.id),
  );
  if (actor.scope.districts.length > 0) {
    for (const d of await ctx.db.selectFrom('district').select('id').where('name', 'in', actor.scope.districts).execute()) areaDistricts.add(d.id);
  }
  const hubs = (await loadHubs(ctx.db)).filter((h) => actor.scope.county || areaDistricts.has(h.districtId));
  const spans = await loadPlacementSpans(ctx.db, today);
  const free = freePlacesOn(hubs, spans, today);
  let leavingUntil = today;
  try {
    leavingUntil = ctx.calendar.addSchoolDays(today, LEAVING_WITHIN_SCHOOL_DAYS);
  } catch {
    leavingUntil = today;
  }

  // Due to leave: placements at these hubs whose last day is from today to the horizon.
  const hubIds = hubs.map((h) => h.id);
  const leavingRows =
    hubIds.length === 0
      ? []
      : await ctx.db
          .selectFrom('ap_placement as ap')
          .innerJoin('ap_hub as h', 'h.id', 'ap.hub_id')
          .innerJoin('pupil', 'pupil.id', 'ap.pupil_id')
          .select(['ap.pupil_id', 'ap.place_kind', 'ap.end_date', 'h.hub'])
          .select(sql<number>`case when ${pupilInScope(actor.scope, today, 'pupil')} then 1 else 0 end`.as('in_scope'))
          .where('ap.hub_id', 'in', hubIds)
          .where('ap.end_date', '>=', today)
          .where('ap.end_date', '<=', leavingUntil)
          .orderBy('ap.end_date')
          .orderBy('ap.id')
          .execute();

  // Waiting: permanent exclusions from the viewer's schools this year, not withdrawn, cancelled or
  // reinstated, with no full-time place recorded from on or before today.
  const since = ctx.calendar.academicYearStart(today);
  const pex = await ctx.db
    .selectFrom('exclusion')
    .innerJoin('school', 'school.urn', 'exclusion.school_urn')
    .leftJoin('exclusion_placement as ep', 'ep.exclusion_id', 'exclusion.id')
    .select(['exclusion.id', 'exclusion.pupil_id', 'exclusion.school_urn', 'exclusion.start_date', 'school.name as school_name', 'ep.placed_on'])
    .where('exclusion.category', '=', 'PERM')
    .where('exclusion.outcome', 'is', null)
    .where('exclusion.start_date', '>=', since)
    .where('exclusion.start_date', '<=', today)
    .where(schoolInScope(actor.scope))
    .execute();
  const waitingRows: { pupilId: number; schoolName: string; start: string; daySix: string; past: number }[] = [];
  for (const e of pex) {
    if (e.placed_on !== null && e.placed_on <= today) continue;
    let daySix: string;
    try {
      daySix = nthSchoolDay({ start_date: e.start_date, school_urn: e.school_urn }, DAY_SIX, ctx.calendar);
    } catch {
      continue;
    }
    if (daySix > today) continue;
    waitingRows.push({ pupilId: e.pupil_id, schoolName: e.school_name, start: e.start_date, daySix, past: ctx.calendar.schoolDaysBetween(daySix, today, e.school_urn) });
  }
  waitingRows.sort((a, b) => b.past - a.past || a.daySix.localeCompare(b.daySix));

  const view: PlacesOverview = {
    today,
    area: describeScope(actor.scope),
    hubs: hubs.map((h) => ({ hub: h.hub, provider: h.provider, district: h.districtName, phase: h.phase, commissioned: h.commissioned, transient: h.transient, free: free.get(h.id)!, contact: h.contact })),
    leaving: null,
    leavingCount: leavingRows.length,
    waiting: null,
    waitingCount: waitingRows.length,
    leavingUntil,
    minimised: !showNames,
  };
  if (!withPupils) return { ok: true, view };

  // Decided before any pupil row is read: only pupils in scope are looked up (and audited).
  const leavingShown = leavingRows.slice(0, LIST_LIMIT);
  const waitingShown = waitingRows.slice(0, LIST_LIMIT);
  const named = [...new Set([...leavingShown.filter((r) => Number(r.in_scope) === 1).map((r) => r.pupil_id), ...waitingShown.map((r) => r.pupilId)])];
  const people = new Map(
    named.length === 0
      ? []
      : (await ctx.db.selectFrom('pupil').select(['id', 'legal_forename', 'legal_surname', 'preferred_forename']).where('id', 'in', named).execute()).map((p) => {
          const forename = p.preferred_forename ?? p.legal_forename;
          return [p.id, showNames ? `${forename} ${p.legal_surname}` : initials(forename, p.legal_surname)] as const;
        }),
  );
  view.leaving = leavingShown.map((r) => ({ label: (Number(r.in_scope) === 1 && people.get(r.pupil_id)) || 'A pupil from outside your area', hub: r.hub, kind: r.place_kind, lastDay: r.end_date! }));
  view.waiting = waitingShown.map((r) => ({ label: people.get(r.pupilId) ?? 'A pupil', schoolName: r.schoolName, exclusionStart: r.start, daySix: r.daySix, schoolDaysPast: r.past }));
  await recordAccess(ctx.db, ctx.clock, { actor, action: 'pupil.list', command: 'places', pupilIds: named });
  return { ok: true, view };
}
