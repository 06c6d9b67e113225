import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../store/database';
import type { Scope } from './scope';

/**
 * SQL condition "this school is inside the scope", for queries that join `school`. Scope is
 * enforced here, in the query, so nothing outside it is ever read.
 */
export function schoolInScope(scope: Scope, schoolAlias = 'school'): Expression<SqlBool> {
  if (scope.county) return sql<SqlBool>`1 = 1`;
  const parts = [];
  if (scope.schoolUrns.length > 0) {
    parts.push(sql`${sql.ref(`${schoolAlias}.urn`)} in (${sql.join(scope.schoolUrns)})`);
  }
  if (scope.districts.length > 0) {
    parts.push(
      sql`${sql.ref(`${schoolAlias}.district_id`)} in (select d.id from district d where d.name in (${sql.join(scope.districts)}))`,
    );
  }
  if (parts.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/** URNs of the schools inside a scope. */
export async function schoolUrnsInScope(db: Kysely<Database>, scope: Scope): Promise<number[]> {
  const rows = await db.selectFrom('school').select('school.urn').where(schoolInScope(scope)).orderBy('school.urn').execute();
  return rows.map((r) => r.urn);
}

/**
 * SQL condition "this pupil is currently on roll at a school inside the scope" (on `asOf`), for
 * queries over `pupil`.
 */
export function pupilInScope(scope: Scope, asOf: string, pupilAlias = 'pupil'): Expression<SqlBool> {
  if (scope.county) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`exists (
    select 1 from enrolment e join school on school.urn = e.school_urn
    where e.pupil_id = ${sql.ref(`${pupilAlias}.id`)}
      and e.start_date <= ${asOf} and (e.end_date is null or e.end_date >= ${asOf})
      and ${schoolInScope(scope, 'school')})`;
}
