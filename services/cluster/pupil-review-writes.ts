import type { Actor } from '../identity/actor';
import { recordAccess } from '../audit/audit-log';
import { schoolInScope } from '../identity/scope-query';
import { mayListPupils } from './cluster-access';
import { openCluster } from './cluster-agenda';
import { ensureMeeting } from './cluster-meetings';
import { problem, type ClusterDeps, type ClusterResult } from './cluster-service-types';
import { buildReview, PUPIL_NOT_FOUND, type ReviewView } from './pupil-review';
import { actionUpdateSchema, checkReview, REVIEW_FIELD_LABELS, reviewFormSchema, type ReviewForm } from './pupil-review-form';

/** Recording a cluster review (barriers, outcome, an agreed action) and closing an action, audited. */

export interface SaveResult {
  view: ReviewView;
  /** Set when the form had problems: field -> message; nothing was saved. */
  errors?: Record<string, string>;
  /** The submitted values, to put back in the form after an error. */
  form?: ReviewForm;
  saved: boolean;
}

export async function saveReview(deps: ClusterDeps, actor: Actor, data: unknown, viewKind: 'shared' | 'own'): Promise<ClusterResult<SaveResult>> {
  const parsed = reviewFormSchema.safeParse(data);
  let formErrors: Record<string, string> | undefined;
  let form: ReviewForm;
  if (parsed.success) form = parsed.data;
  else {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'form');
      fields[key] ??= issue.message;
    }
    const first = Object.entries(fields)[0]!;
    // Without the district or pupil (the card's own data) there is no form to show again.
    if (fields.district || fields.pupilId || fields.form) return problem('invalid', `${REVIEW_FIELD_LABELS[first[0]] ?? first[0]}: ${first[1]}`, fields);
    // A typed field is wrong: the same card comes back with the problem beside it and the text kept.
    formErrors = fields;
    const raw = data as Record<string, unknown>;
    const typed = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : '');
    form = {
      district: String(raw.district),
      pupilId: Number(raw.pupilId),
      barriers: typed('barriers'),
      leadPractitioner: typed('leadPractitioner'),
      outcome: typed('outcome'),
      actionWhat: typed('actionWhat'),
      actionOwner: typed('actionOwner'),
      actionDue: typed('actionDue'),
    };
  }
  const opened = await openCluster(deps, actor, form.district);
  if (!opened.ok) return opened;
  if (!mayListPupils(actor.role)) return problem('not_in_scope', 'Your role sees cluster figures only, not individual pupils.');
  const district = opened.view.district;
  const before = await buildReview(deps, actor, district, form.pupilId, viewKind);
  if (!before) return problem('not_found', PUPIL_NOT_FOUND);

  if (formErrors) return { ok: true, view: { view: before, errors: formErrors, form, saved: false } };
  const result = checkReview(form, before.owners, before.today);
  if (!result.ok) return { ok: true, view: { view: before, errors: result.errors, form, saved: false } };
  const checked = result.review;

  const now = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (trx) => {
    const meetingId = await ensureMeeting(trx, district.id, before.meeting.date, actor.user.id, now);
    const existing = await trx.selectFrom('pupil_review').selectAll().where('meeting_id', '=', meetingId).where('pupil_id', '=', before.pupilId).executeTakeFirst();
    if (existing) {
      await trx
        .updateTable('pupil_review')
        .set({
          barriers: checked.barriers || existing.barriers,
          outcome: checked.outcome || existing.outcome,
          lead_practitioner: checked.leadPractitioner || existing.lead_practitioner,
          recorded_by: actor.user.id,
          recorded_at: now,
        })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await trx
        .insertInto('pupil_review')
        .values({
          meeting_id: meetingId,
          pupil_id: before.pupilId,
          school_urn: before.schoolUrn,
          barriers: checked.barriers,
          outcome: checked.outcome,
          lead_practitioner: checked.leadPractitioner,
          recorded_by: actor.user.id,
          recorded_at: now,
        })
        .execute();
    }
    if (checked.action) {
      await trx
        .insertInto('cluster_action')
        .values({
          pupil_id: before.pupilId,
          school_urn: before.schoolUrn,
          meeting_id: meetingId,
          description: checked.action.what,
          owner_id: checked.action.ownerId,
          due_date: checked.action.due,
          status: 'open',
          created_by: actor.user.id,
          created_at: now,
          closed_at: null,
          closed_by: null,
          overdue_notified_at: null,
        })
        .execute();
    }
    await recordAccess(trx, deps.clock, { actor, action: 'pupil.review.record', command: 'cluster review', pupilIds: [before.pupilId] });
  });
  const after = await buildReview(deps, actor, district, form.pupilId, viewKind);
  return { ok: true, view: { view: after!, saved: true } };
}

/** Marks an action done or dropped; the actor must be able to see the pupil. Returns the pupil's review. */
export async function updateActionStatus(deps: ClusterDeps, actor: Actor, data: unknown, viewKind: 'shared' | 'own'): Promise<ClusterResult<ReviewView>> {
  const parsed = actionUpdateSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return problem('invalid', `${String(issue.path[0] ?? 'form')}: ${issue.message}`);
  }
  const opened = await openCluster(deps, actor, parsed.data.district);
  if (!opened.ok) return opened;
  if (!mayListPupils(actor.role)) return problem('not_in_scope', 'Your role sees cluster figures only, not individual pupils.');
  const action = await deps.db
    .selectFrom('cluster_action as a')
    .innerJoin('school', 'school.urn', 'a.school_urn')
    .select(['a.id', 'a.pupil_id', 'a.status'])
    .where('a.id', '=', parsed.data.actionId)
    .where('school.district_id', '=', opened.view.district.id)
    .where(schoolInScope(actor.scope, 'school'))
    .executeTakeFirst();
  if (!action) return problem('not_found', 'That action is not in your scope.');
  if (action.status === 'open') {
    const now = deps.clock.now().toISOString();
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('cluster_action')
        .set({ status: parsed.data.status, closed_at: now, closed_by: actor.user.id })
        .where('id', '=', action.id)
        .where('status', '=', 'open')
        .execute();
      await recordAccess(trx, deps.clock, { actor, action: `pupil.action.${parsed.data.status}`, command: 'cluster review', pupilIds: [action.pupil_id] });
    });
  }
  const view = await buildReview(deps, actor, opened.view.district, action.pupil_id, viewKind);
  if (!view) return problem('not_found', PUPIL_NOT_FOUND);
  return { ok: true, view };
}
