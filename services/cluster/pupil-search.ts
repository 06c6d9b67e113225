import { sql } from 'kysely';
import { z } from 'zod';
import { recordAccess } from '../audit/audit-log';
import { todayInLondon } from '../calendar/dates';
import type { Actor } from '../identity/actor';
import { schoolInScope } from '../identity/scope-query';
import { pupilLabelSql } from './agenda-rules';
import { mayListPupils, namesAllowed } from './cluster-access';
import { problem, type ClusterDeps, type ClusterResult, type NameMode } from './cluster-service-types';

/**
 * `pupil <name or UPN>`: finds pupils the actor may see (on roll today at a school in their scope:
 * an LA manager the county, an attendance officer or cluster member their district, a school
 * leader their school; administrators see no pupils), to open one's review card. The search words
 * are children's data: they are never logged, echoed in a message or written to the audit trail,
 * which records only the ids of the pupils found.
 */

export const PUPIL_SEARCH_LIMIT = 8;

export interface PupilMatch {
  pupilId: number;
  label: string;
  ncYear: number;
  schoolUrn: number;
  schoolName: string;
  district: string;
}

export interface PupilSearchView {
  matches: PupilMatch[];
  /** More pupils matched than are listed: the user should say more. */
  more: boolean;
  nameMode: NameMode;
}

/** A UPN: a check letter, 11 digits and a final digit or letter (DfE Common Basic Data Set). */
const UPN = /^[A-Z]\d{11}[A-Z0-9]$/;

const pupilQuerySchema = z
  .string({ required_error: 'give a name or UPN' })
  .trim()
  .min(2, 'give at least two letters of a name, or a UPN')
  .max(80, 'must be at most 80 characters');

/** Name words: letters (any alphabet), hyphens and apostrophes; at most four words are used. */
export function nameTokens(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}'-]/gu, ''))
    .filter((w) => w.length > 0)
    .slice(0, 4);
}

export async function findPupils(deps: ClusterDeps, actor: Actor, request: { query: string; view: 'shared' | 'own' }): Promise<ClusterResult<PupilSearchView>> {
  if (!mayListPupils(actor.role)) return problem('not_in_scope', 'Your role sees figures only, not individual pupils.');
  const parsed = pupilQuerySchema.safeParse(request.query);
  if (!parsed.success) return problem('invalid', `Name or UPN: ${parsed.error.issues[0]!.message}.`);
  const query = parsed.data;
  const today = todayInLondon(deps.clock);
  const nameMode: NameMode = namesAllowed(actor, request.view) ? 'names' : 'initials';

  let q = deps.db
    .selectFrom('pupil as p')
    .innerJoin('enrolment as e', 'e.pupil_id', 'p.id')
    .innerJoin('school', 'school.urn', 'e.school_urn')
    .innerJoin('district as d', 'd.id', 'school.district_id')
    .where(schoolInScope(actor.scope, 'school'))
    .where('e.start_date', '<=', today)
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', today)]));
  const upn = query.toUpperCase().replace(/\s+/g, '');
  if (UPN.test(upn)) {
    q = q.where('p.upn', '=', upn);
  } else {
    const tokens = nameTokens(query);
    if (tokens.length === 0) return problem('invalid', 'Name or UPN: give a name (letters) or a 13-character UPN.');
    // Tokens hold only letters, hyphens and apostrophes, so no LIKE wildcard can come from the user.
    const conditions = tokens.map((t) => {
      const prefix = `${t}%`;
      return sql<boolean>`(lower(n.legal_surname) like ${prefix} or lower(n.legal_forename) like ${prefix} or lower(coalesce(n.preferred_forename, '')) like ${prefix})`;
    });
    // As a subquery, so the engine reads the pupils once and looks up enrolments only for matches
    // (joined directly, SQLite walks every enrolment and fetches each pupil: about a quarter slower).
    q = q.where(sql<boolean>`p.id in (select n.id from pupil n where ${sql.join(conditions, sql` and `)})`);
  }
  const rows = await q
    .select(['p.id', pupilLabelSql(nameMode).as('label'), 'p.nc_year', 'e.school_urn', 'school.name as school_name', 'd.name as district'])
    .orderBy('p.legal_surname')
    .orderBy('p.legal_forename')
    .orderBy('p.id')
    // A dual-registered pupil: the main or single registration first.
    .orderBy(sql`case when e.registration = 'S' then 1 else 0 end`)
    .limit(3 * PUPIL_SEARCH_LIMIT)
    .execute();
  const seen = new Set<number>();
  const matches: PupilMatch[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    matches.push({ pupilId: r.id, label: r.label, ncYear: r.nc_year, schoolUrn: r.school_urn, schoolName: r.school_name, district: r.district });
  }
  const listed = matches.slice(0, PUPIL_SEARCH_LIMIT);
  await recordAccess(deps.db, deps.clock, {
    actor,
    action: nameMode === 'names' ? 'pupil.search' : 'pupil.search.minimised',
    command: 'pupil',
    pupilIds: listed.map((m) => m.pupilId),
  });
  return { ok: true, view: { matches: listed, more: matches.length > PUPIL_SEARCH_LIMIT, nameMode } };
}
