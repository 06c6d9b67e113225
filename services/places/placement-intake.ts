import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { ApiSenderRow } from '../store/tables/alerts';
import { addDays } from '../calendar/dates';
import type { Clock } from '../clock';
import { pupilIdsByUpn } from '../exclusions/exclusion-repository';
import { ROLL_GRACE_DAYS } from '../exclusions/exclusion-roll';
import { parseScope } from '../identity/scope';
import { schoolInScope } from '../identity/scope-query';
import type { Database } from '../store/database';
import { checkPlacementFields, checkPlacementFit, hubKey } from './placement-fields';
import { loadHubs, loadPlacementSpans, lockHub, savePlacement } from './places-repository';

/**
 * `POST /api/ap-placements`: a pupil's place at an alternative provision hub, from the authority's
 * placement system, with the same per-sender API keys as `POST /api/exclusions`. The natural key
 * (pupil, hub, start date) makes a retry harmless: the same placement again answers `unchanged`.
 * A sender may place pupils of the schools in its scope: on roll there around the start date, or
 * excluded from one of them. Field rules are the ap-placements file's (placement-fields.ts).
 */

const placementBodySchema = z
  .object({
    upn: z.string(),
    provider: z.string(),
    hub: z.string(),
    start_date: z.string(),
    end_date: z.string().nullable().optional(),
    place_kind: z.string(),
  })
  .strict();

export type PlacementIntakeResult =
  | { status: 201; body: { placement: 'created'; exclusion_placed: boolean } }
  | { status: 200; body: { placement: 'updated' | 'unchanged'; exclusion_placed: boolean } }
  | { status: 400; body: { error: string; errors: { field: string; message: string }[] } };

/** One answer for an unknown UPN and a pupil outside the key's scope: the API must not tell which UPNs exist. */
export const PUPIL_NOT_IN_SCOPE = 'no pupil with this UPN is on roll at (or excluded from) a school this API key may report for';

function invalid(errors: { field: string; message: string }[]): PlacementIntakeResult {
  return { status: 400, body: { error: 'the placement is not valid; nothing was recorded', errors } };
}

export async function receivePlacement(db: Kysely<Database>, clock: Clock, sender: ApiSenderRow, body: unknown): Promise<{ result: PlacementIntakeResult; pupilId?: number }> {
  const shape = placementBodySchema.safeParse(body);
  if (!shape.success) {
    return {
      result: invalid(
        shape.error.issues.map((issue) => ({
          field: issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || '(body)',
          message: issue.code === 'unrecognized_keys' ? 'is not a field of a placement' : issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message,
        })),
      ),
    };
  }
  const { record, problems } = checkPlacementFields(shape.data);
  if (!record) return { result: invalid(problems) };
  const hub = (await loadHubs(db)).find((h) => hubKey(h.provider, h.hub) === hubKey(record.provider, record.hub));
  if (!hub) return { result: invalid([{ field: 'hub', message: `no hub "${record.hub.slice(0, 40)}" of provider "${record.provider.slice(0, 40)}"` }]) };
  const pupilId = (await pupilIdsByUpn(db, [record.upn])).get(record.upn);
  if (pupilId === undefined || !(await senderMayPlace(db, sender, pupilId, record.start))) return { result: invalid([{ field: 'upn', message: PUPIL_NOT_IN_SCOPE }]) };

  const now = clock.now().toISOString();
  const outcome = await db.transaction().execute(async (trx) => {
    await lockHub(trx, hub.id);
    const pupil = await trx.selectFrom('pupil').select('nc_year').where('id', '=', pupilId).executeTakeFirstOrThrow();
    const others = (await loadPlacementSpans(trx, record.start)).filter((s) => !(s.pupilId === pupilId && s.hubId === hub.id && s.start === record.start));
    const misfit = checkPlacementFit(hub, pupil.nc_year, record, others);
    if (misfit) return misfit;
    return savePlacement(trx, { hubId: hub.id, pupilId, kind: record.kind, start: record.start, end: record.end, source: `api:${sender.name}` }, now);
  });
  if ('field' in outcome) return { result: invalid([outcome]) };
  const placed = outcome.exclusionId !== null;
  if (outcome.outcome === 'inserted') return { result: { status: 201, body: { placement: 'created', exclusion_placed: placed } }, pupilId };
  return { result: { status: 200, body: { placement: outcome.outcome, exclusion_placed: placed } }, pupilId };
}

/** On roll at a school in the sender's scope around the start date, or excluded from one of them before it. */
async function senderMayPlace(db: Kysely<Database>, sender: ApiSenderRow, pupilId: number, start: string): Promise<boolean> {
  const scope = parseScope(sender.scope);
  if (scope.county) return true;
  const graceFrom = addDays(start, -ROLL_GRACE_DAYS);
  const enrolled = await db
    .selectFrom('enrolment')
    .innerJoin('school', 'school.urn', 'enrolment.school_urn')
    .select('enrolment.id')
    .where('enrolment.pupil_id', '=', pupilId)
    .where('enrolment.start_date', '<=', start)
    .where((eb) => eb.or([eb('enrolment.end_date', 'is', null), eb('enrolment.end_date', '>=', graceFrom)]))
    .where(schoolInScope(scope))
    .executeTakeFirst();
  if (enrolled) return true;
  const excluded = await db
    .selectFrom('exclusion')
    .innerJoin('school', 'school.urn', 'exclusion.school_urn')
    .select(sql<number>`1`.as('one'))
    .where('exclusion.pupil_id', '=', pupilId)
    .where('exclusion.start_date', '<=', start)
    .where(schoolInScope(scope))
    .executeTakeFirst();
  return excluded !== undefined;
}
