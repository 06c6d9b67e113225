import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ApiSenderRow } from '../store/tables/alerts';
import { todayInLondon } from '../calendar/dates';
import type { Clock } from '../clock';
import { schoolUrnsInScope } from '../identity/scope-query';
import { parseScope } from '../identity/scope';
import type { Database } from '../store/database';
import { checkExclusion, type ExclusionRecord, type FieldProblem } from './exclusion-fields';
import { pupilIdsByUpn, queuePupilsForRules, saveExclusions } from './exclusion-repository';
import { pupilOnRollForExclusion, ROLL_GRACE_DAYS } from './exclusion-roll';

/**
 * `POST /api/exclusions`: the authority's notification form or a school MIS reports one exclusion.
 * Each sender has its own API key (stored hashed) and a scope of schools it may report for. An
 * Idempotency-Key makes a retried request return the first answer instead of writing twice.
 */

const API_KEY_PREFIX = 'iak_';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Creates a sender and returns its key: shown once, stored only as a hash. */
export async function createApiSender(db: Kysely<Database>, name: string, scope: string, clock: Clock): Promise<{ id: number; key: string }> {
  parseScope(scope); // refuse a scope that would not parse later
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await db
    .insertInto('api_sender')
    .values({ name, key_hash: sha256(key), scope, created_at: clock.now().toISOString(), revoked_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, key };
}

export async function revokeApiSender(db: Kysely<Database>, name: string, clock: Clock): Promise<boolean> {
  const result = await db.updateTable('api_sender').set({ revoked_at: clock.now().toISOString() }).where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The live sender holding this key, if any. */
export async function authenticateApiSender(db: Kysely<Database>, key: string | undefined): Promise<ApiSenderRow | undefined> {
  if (!key || !key.startsWith(API_KEY_PREFIX) || key.length > 200) return undefined;
  return db.selectFrom('api_sender').selectAll().where('key_hash', '=', sha256(key)).where('revoked_at', 'is', null).executeTakeFirst();
}

const looseText = z.union([z.string(), z.number()]).nullable().optional();

/** The request body: shape only; the field rules are shared with the CSV importer. */
const intakeBodySchema = z
  .object({
    school_urn: z.union([z.string(), z.number()]),
    upn: z.string(),
    category: z.string(),
    start_date: z.string(),
    sessions: looseText,
    reasons: z.union([z.string(), z.array(z.string()).max(10)]),
    notified_date: z.string().nullable().optional(),
    missed_public_exam: z.union([z.boolean(), z.string()]).nullable().optional(),
    // Casework (issue 9): field rules in services/exclusions/casework-fields.ts.
    decision_date: z.string().nullable().optional(),
    exam_date: z.string().nullable().optional(),
    start_session: z.string().nullable().optional(),
    outcome: z.string().nullable().optional(),
    outcome_date: z.string().nullable().optional(),
    outcome_by: z.string().nullable().optional(),
  })
  .strict();

const idempotencyKeySchema = z
  .string({ required_error: 'is required (a unique value per exclusion report, e.g. a UUID)' })
  .min(8, 'must be 8 to 128 characters')
  .max(128, 'must be 8 to 128 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export type IntakeResult =
  | { status: 201; body: { exclusion_id: number; outcome: 'created' } }
  | { status: 200; body: { exclusion_id: number; outcome: 'updated' | 'unchanged' | 'replayed' } }
  | { status: 400; body: { error: string; errors: { field: string; message: string }[] } }
  | { status: 403; body: { error: string } }
  | { status: 409; body: { error: string } };

export interface IntakeRequest {
  sender: ApiSenderRow;
  idempotencyKey: string | undefined;
  body: unknown;
}

/** The refusal for a pupil the school may not report (see exclusion-roll.ts): the URN is the sender's own input. */
function notOnRollMessage(urn: number): string {
  return `no pupil with this UPN is on roll at school ${urn} on the start date (or left it at most ${ROLL_GRACE_DAYS} days before)`;
}

function invalid(errors: { field: string; message: string }[]): IntakeResult {
  return { status: 400, body: { error: 'the exclusion report is not valid; nothing was recorded', errors } };
}

/** Validates, checks scope and idempotency, and records the exclusion in one transaction. */
export async function receiveExclusion(db: Kysely<Database>, clock: Clock, request: IntakeRequest): Promise<{ result: IntakeResult; pupilId?: number }> {
  const key = idempotencyKeySchema.safeParse(request.idempotencyKey);
  const shape = intakeBodySchema.safeParse(request.body);
  const errors: { field: string; message: string }[] = [];
  if (!key.success) errors.push({ field: 'Idempotency-Key', message: key.error.issues[0]!.message });
  if (!shape.success) {
    for (const issue of shape.error.issues) {
      const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || '(body)';
      const message = issue.code === 'unrecognized_keys' ? 'is not a field of an exclusion report' : issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
      errors.push({ field, message });
    }
    return { result: invalid(errors) };
  }
  const today = todayInLondon(clock);
  const schools = new Set((await db.selectFrom('school').select('urn').execute()).map((s) => s.urn));
  const exam = shape.data.missed_public_exam;
  const { record, problems } = checkExclusion(
    { ...shape.data, missed_public_exam: typeof exam === 'boolean' ? (exam ? 'Y' : 'N') : exam },
    { today, knownSchool: (urn) => schools.has(urn) },
  );
  errors.push(...problems.map((p: FieldProblem) => ({ field: p.field, message: p.message })));
  if (!record || errors.length > 0) return { result: invalid(errors) };

  const allowed = await schoolUrnsInScope(db, parseScope(request.sender.scope));
  if (!allowed.includes(record.school_urn)) return { result: { status: 403, body: { error: `this API key may not report exclusions for school ${record.school_urn}` } } };

  const hash = sha256(canonical(record));
  const idempotencyKey = key.data!;
  const replay = async (): Promise<IntakeResult | undefined> => {
    const previous = await db
      .selectFrom('exclusion_intake')
      .select(['request_hash', 'exclusion_id'])
      .where('sender_id', '=', request.sender.id)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    if (!previous) return undefined;
    if (previous.request_hash !== hash) return { status: 409, body: { error: 'this Idempotency-Key was already used for a different exclusion report' } };
    return { status: 200, body: { exclusion_id: previous.exclusion_id, outcome: 'replayed' } };
  };
  const earlier = await replay();
  if (earlier) return { result: earlier };

  // One answer whether the UPN is unknown, belongs to a pupil at another school or one outside the
  // key's scope: anything else would tell a sender which UPNs exist in the county.
  const pupilId = (await pupilIdsByUpn(db, [record.upn])).get(record.upn);
  if (pupilId === undefined || !(await pupilOnRollForExclusion(db, pupilId, record.school_urn, record.start_date))) {
    return { result: invalid([{ field: 'upn', message: notOnRollMessage(record.school_urn) }]) };
  }

  const now = clock.now().toISOString();
  try {
    const result = await db.transaction().execute(async (trx) => {
      const [saved] = await saveExclusions(trx, [{ ...record, pupil_id: pupilId }], `api:${request.sender.name}`, now);
      await trx
        .insertInto('exclusion_intake')
        .values({ sender_id: request.sender.id, idempotency_key: idempotencyKey, request_hash: hash, exclusion_id: saved!.id, created_at: now })
        .execute();
      if (saved!.outcome !== 'unchanged') await queuePupilsForRules(trx, [pupilId], now);
      return saved!;
    });
    if (result.outcome === 'inserted') return { result: { status: 201, body: { exclusion_id: result.id, outcome: 'created' } }, pupilId };
    return { result: { status: 200, body: { exclusion_id: result.id, outcome: result.outcome } }, pupilId };
  } catch (error) {
    // The same key sent twice at once: the loser's insert breaks the key's uniqueness. Answer as a retry.
    const again = await replay();
    if (again) return { result: again };
    throw error;
  }
}

/** Key order fixed, so the same report always hashes the same. */
function canonical(record: ExclusionRecord): string {
  const keys = Object.keys(record).sort() as (keyof ExclusionRecord)[];
  return JSON.stringify(keys.map((k) => [k, record[k]]));
}
