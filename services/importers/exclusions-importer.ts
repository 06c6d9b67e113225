import { checkExclusion, type ExclusionRecord, type RawExclusion } from '../exclusions/exclusion-fields';
import { pupilIdsByUpn, queuePupilsForRules, saveExclusions } from '../exclusions/exclusion-repository';
import { enrolmentsByPupil, onRollForExclusion, ROLL_GRACE_DAYS, type RollEnrolment } from '../exclusions/exclusion-roll';
import type { RowView } from './fields';
import type { ImportEnv, Importer } from './importer';
import { IMPORT_RECORDS_PER_BATCH } from '../store/batches';

/**
 * `exclusions`: school_urn,upn,category,start_date,sessions,reasons,notified_date
 * (+ optional missed_public_exam, and the casework columns decision_date, exam_date, start_session,
 * outcome, outcome_date, outcome_by: docs/data-formats.md). category SUSP or FIXD (suspension), PERM, LUNC (lunchtime);
 * sessions: one school day is 2, a lunchtime 1, empty for PERM; reasons: up to three DfE codes
 * separated by ';'. The pupil must be on roll at the school (the roll rule in
 * services/exclusions/exclusion-roll.ts); a row naming a pupil of another school is a line error. Upserts by pupil, school, category and start date, so re-importing a file
 * changes nothing. The pupils written are queued for the alert rules in the same transaction.
 * Field rules are shared with the intake API (services/exclusions/exclusion-fields.ts).
 */

export interface ExclusionImportRecord extends ExclusionRecord {
  pupil_id: number;
}

export interface ExclusionsContext {
  env: ImportEnv;
  schools: Set<number>;
  pupils: Map<string, number>;
  enrolments: Map<number, RollEnrolment[]>;
  /** Pupils queued for the rules so far in this import (for the count). */
  queued: Set<number>;
}

const COLUMNS = ['school_urn', 'upn', 'category', 'start_date', 'sessions', 'reasons', 'notified_date', 'missed_public_exam'] as const;
/** Optional casework columns (issue 9); an empty cell keeps what is stored. */
const CASEWORK_COLUMNS = ['decision_date', 'exam_date', 'start_session', 'outcome', 'outcome_date', 'outcome_by'] as const;

export const exclusionsImporter: Importer<ExclusionImportRecord, ExclusionsContext> = {
  kind: 'exclusions',
  description:
    'school_urn,upn,category,start_date,sessions,reasons,notified_date (optional missed_public_exam, decision_date, exam_date, start_session, outcome, outcome_date, outcome_by)',
  columns: [
    { name: 'school_urn', required: true },
    { name: 'upn', required: true },
    { name: 'category', required: true },
    { name: 'start_date', required: true },
    { name: 'sessions', required: true },
    { name: 'reasons', required: true },
    { name: 'notified_date', required: true },
    { name: 'missed_public_exam', required: false },
    ...CASEWORK_COLUMNS.map((name) => ({ name, required: false })),
  ],
  keyColumn: 'start_date',
  key: (r) => `${r.pupil_id}|${r.school_urn}|${r.category}|${r.start_date}`,

  async prepare(db, env) {
    const schools = new Set((await db.selectFrom('school').select('urn').execute()).map((s) => s.urn));
    return { env, schools, pupils: await pupilIdsByUpn(db), enrolments: await enrolmentsByPupil(db), queued: new Set<number>() };
  },

  parse(row: RowView, ctx): ExclusionImportRecord | undefined {
    const raw: RawExclusion = {};
    for (const column of [...COLUMNS, ...CASEWORK_COLUMNS]) raw[column] = row.get(column);
    const { record, problems } = checkExclusion(raw, { today: ctx.env.today, knownSchool: (urn) => ctx.schools.has(urn) });
    for (const problem of problems) row.fail(problem.field, problem.message);
    if (!record) return undefined;
    const pupilId = ctx.pupils.get(record.upn);
    if (pupilId === undefined) return row.fail('upn', 'unknown pupil (import the pupils file first)');
    if (!onRollForExclusion(ctx.enrolments.get(pupilId) ?? [], record.school_urn, record.start_date)) {
      return row.fail('upn', `the pupil is not on roll at school ${record.school_urn} on the start date (nor left it at most ${ROLL_GRACE_DAYS} days before)`);
    }
    return { ...record, pupil_id: pupilId };
  },

  batchSize: () => IMPORT_RECORDS_PER_BATCH,

  async write(tx, batch, ctx, counts) {
    const saved = await saveExclusions(tx.db, batch, 'import', ctx.env.now);
    for (const s of saved) counts[s.outcome]++;
    const changed = saved.filter((s) => s.outcome !== 'unchanged').map((s) => s.pupilId);
    if (changed.length > 0) {
      await queuePupilsForRules(tx.db, changed, ctx.env.now);
      for (const id of changed) ctx.queued.add(id);
      counts.other['pupils queued for alert rules'] = ctx.queued.size;
    }
  },
};
