import assert from 'node:assert/strict';
import { runAlertCommand } from '../../../services/alerts/alert-commands';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { Actor } from '../../../services/identity/actor';
import { runAdminCommand } from '../../../services/identity/admin-commands';
import { parseScope } from '../../../services/identity/scope';
import type { Role } from '../../../services/store/database';
import { openStore, type Store } from '../../../services/store/open-store';
import { insertFixtureCounty } from '../../helpers/fixtures';

const clock = fixedClock('2026-11-25T10:00:00Z');
/** Teams reads `<word>` in message text as an HTML tag and drops it. */
const HTML_LIKE = /<[a-z]/i;

describe('alerts and admin replies keep their placeholders visible in Teams', () => {
  let store: Store;
  async function channelActor(role: Role): Promise<Actor> {
    const user = await store.db
      .insertInto('staff_user')
      .values({ aad_object_id: `aad-${role}`, email: `${role}@example.org`, name: role, role, scope: 'county', created_at: '2026-11-25' })
      .returningAll()
      .executeTakeFirstOrThrow();
    // A channel: subscribing there without an area is refused with a usage hint.
    return { user, role, scope: parseScope('county'), aadObjectId: user.aad_object_id, conversationType: 'channel' };
  }
  beforeEach(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    await insertFixtureCounty(store);
  });
  afterEach(() => store.close());

  it('shows the alerts usage and the "say which area" error with ‹name› placeholders, never <name>', async () => {
    const ctx = { db: store.db, clock, calendar: loadCalendar() };
    const actor = await channelActor('la_manager');
    const usage = await runAlertCommand(ctx, actor, 'channel-1', 'help');
    assert.equal(usage.kind, 'text');
    const usageText = (usage as { message: string }).message;
    assert.match(usageText, /district ‹name› \| school ‹urn›/);
    assert.doesNotMatch(usageText, HTML_LIKE);

    const refused = await runAlertCommand(ctx, actor, 'channel-1', 'subscribe');
    assert.equal(refused.kind, 'text');
    const refusedText = (refused as { message: string }).message;
    assert.match(refusedText, /alerts subscribe school ‹urn›/);
    assert.doesNotMatch(refusedText, HTML_LIKE);
  });

  it('shows the admin usage with an ‹email› placeholder', async () => {
    const reply = await runAdminCommand(store.db, clock, await channelActor('admin'), 'something else');
    assert.match(reply, /admin unlink ‹email›/);
    assert.doesNotMatch(reply, HTML_LIKE);
  });
});
