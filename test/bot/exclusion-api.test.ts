import assert from 'node:assert/strict';
import { fixedClock } from '../../services/clock';
import { makeUpn } from '../../services/domain/upn';
import { createApiSender, revokeApiSender } from '../../services/exclusions/exclusion-intake';
import { openStore, type Store } from '../../services/store/open-store';
import { startBot, type RunningBot } from '../helpers/bot-harness';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../helpers/fixtures';

const clock = fixedClock('2026-11-25T10:00:00Z');
const upn = (serial: number) => makeUpn(925, 4001, 15, serial);

describe('POST /api/exclusions', () => {
  let store: Store;
  let bot: RunningBot;
  let county: FixtureCounty;
  let formKey: string;
  let schoolKey: string;

  beforeEach(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    county = await insertFixtureCounty(store);
    formKey = (await createApiSender(store.db, 'LA notification form', 'county', clock)).key;
    schoolKey = (await createApiSender(store.db, 'Fenside MIS', `school:${FIXTURE_SCHOOLS.bostonSecondary.urn}`, clock)).key;
    bot = await startBot({ store, clock });
  });
  afterEach(async () => {
    await bot.close();
    await store.close();
  });

  const report = (overrides: Record<string, unknown> = {}) => ({
    school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn,
    upn: upn(1),
    category: 'SUSP',
    start_date: '2026-11-24',
    sessions: 4,
    reasons: ['PA', 'VA'],
    notified_date: '2026-11-24',
    ...overrides,
  });

  async function post(body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${bot.url}/api/exclusions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  it('records a report once, answers a retry with the same key from the first answer, and queues the pupil', async () => {
    const headers = { authorization: `Bearer ${formKey}`, 'idempotency-key': 'report-0001' };
    const first = await post(report(), headers);
    assert.equal(first.status, 201);
    assert.equal(first.body.outcome, 'created');
    const retry = await post(report(), headers);
    assert.deepEqual(retry, { status: 200, body: { exclusion_id: first.body.exclusion_id, outcome: 'replayed' } });
    const rows = await store.db.selectFrom('exclusion').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.pupil_id, county.pupils.ehcPlan);
    assert.equal(rows[0]!.reasons, 'PA;VA');
    assert.equal(rows[0]!.source, 'api:LA notification form');
    const queued = await store.db.selectFrom('alert_pending_pupil').select('pupil_id').execute();
    assert.deepEqual(queued.map((q) => q.pupil_id), [county.pupils.ehcPlan]);
  });

  it('refuses to reuse an idempotency key for a different report', async () => {
    const headers = { 'x-api-key': formKey, 'idempotency-key': 'report-0002' };
    assert.equal((await post(report(), headers)).status, 201);
    const changed = await post(report({ sessions: 6 }), headers);
    assert.equal(changed.status, 409);
    assert.equal((await store.db.selectFrom('exclusion').select('sessions').executeTakeFirstOrThrow()).sessions, 4);
  });

  it('treats the same exclusion under a new key as an update (or no change), never a duplicate', async () => {
    assert.equal((await post(report(), { 'x-api-key': formKey, 'idempotency-key': 'report-0003' })).status, 201);
    const same = await post(report(), { 'x-api-key': formKey, 'idempotency-key': 'report-0004' });
    assert.equal(same.body.outcome, 'unchanged');
    const corrected = await post(report({ sessions: 6 }), { 'x-api-key': formKey, 'idempotency-key': 'report-0005' });
    assert.equal(corrected.body.outcome, 'updated');
    assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 1);
  });

  it('answers field errors for every problem, without echoing the UPN, and records nothing', async () => {
    const { status, body } = await post(
      { ...report({ upn: 'A925400115999', category: 'HOME', reasons: 'PA;ZZ', start_date: '24/13/2026' }), colour: 'red' },
      { 'x-api-key': formKey },
    );
    assert.equal(status, 400);
    assert.deepEqual(body.errors, [
      { field: 'Idempotency-Key', message: 'is required (a unique value per exclusion report, e.g. a UUID)' },
      { field: 'colour', message: 'is not a field of an exclusion report' },
    ]);
    const second = await post(report({ upn: 'A925400115999', category: 'HOME', reasons: 'PA;ZZ', start_date: '24/13/2026', sessions: 'two' }), {
      'x-api-key': formKey,
      'idempotency-key': 'report-0006',
    });
    assert.deepEqual(second.body.errors, [
      { field: 'upn', message: 'UPN check letter is wrong' },
      { field: 'category', message: '"HOME" is not SUSP, FIXD, PERM or LUNC' },
      { field: 'start_date', message: 'is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)' },
      { field: 'sessions', message: 'must be a whole number of sessions (one school day is 2)' },
      { field: 'reasons', message: 'unknown reason code "ZZ"' },
    ]);
    assert.ok(!JSON.stringify(second.body).includes('A925400115999'));
    const missing = await post({ upn: upn(1) }, { 'x-api-key': formKey, 'idempotency-key': 'report-0007' });
    assert.deepEqual(
      missing.body.errors.map((e: { field: string }) => e.field),
      ['school_urn', 'category', 'start_date', 'reasons'],
    );
    assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 0);
  });

  it('refuses missing, unknown and revoked keys, and schools outside the sender’s scope', async () => {
    assert.equal((await post(report(), { 'idempotency-key': 'report-0008' })).status, 401);
    assert.equal((await post(report(), { authorization: 'Bearer iak_nope', 'idempotency-key': 'report-0008' })).status, 401);
    const elsewhere = await post(report({ school_urn: FIXTURE_SCHOOLS.lincolnSecondary.urn, upn: upn(5) }), {
      'x-api-key': schoolKey,
      'idempotency-key': 'report-0009',
    });
    assert.equal(elsewhere.status, 403);
    assert.equal((await post(report(), { 'x-api-key': schoolKey, 'idempotency-key': 'report-0010' })).status, 201);
    await revokeApiSender(store.db, 'Fenside MIS', clock);
    assert.equal((await post(report(), { 'x-api-key': schoolKey, 'idempotency-key': 'report-0010' })).status, 401);
  });

  it('gives a Boston key the same bytes for an unknown UPN and for a Lincoln pupil, and records nothing', async () => {
    const bostonKey = (await createApiSender(store.db, 'Boston MIS', 'district:Boston', clock)).key;
    const raw = async (upnValue: string, key: string) => {
      const response = await fetch(`${bot.url}/api/exclusions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': bostonKey, 'idempotency-key': key },
        body: JSON.stringify(report({ upn: upnValue })),
      });
      return `${response.status} ${await response.text()}`;
    };
    const lincolnPupil = await raw(upn(5), 'oracle-http-1');
    const unknown = await raw(upn(99), 'oracle-http-2');
    assert.equal(lincolnPupil, unknown);
    assert.match(lincolnPupil, /^400 /);
    assert.ok(!lincolnPupil.includes(upn(5)));
    assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 0);
    assert.equal(county.lincolnPupil > 0, true);
  });

  it('refuses a permanent exclusion with sessions and reasons with an empty code, as field errors', async () => {
    const perm = await post(report({ category: 'PERM', sessions: 10 }), { 'x-api-key': formKey, 'idempotency-key': 'report-0012' });
    assert.equal(perm.status, 400);
    assert.deepEqual(perm.body.errors, [{ field: 'sessions', message: 'must be empty for PERM (a permanent exclusion has no length in sessions)' }]);
    for (const reasons of ['PA;;VA', ['PA', '', 'VA']]) {
      const gap = await post(report({ reasons }), { 'x-api-key': formKey, 'idempotency-key': 'report-0013' });
      assert.equal(gap.status, 400);
      assert.deepEqual(gap.body.errors, [{ field: 'reasons', message: 'has an empty code (between or after the ; separators)' }]);
    }
    assert.equal((await post(report({ category: 'PERM', sessions: null }), { 'x-api-key': formKey, 'idempotency-key': 'report-0014' })).status, 201);
  });

  it('refuses a body that is not a JSON object', async () => {
    const response = await fetch(`${bot.url}/api/exclusions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-api-key': formKey, 'idempotency-key': 'report-0011' },
      body: 'hello',
    });
    assert.equal(response.status, 415);
  });
});
