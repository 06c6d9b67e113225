import type { SchoolCalendar } from '../../services/calendar/school-calendar';
import type { District, Enrolment, Exclusion, School } from '../../services/store/database';
import { absenceProfiles, attendanceFrame, pupilAttendance, type AttendanceRow } from './attendance-generator';
import { planCounty, type CountyPlan } from './county-plan';
import { DEMO_LA } from './demo-rates';
import { planEnrolments } from './enrolment-planner';
import { generateExclusions, type PlannedReview } from './exclusion-generator';
import { generatePupils, type DemoPupil, type PupilRow } from './pupil-generator';
import { Random } from './random';
import { yearWindow, type YearWindow } from './year-window';
import { SEED_PUPILS_PER_ATTENDANCE_BATCH } from '../../services/store/batches';

/**
 * The whole demo county as rows, generated without touching a store: the same seed, pupil count,
 * date and calendar always give the same rows. Attendance is produced lazily, a batch of pupils at a
 * time, because a county's year of weekly rows is the bulk of the data.
 */
export interface DemoCountyOptions {
  pupils: number;
  seed: string | number;
  /** Today's date in England ('YYYY-MM-DD'); the data runs to yesterday. */
  today: string;
  calendar: SchoolCalendar;
}

export type DistrictRow = District;
export type SchoolRow = School;
export type EnrolmentRow = Enrolment;
/** The demo's exclusions carry no exam clash and start in the morning. */
export type ExclusionRow = Omit<Exclusion, 'exam_date' | 'start_session'>;

export type ReviewRow = PlannedReview & { exclusion_id: number; updated_at: string; updated_by: string };

export interface DemoCounty {
  window: YearWindow;
  plan: CountyPlan;
  localAuthority: { code: string; name: string };
  districts: DistrictRow[];
  schools: SchoolRow[];
  pupils: PupilRow[];
  enrolments: EnrolmentRow[];
  exclusions: ExclusionRow[];
  /** Governors' decisions and independent reviews of the permanent exclusions (issue 9). */
  reviews: ReviewRow[];
  /** Attendance rows, `batchPupils` pupils at a time, in pupil order. */
  attendanceBatches(batchPupils?: number): Generator<{ rows: AttendanceRow[]; pupilsDone: number }>;
}

const DEMO_SOURCE = 'demo';
/** Enough for any English county; the generator holds every pupil in memory (about 2 GB at the maximum). */
export const MAX_DEMO_PUPILS = 1_000_000;

export function generateDemoCounty(options: DemoCountyOptions): DemoCounty {
  const { seed, calendar, today } = options;
  if (!Number.isInteger(options.pupils) || options.pupils < 100 || options.pupils > MAX_DEMO_PUPILS) {
    throw new RangeError(`the demo county needs a whole number of pupils from 100 to ${MAX_DEMO_PUPILS.toLocaleString('en-GB')}`);
  }
  const window = yearWindow(calendar, today);
  const plan = planCounty(options.pupils, new Random(seed, 'plan'));
  const demoPupils = generatePupils(plan, seed, { startYear: window.startYear });
  planEnrolments(plan, demoPupils, window, seed);
  const exclusionResult = generateExclusions(plan, demoPupils, window, seed);

  const districts = plan.districts.map((d, i) => ({ id: i + 1, name: d.name, la_code: DEMO_LA.code }));
  const schools = plan.schools.map((s) => ({ urn: s.urn, name: s.name, phase: s.phase, type: s.type, district_id: s.districtIndex + 1 }));
  const enrolments: EnrolmentRow[] = [];
  for (const pupil of demoPupils) {
    for (const segment of pupil.segments) {
      enrolments.push({
        id: enrolments.length + 1,
        pupil_id: pupil.row.id,
        school_urn: plan.schools[segment.schoolIndex]!.urn,
        start_date: segment.start,
        end_date: segment.end,
        registration: segment.registration,
      });
    }
  }
  const exclusions: ExclusionRow[] = exclusionResult.exclusions.map((x, i) => ({
    id: i + 1,
    pupil_id: x.pupilId,
    school_urn: plan.schools[x.schoolIndex]!.urn,
    category: x.category,
    reasons: x.reasons,
    start_date: window.days[x.dayIndex]!,
    sessions: x.sessions,
    notified_date: x.notifiedDate,
    missed_public_exam: x.missedPublicExam,
    source: DEMO_SOURCE,
    created_at: x.createdAt,
    decision_date: x.decisionDate ?? null,
    outcome: x.withdrawnFrom ? 'withdrawn' : null,
    outcome_date: x.withdrawnFrom ?? null,
    outcome_by: x.withdrawnFrom ? 'head' : null,
  }));

  const reviews: ReviewRow[] = [];
  exclusionResult.exclusions.forEach((x, i) => {
    if (x.review) reviews.push({ exclusion_id: i + 1, ...x.review, updated_at: x.createdAt, updated_by: DEMO_SOURCE });
  });

  return {
    window,
    plan,
    localAuthority: { ...DEMO_LA },
    districts,
    schools,
    pupils: demoPupils.map((p) => p.row),
    enrolments,
    exclusions,
    reviews,
    *attendanceBatches(batchPupils = SEED_PUPILS_PER_ATTENDANCE_BATCH) {
      const profiles = absenceProfiles(plan, demoPupils, seed);
      const frame = attendanceFrame(plan, window);
      let batch: AttendanceRow[] = [];
      for (let i = 0; i < demoPupils.length; i++) {
        const pupil: DemoPupil = demoPupils[i]!;
        const rows = pupilAttendance(pupil, profiles[i]!, plan, window, frame, exclusionResult, seed);
        for (const row of rows) batch.push(row);
        if ((i + 1) % batchPupils === 0 || i === demoPupils.length - 1) {
          yield { rows: batch, pupilsDone: i + 1 };
          batch = [];
        }
      }
    },
  };
}
