import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildDigest, buildOpenSummary, listOpenAlerts, LIST_PAGE_SIZE } from '../../../services/alerts/alert-digest';
import { insertNewAlerts } from '../../../services/alerts/new-alerts';
import { alertDigestCard } from '../../../cards/alert-digest-card';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { DistrictAlert } from '../../../services/exclusions/alert-types';
import type { Actor } from '../../../services/identity/actor';
import { parseScope } from '../../../services/identity/scope';
import type { Role } from '../../../services/store/database';
import type { Store } from '../../../services/store/open-store';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';

const TODAY = '2026-11-25';
const clock = fixedClock(`${TODAY}T10:00:00Z`);
const calendar = loadCalendar();
const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;
const LINCOLN = FIXTURE_SCHOOLS.lincolnSecondary.urn;

async function actorFor(store: Store, role: Role, scope: string): Promise<Actor> {
  const user = await store.db
    .insertInto('staff_user')
    .values({ aad_object_id: `aad-${role}-${scope}`, email: `${role}@example.org`, name: role, role, scope, created_at: TODAY })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { user, role, scope: parseScope(scope), aadObjectId: user.aad_object_id, conversationType: 'personal' };
}

/** Open alerts with and without due dates, past and future, plus acknowledged ones: well past any old row cap. */
async function seedAlerts(store: Store, county: FixtureCounty): Promise<void> {
  const rows = [];
  for (let i = 0; i < 1800; i++) {
    const urn = i % 5 === 0 ? LINCOLN : BOSTON;
    const pupil = urn === LINCOLN ? county.lincolnPupil : county.pupils.ehcPlan;
    const due = i % 3 === 0 ? null : i % 3 === 1 ? '2026-11-10' : '2026-12-08';
    rows.push({
      dedupe_key: `seed:${i}`,
      rule: due ? 'pex_governors_review' : 'ehc_plan_excluded',
      scope: 'pupil',
      case_key: `exclusion:seed-${Math.floor(i / 2)}`,
      pupil_id: pupil,
      school_urn: urn,
      event_date: '2026-10-01',
      due_date: due,
      payload: '{}',
      created_at: i % 4 === 0 ? `${TODAY}T09:00:00.000Z` : '2026-10-01T09:00:00.000Z',
      status: i % 7 === 0 ? ('acknowledged' as const) : ('open' as const),
    });
  }
  for (let i = 0; i < rows.length; i += 100) await store.db.insertInto('exclusion_alert').values(rows.slice(i, i + 100)).execute();
}

async function direct(store: Store, where: string, urns: number[], distinct = false): Promise<number> {
  const what = distinct ? sql.raw('count(distinct case_key)') : sql.raw('count(*)');
  const row = await sql<{ n: number }>`select ${what} as n from exclusion_alert where scope = 'pupil' and status = 'open' and school_urn in (${sql.join(urns)}) and ${sql.raw(where)}`.execute(store.db);
  return Number(row.rows[0]!.n);
}

describe('alert digest counts', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    beforeEach(async () => {
      county = await insertFixtureCounty(getStore());
      await seedAlerts(getStore(), county);
    });

    it('counts exactly what the store holds, for the county and for one school', async () => {
      const store = getStore();
      const ctx = { db: store.db, clock, calendar };
      for (const [actor, urns] of [
        [await actorFor(store, 'la_manager', 'county'), [BOSTON, LINCOLN]],
        [await actorFor(store, 'school_leader', `school:${BOSTON}`), [BOSTON]],
      ] as const) {
        const digest = await buildDigest(ctx, actor, 'scope', 'test');
        assert.equal(digest.openDeadlines.count, await direct(store, `due_date >= '${TODAY}'`, [...urns]));
        assert.equal(digest.pastDue.count, await direct(store, `due_date < '${TODAY}'`, [...urns]));
        assert.ok(digest.openDeadlines.count > 500 || urns.length === 1, 'far more than any list shows');
        assert.equal(digest.unacknowledged.count, await direct(store, `created_at < '2026-11-20'`, [...urns]));
        assert.equal(digest.openDeadlines.items.length, 8);
        assert.ok(digest.openDeadlines.items.every((i) => i.due !== null && i.due >= TODAY), 'undated alerts never crowd out deadlines');
        assert.ok(digest.pastDue.items.every((i) => i.schoolDaysLeft !== null && i.schoolDaysLeft < 0));
        assert.ok(digest.openDeadlines.items.every((i) => /Academy|School|College/i.test(i.schoolName) && !/^\d+$/.test(i.schoolName)), 'schools by name');

        const summary = await buildOpenSummary(ctx, actor, 'scope', 'test');
        assert.equal(summary.openCases, await direct(store, '1 = 1', [...urns], true));
        assert.equal(summary.pastDueCases, await direct(store, `due_date < '${TODAY}'`, [...urns], true));

        const page2 = await listOpenAlerts(ctx, actor, 2, 'test');
        assert.equal(page2.total, await direct(store, '1 = 1', [...urns]));
        assert.equal(page2.pages, Math.ceil(page2.total / LIST_PAGE_SIZE));
        assert.equal(page2.items.length, LIST_PAGE_SIZE);
      }
    });

    it('counts late reports per school, by name, exactly as the store holds them, within the viewer\'s scope', async () => {
      const store = getStore();
      const ctx = { db: store.db, clock, calendar };
      const PRIMARY = FIXTURE_SCHOOLS.bostonPrimary.urn;
      const pupilAt = { [BOSTON]: county.pupils.ehcPlan, [LINCOLN]: county.lincolnPupil, [PRIMARY]: county.pupils.noFlags } as Record<number, number>;
      // Heard this week (from 2026-11-19) or before; late or on time; acknowledged or not.
      const cases: Array<[number, string, boolean, 'open' | 'acknowledged']> = [];
      for (let i = 0; i < 60; i++) {
        const urn = [BOSTON, BOSTON, LINCOLN, PRIMARY][i % 4]!;
        const notified = i % 5 === 0 ? '2026-11-10' : i % 5 === 1 ? '2026-11-19' : '2026-11-24';
        cases.push([urn, notified, i % 3 !== 0, i % 2 === 0 ? 'open' : 'acknowledged']);
      }
      // Distinct start dates: one exclusion per pupil, school and day.
      for (const [i, [urn, notified, late, status]] of cases.entries()) {
        const exclusion = await store.db
          .insertInto('exclusion')
          .values({ pupil_id: pupilAt[urn]!, school_urn: urn, category: 'SUSP', reasons: 'PA', start_date: `2026-${String(9 + Math.floor(i / 30)).padStart(2, '0')}-${String(1 + (i % 30)).padStart(2, '0')}`, sessions: 2, notified_date: notified, source: 'test', created_at: TODAY })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (!late) continue;
        await store.db
          .insertInto('exclusion_alert')
          .values({ dedupe_key: `late:${i}`, rule: 'reported_late', scope: 'pupil', case_key: `exclusion:${exclusion.id}`, pupil_id: pupilAt[urn]!, exclusion_id: exclusion.id, school_urn: urn, event_date: '2026-11-09', payload: '{}', created_at: TODAY, status })
          .execute();
      }
      const directLate = async (urns: number[]) => {
        const rows = await sql<{ name: string; n: number }>`select s.name as name, count(*) as n from exclusion_alert a inner join exclusion e on e.id = a.exclusion_id inner join school s on s.urn = a.school_urn
          where a.rule = 'reported_late' and e.notified_date >= '2026-11-19' and e.notified_date <= ${TODAY} and s.urn in (${sql.join(urns)}) group by s.name`.execute(store.db);
        return new Map(rows.rows.map((r) => [r.name, Number(r.n)]));
      };
      for (const [actor, urns] of [
        [await actorFor(store, 'la_manager', 'county'), [BOSTON, LINCOLN, PRIMARY]],
        [await actorFor(store, 'school_leader', `school:${BOSTON}`), [BOSTON]],
      ] as const) {
        const digest = await buildDigest(ctx, actor, 'scope', 'test');
        const expected = await directLate([...urns]);
        assert.equal(digest.lateReports.length, urns.length, 'one line per school in scope with late reports');
        assert.deepEqual(new Map(digest.lateReports.map((l) => [l.schoolName, l.count])), expected);
        assert.ok(digest.lateReports.every((l) => !/\d{6}/.test(l.schoolName)), 'schools by name, never URN');
        assert.ok(digest.lateReports.every((l, i, all) => i === 0 || all[i - 1]!.count >= l.count), 'most late first');
        const card = JSON.stringify(alertDigestCard(digest));
        assert.match(card, /reported late this week/);
        for (const l of digest.lateReports) assert.ok(card.includes(`${l.schoolName}: ${l.count}`));
      }
      assert.equal((await directLate([BOSTON])).get(FIXTURE_SCHOOLS.bostonSecondary.name), 16, 'hand count: Boston has 30 cases, 20 late, 16 of them heard this week');
    });

    it('words disproportionality flags with counts and leaves out small groups', async () => {
      const store = getStore();
      const week = '2026-11-23';
      const flag = (code: string, groupPupils: number, n: number): DistrictAlert => ({
        scope: 'district',
        rule: 'disproportionality',
        districtId: county.districtIds.Boston!,
        weekStart: week,
        periodStart: '2026-09-03',
        periodEnd: TODAY,
        group: { kind: 'ethnicity', code },
        groupPupils,
        groupSuspensions: n,
        groupRate: Math.round((n / groupPupils) * 1000) / 10,
        restPupils: 340,
        restSuspensions: 20,
        restRate: 5.9,
        ratio: 2.1,
        dedupeKey: `disp:${code}`,
      });
      for (const a of [flag('WROM', 40, 5), flag('WIRT', 4, 3)]) {
        await insertNewAlerts(store.db, [{ dedupe_key: a.dedupeKey, rule: a.rule, scope: 'district', case_key: `alert:${a.dedupeKey}`, district_id: a.districtId, event_date: week, payload: JSON.stringify(a), created_at: TODAY }]);
      }
      const digest = await buildDigest({ db: store.db, clock, calendar }, await actorFor(store, 'la_manager', 'county'), 'county', 'test');
      assert.equal(digest.disproportionality.length, 1, 'the group of 4 pupils is left out');
      const line = digest.disproportionality[0]!;
      assert.match(line, /Gypsy\/Roma/);
      assert.match(line, /5 suspensions among 40 pupils/);
      assert.match(line, /2\.1x/);
      assert.ok(!line.includes('WROM'));
    });
  });
});
