import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadCalendar } from './services/calendar/school-calendar';
import { fixedClock } from './services/clock';
import { seedDemoCounty } from './services/demo/seed-demo-county';
import { findPupils } from './services/cluster/pupil-search';
import { getClusterAgenda } from './services/cluster/cluster-agenda';
import { parseScope } from './services/identity/scope';
import { openStore } from './services/store/open-store';
async function main() {
  const store = await openStore({ engine: 'sqlite', target: '/tmp/w5/probe.sqlite' });
  const calendar = loadCalendar();
  const clock = fixedClock('2026-11-25T10:00:00Z');
  const has = await store.db.selectFrom('pupil').select(sql<number>`count(*)`.as('n')).executeTakeFirst();
  if (!Number(has?.n)) await seedDemoCounty(store, { pupils: 100000, clock, calendar });
  const u = await store.db.insertInto('staff_user').values({ aad_object_id: 'p' + Date.now(), email: `p${Date.now()}@x.org`, name: 'P', role: 'la_manager', scope: 'county', created_at: '2026-11-25' }).returningAll().executeTakeFirstOrThrow();
  const actor = { user: u, role: u.role, scope: parseScope('county'), aadObjectId: u.aad_object_id, conversationType: 'personal' as const };
  const deps = { db: store.db, calendar, clock };
  const names = await store.db.selectFrom('pupil').select('legal_surname').limit(30).execute();
  const cpu = async (label: string, f: () => Promise<unknown>) => {
    for (let i = 0; i < 5; i++) await f();
    const ts: number[] = [];
    for (let i = 0; i < 30; i++) { const c = process.cpuUsage(); await f(); const d = process.cpuUsage(c); ts.push((d.user + d.system) / 1000); }
    ts.sort((a, b) => a - b);
    console.log(label, 'cpu p50', ts[15]!.toFixed(1), 'p90', ts[27]!.toFixed(1));
  };
  let k = 0;
  await cpu('search', () => findPupils(deps, actor, { query: names[k++ % 30]!.legal_surname.slice(0, 4), view: 'own' }));
  const d = (await store.db.selectFrom('district').select('name').execute())[0]!.name;
  await cpu('agenda', () => getClusterAgenda(deps, actor, { district: 'South Kesteven', view: 'own' }));
  console.log(d);
  await store.close();
}
main();
