import { summarisePupil, summaryWindow, type SummaryRow, type SummaryWindow } from '../../services/attendance/attendance-summary';
import type { SchoolCalendar } from '../../services/calendar/school-calendar';
import { todayInLondon } from '../../services/calendar/dates';
import type { Clock } from '../../services/clock';
import type { Database } from '../../services/store/database';
import type { Store } from '../../services/store/open-store';
import type { Kysely } from 'kysely';
import type { AttendanceRow } from './attendance-generator';
import { planDemoApPlaces, writeDemoApPlaces } from './ap-places-generator';
import { generateDemoCounty } from './demo-county';
import { planYouthJusticeWorkers, seedYouthJusticeWorkers } from './demo-youth-justice';
import { DEMO_USERS, type DemoUser } from './demo-users';
import { postgresWriter, sqliteWriter, type DemoWriter, type SeedTable } from './demo-writer';
import { SEED_PUPILS_PER_ATTENDANCE_BATCH, SEED_ROWS_PER_WRITE } from '../../services/store/batches';

export const DEFAULT_DEMO_PUPILS = 100_000;
export const DEFAULT_DEMO_SEED = 'lincolnshire';

export type SeedPhase = 'plan' | 'clear' | 'county' | 'pupils' | 'enrolments' | 'exclusions' | 'attendance' | 'users';

export interface SeedProgress {
  phase: SeedPhase;
  done: number;
  total: number;
}

export interface SeedOptions {
  pupils?: number;
  seed?: string | number;
  clock: Clock;
  calendar: SchoolCalendar;
  /** Delete existing case data first (staff users, conversation references and the audit log stay). */
  force?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedCounts {
  localAuthorities: number;
  districts: number;
  schools: number;
  pupils: number;
  enrolments: number;
  suspensions: number;
  lunchtimeSuspensions: number;
  permanentExclusions: number;
  attendanceWeeks: number;
  demoUsers: number;
  /** The period the attendance covers. */
  from: string;
  to: string;
  /** Tables emptied first (with --force). */
  cleared: string[];
}

export class StoreNotEmptyError extends Error {
  constructor(readonly pupils: number, readonly schools: number) {
    super(
      `the store already holds case data (${pupils.toLocaleString('en-GB')} pupils, ${schools.toLocaleString('en-GB')} schools); ` +
        'seeding would mix the demo county into it. Run again with --force to delete the case data first ' +
        '(staff users, conversation references and the audit log are kept).',
    );
    this.name = 'StoreNotEmptyError';
  }
}

/** True when the store has no pupils, schools or districts (a fresh install). */
export async function isStoreEmpty(store: Store): Promise<boolean> {
  const counts = await caseDataCounts(store.db);
  return counts.pupils === 0 && counts.schools === 0 && counts.districts === 0;
}

async function caseDataCounts(db: Kysely<Database>): Promise<{ pupils: number; schools: number; districts: number }> {
  const count = async (table: 'pupil' | 'school' | 'district') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { pupils: await count('pupil'), schools: await count('school'), districts: await count('district') };
}

/**
 * Generates the demo county (see generateDemoCounty) and writes it in one transaction: either the
 * whole county is there afterwards or nothing changed. Refuses a store that already has case data
 * unless `force`. The demo staff users are created or updated by AAD object id.
 */
export async function seedDemoCounty(store: Store, options: SeedOptions): Promise<SeedCounts> {
  const report = options.onProgress ?? (() => undefined);
  const pupils = options.pupils ?? DEFAULT_DEMO_PUPILS;
  const seed = options.seed ?? DEFAULT_DEMO_SEED;

  // Checked before generating (fast refusal) and again inside the transaction (no race).
  if (!options.force) await refuseIfNotEmpty(store.db);

  report({ phase: 'plan', done: 0, total: 1 });
  const today = todayInLondon(options.clock);
  const county = generateDemoCounty({ pupils, seed, today, calendar: options.calendar });
  report({ phase: 'plan', done: 1, total: 1 });

  const run = async (writer: DemoWriter): Promise<SeedCounts> => {
    let cleared: string[] = [];
    if (options.force) {
      report({ phase: 'clear', done: 0, total: 1 });
      cleared = await writer.clearCaseData();
      report({ phase: 'clear', done: 1, total: 1 });
    } else {
      await refuseIfNotEmpty(writer.db);
    }

    report({ phase: 'county', done: 0, total: 3 });
    await writer.insert('local_authority', [county.localAuthority]);
    await writer.insert('district', county.districts);
    await writer.insert('school', county.schools);
    report({ phase: 'county', done: 3, total: 3 });

    await insertWithProgress(writer, 'pupil', county.pupils, 'pupils', report);
    await insertWithProgress(writer, 'enrolment', county.enrolments, 'enrolments', report);
    await insertWithProgress(writer, 'exclusion', county.exclusions, 'exclusions', report);
    await writer.insert('exclusion_review', county.reviews);
    await writeDemoApPlaces(writer.db, planDemoApPlaces(county, today, options.calendar, seed), options.clock.now().toISOString());

    // Per-pupil attendance summaries are written alongside the weeks (the cluster agenda reads them),
    // with the attendance-summary module's own pure function, and the year marked as current.
    const window = summaryWindow(options.calendar, today);
    let attendanceWeeks = 0;
    report({ phase: 'attendance', done: 0, total: county.pupils.length });
    for (const batch of county.attendanceBatches(SEED_PUPILS_PER_ATTENDANCE_BATCH)) {
      await writer.insert('attendance_week', batch.rows);
      await writer.insert('attendance_summary', summarise(batch.rows, window));
      attendanceWeeks += batch.rows.length;
      report({ phase: 'attendance', done: batch.pupilsDone, total: county.pupils.length });
    }
    await writer.db.deleteFrom('attendance_summary_stale').execute();
    await writer.db.deleteFrom('attendance_summary_state').where('academic_year', '=', window.academicYear).execute();
    await writer.db
      .insertInto('attendance_summary_state')
      .values({ academic_year: window.academicYear, as_of: window.asOf, refreshed_at: options.clock.now().toISOString() })
      .execute();

    report({ phase: 'users', done: 0, total: DEMO_USERS.length });
    await upsertDemoUsers(writer.db, DEMO_USERS, options.clock.now().toISOString());
    // Youth justice workers linked to young people open to the service (issue 12: attendance alerts).
    await seedYouthJusticeWorkers(writer.db, planYouthJusticeWorkers(county), options.clock.now().toISOString());
    report({ phase: 'users', done: DEMO_USERS.length, total: DEMO_USERS.length });
    await writer.finish();

    const categories = { SUSP: 0, LUNC: 0, PERM: 0 };
    for (const x of county.exclusions) categories[x.category]++;
    return {
      localAuthorities: 1,
      districts: county.districts.length,
      schools: county.schools.length,
      pupils: county.pupils.length,
      enrolments: county.enrolments.length,
      suspensions: categories.SUSP,
      lunchtimeSuspensions: categories.LUNC,
      permanentExclusions: categories.PERM,
      attendanceWeeks,
      demoUsers: DEMO_USERS.length,
      from: county.window.days[0] ?? county.window.yearStart,
      to: county.window.days[county.window.days.length - 1] ?? county.window.yesterday,
      cleared,
    };
  };

  if (store.engine === 'sqlite') {
    const handle = store.sqlite;
    if (!handle) throw new Error('the SQLite store has no database handle');
    // One transaction for the whole county; a larger page cache keeps index inserts in memory.
    const previousCache = handle.pragma('cache_size', { simple: true }) as number;
    const previousForeignKeys = handle.pragma('foreign_keys', { simple: true }) as number;
    handle.pragma('cache_size = -131072');
    // Generated rows are consistent by construction (the tests run foreign_key_check on them);
    // skipping a parent lookup per attendance row saves a good share of the write time.
    handle.pragma('foreign_keys = OFF');
    handle.exec('begin immediate');
    try {
      const counts = await run(sqliteWriter(handle, store.db));
      handle.exec('commit');
      return counts;
    } catch (error) {
      if (handle.inTransaction) handle.exec('rollback');
      throw error;
    } finally {
      handle.pragma(`cache_size = ${Number(previousCache)}`);
      handle.pragma(`foreign_keys = ${Number(previousForeignKeys) ? 'ON' : 'OFF'}`);
    }
  }
  return store.db.transaction().execute((trx) => run(postgresWriter(trx)));
}

/** Summary rows for week rows grouped by pupil then school, weeks in order (as the generator emits them). */
function summarise(rows: readonly AttendanceRow[], window: SummaryWindow): SummaryRow[] {
  const out: SummaryRow[] = [];
  let i = 0;
  while (i < rows.length) {
    const { pupil_id, school_urn } = rows[i]!;
    const weeks: { weekStart: string; marks: string }[] = [];
    for (; i < rows.length && rows[i]!.pupil_id === pupil_id && rows[i]!.school_urn === school_urn; i++) {
      weeks.push({ weekStart: rows[i]!.week_start, marks: rows[i]!.marks });
    }
    if (weeks.some((w) => w.weekStart >= window.firstWeek)) out.push(summarisePupil(pupil_id, school_urn, weeks, window));
  }
  return out;
}

async function refuseIfNotEmpty(db: Kysely<Database>): Promise<void> {
  const counts = await caseDataCounts(db);
  if (counts.pupils > 0 || counts.schools > 0 || counts.districts > 0) throw new StoreNotEmptyError(counts.pupils, counts.schools);
}

async function insertWithProgress(
  writer: DemoWriter,
  table: SeedTable,
  rows: readonly object[],
  phase: SeedPhase,
  report: (progress: SeedProgress) => void,
): Promise<void> {
  report({ phase, done: 0, total: rows.length });
  for (let i = 0; i < rows.length; i += SEED_ROWS_PER_WRITE) {
    await writer.insert(table, rows.slice(i, i + SEED_ROWS_PER_WRITE));
    report({ phase, done: Math.min(rows.length, i + SEED_ROWS_PER_WRITE), total: rows.length });
  }
}

/** Creates the demo users, or brings an existing row (same AAD object id, else same email) back to the demo values. */
export async function upsertDemoUsers(db: Kysely<Database>, users: readonly DemoUser[], now: string): Promise<void> {
  for (const user of users) {
    const email = user.email.toLowerCase();
    const existing =
      (await db.selectFrom('staff_user').select('id').where('aad_object_id', '=', user.aadObjectId).executeTakeFirst()) ??
      (await db.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirst());
    if (existing) {
      await db
        .updateTable('staff_user')
        .set({ aad_object_id: user.aadObjectId, email, name: user.name, role: user.role, scope: user.scope })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await db
        .insertInto('staff_user')
        .values({ aad_object_id: user.aadObjectId, email, name: user.name, role: user.role, scope: user.scope, created_at: now })
        .execute();
    }
  }
}
