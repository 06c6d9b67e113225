import assert from 'node:assert/strict';
import '../../services/alerts/alert-schema';
import { fixedClock } from '../../services/clock';
import { makeUpn } from '../../services/domain/upn';
import { createApiSender } from '../../services/exclusions/exclusion-intake';
import { PUPIL_NOT_IN_SCOPE } from '../../services/places/placement-intake';
import '../../services/places/places-schema';
import { openStore, type Store } from '../../services/store/open-store';
import { startBot, type RunningBot } from '../helpers/bot-harness';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../helpers/fixtures';

const clock = fixedClock('2026-11-25T10:00:00Z');
const upn = (serial: number) => makeUpn(925, 4001, 15, serial);

describe('POST /api/ap-placements', () => {
  let store: Store;
  let bot: RunningBot;
  let county: FixtureCounty;
  let formKey: string;
  let lincolnKey: string;

  beforeEach(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    county = await insertFixtureCounty(store);
    await store.db
      .insertInto('ap_hub')
      .values({ provider: 'Fenland Learning Trust', hub: 'Boston Hub', district_id: county.districtIds.Boston, phase: 'secondary', commissioned_places: 1, transient_places: 1, contact: null, updated_at: '2026-11-01T00:00:00Z' })
      .execute();
    formKey = (await createApiSender(store.db, 'LA placement system', 'county', clock)).key;
    lincolnKey = (await createApiSender(store.db, 'Minster MIS', `school:${FIXTURE_SCHOOLS.lincolnSecondary.urn}`, clock)).key;
    bot = await startBot({ store, clock });
  });
  afterEach(async () => {
    await bot.close();
    await store.close();
  });

  const placement = (overrides: Record<string, unknown> = {}) => ({
    upn: upn(4),
    provider: 'Fenland Learning Trust',
    hub: 'Boston Hub',
    start_date: '2026-11-30',
    end_date: null,
    place_kind: 'transient',
    ...overrides,
  });

  async function post(body: unknown, key: string) {
    const response = await fetch(`${bot.url}/api/ap-placements`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  }

  it('records a placement, meets a permanent exclusion’s day-6 duty, and answers a retry unchanged', async () => {
    const pex = await store.db
      .insertInto('exclusion')
      .values({ pupil_id: county.pupils.noFlags, school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'test', created_at: '2026-11-23T10:00:00Z' })
      .returning('id')
      .executeTakeFirstOrThrow();
    assert.deepEqual(await post(placement(), formKey), { status: 201, body: { placement: 'created', exclusion_placed: true } });
    assert.deepEqual(await post(placement(), formKey), { status: 200, body: { placement: 'unchanged', exclusion_placed: true } });
    const stored = await store.db.selectFrom('ap_placement').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.source, 'api:LA placement system');
    assert.deepEqual(await store.db.selectFrom('exclusion_placement').select(['exclusion_id', 'placed_on']).execute(), [{ exclusion_id: pex.id, placed_on: '2026-11-30' }]);
  });

  it('refuses bad fields, a full hub and a pupil outside the key’s scope, recording nothing', async () => {
    const bad = await post(placement({ place_kind: 'weekly', end_date: '2026-11-01', colour: 'red' }), formKey);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors, [{ field: 'colour', message: 'is not a field of a placement' }]);
    const fields = await post(placement({ place_kind: 'weekly', end_date: '2026-11-01' }), formKey);
    assert.deepEqual(fields.body.errors, [
      { field: 'end_date', message: 'is before the start date' },
      { field: 'place_kind', message: '"weekly" is not commissioned or transient' },
    ]);
    assert.equal((await post(placement({ upn: upn(1) }), formKey)).status, 201);
    const full = await post(placement({ upn: upn(2) }), formKey);
    assert.equal(full.status, 400);
    assert.match(full.body.errors[0].message, /no transient place is free at Boston Hub/);
    // A Lincoln school's key may not place a Boston pupil: the same answer as for an unknown UPN.
    const outside = await post(placement({ upn: upn(3), place_kind: 'commissioned' }), lincolnKey);
    const unknown = await post(placement({ upn: makeUpn(925, 4001, 15, 99), place_kind: 'commissioned' }), lincolnKey);
    assert.deepEqual(outside, { status: 400, body: { error: 'the placement is not valid; nothing was recorded', errors: [{ field: 'upn', message: PUPIL_NOT_IN_SCOPE }] } });
    assert.deepEqual(unknown, outside);
    assert.equal((await store.db.selectFrom('ap_placement').selectAll().execute()).length, 1);
    assert.equal((await post(placement({ upn: upn(5), place_kind: 'commissioned' }), lincolnKey)).status, 201, 'its own pupil is placed');
  });
});
