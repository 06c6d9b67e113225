import { CODE_BY_NAME, EMPTY_WEEK } from '../../../services/attendance/attendance-codes';
import { mondayOf } from '../../../services/calendar/dates';
import type { Store } from '../../../services/store/open-store';

/**
 * Writes a pupil's register over these school days: the [am, pm] code names each day (by index)
 * gives, week by week; a week already written for the pupil at that school is replaced.
 */
export function registerWriter(days: readonly string[]) {
  return async (store: Store, pupilId: number, urn: number, dayCodes: (i: number) => [string, string]): Promise<void> => {
    const weeks = new Map<string, string[]>();
    days.forEach((date, i) => {
      const monday = mondayOf(date);
      const marks = weeks.get(monday) ?? [...EMPTY_WEEK];
      const offset = (Date.parse(date) - Date.parse(monday)) / 86_400_000;
      const [am, pm] = dayCodes(i);
      marks[offset * 2] = CODE_BY_NAME.get(am)!.char;
      marks[offset * 2 + 1] = CODE_BY_NAME.get(pm)!.char;
      weeks.set(monday, marks);
    });
    await store.db
      .insertInto('attendance_week')
      .values([...weeks].map(([week_start, marks]) => ({ pupil_id: pupilId, school_urn: urn, week_start, marks: marks.join('') })))
      .onConflict((oc) => oc.columns(['pupil_id', 'school_urn', 'week_start']).doUpdateSet((eb) => ({ marks: eb.ref('excluded.marks') })))
      .execute();
  };
}
