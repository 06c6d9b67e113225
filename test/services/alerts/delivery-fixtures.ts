import type { Kysely } from 'kysely';
import { createConnectorTransport } from '../../../bot/connector-transport';
import { DeliveryWorker, type DeliveryWorkerOptions, type Renderer } from '../../../services/alerts/delivery-worker';
import { insertNewAlerts } from '../../../services/alerts/new-alerts';
import { systemClock } from '../../../services/clock';
import { loadConfig } from '../../../services/config';
import type { Database } from '../../../services/store/database';
import type { Engine } from '../../../services/store/engine';
import type { FakeConnector } from '../../helpers/fake-connector';
import type { VirtualTime } from '../../helpers/virtual-time';

/** Shared set-up for delivery tests: users with personal chats on the fake connector, one alert each. */

const NOW = '2026-11-25T10:00:00.000Z';

export async function seedDeliveries(db: Kysely<Database>, connector: FakeConnector, users: number, options: { prefix?: string; conversationType?: 'personal' | 'channel' } = {}): Promise<number[]> {
  const prefix = options.prefix ?? 'u';
  const existingLa = await db.selectFrom('local_authority').select('code').executeTakeFirst();
  if (!existingLa) await db.insertInto('local_authority').values({ code: '925', name: 'Test' }).execute();
  const alertKey = `test-alert-${prefix}-${Math.random()}`;
  const alert = { id: (await insertNewAlerts(db, [{ dedupe_key: alertKey, rule: 'disproportionality', scope: 'district', event_date: '2026-11-23', payload: '{}', created_at: NOW }])).get(alertKey)! };
  const ids: number[] = [];
  for (let i = 1; i <= users; i++) {
    const aad = `aad-${prefix}${i}`;
    const user = await db
      .insertInto('staff_user')
      .values({ aad_object_id: aad, email: `${prefix}${i}@example.org`, name: `User ${prefix}${i}`, role: 'la_manager', scope: 'county', created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    const conversationId = options.conversationType === 'channel' ? `19:${prefix}${i}@thread.tacv2;messageid=999` : `conv-${prefix}${i}`;
    await db
      .insertInto('conversation_ref')
      .values({
        conversation_id: conversationId,
        conversation_type: options.conversationType ?? 'personal',
        tenant_id: 'tenant-1',
        aad_object_id: options.conversationType === 'channel' ? null : aad,
        team_id: null,
        channel_id: null,
        service_url: connector.serviceUrl,
        reference_json: JSON.stringify({
          channelId: 'msteams',
          serviceUrl: connector.serviceUrl,
          bot: { id: '28:bot', name: 'Inclusion Assistant' },
          user: { id: `29:${prefix}${i}`, aadObjectId: aad },
          conversation: { id: conversationId, conversationType: options.conversationType ?? 'personal', tenantId: 'tenant-1' },
        }),
        updated_at: NOW,
        gone_at: null,
      })
      .execute();
    const row = await db
      .insertInto('alert_outbox')
      .values({
        dedupe_key: `test-${prefix}-${alert.id}>user:${user.id}`,
        alert_id: alert.id,
        subscriber_key: options.conversationType === 'channel' ? `conversation:${conversationId}` : `user:${user.id}`,
        staff_user_id: user.id,
        conversation_id: options.conversationType === 'channel' ? conversationId : null,
        kind: 'alert',
        status: 'pending',
        attempts: 0,
        next_attempt_at: '2000-01-01T00:00:00.000Z',
        claimed_by: null,
        claim_expires_at: null,
        sent_at: null,
        sent_conversation_id: null,
        activity_id: null,
        last_status: null,
        last_error: null,
        created_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return ids;
}

/** Renders "outbox <id>" so a test can tell which row a post came from. */
export const textRenderer: Renderer = {
  async render(row) {
    return { activity: { type: 'message', text: `outbox ${row.id}` } };
  },
};

export function makeWorker(db: Kysely<Database>, engine: Engine, options: Partial<DeliveryWorkerOptions> = {}): DeliveryWorker {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  return new DeliveryWorker({
    db,
    engine,
    clock: systemClock,
    transport: createConnectorTransport(config),
    renderer: textRenderer,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    pollMs: 50,
    ...options,
  });
}

/**
 * Waits until no row is pending or sending, or `limitMs` of virtual time went by (the caller then
 * asserts on what is left). Call it inside `vt.run`: it sleeps on the virtual clock.
 */
export async function settled(db: Kysely<Database>, vt: VirtualTime, limitMs = 15 * 60_000): Promise<void> {
  const until = vt.ms() + limitMs;
  while (vt.ms() < until) {
    const open = await db.selectFrom('alert_outbox').select('id').where('status', 'in', ['pending', 'sending']).execute();
    if (open.length === 0) return;
    await vt.sleep(25);
  }
}

export function deliveredOutboxIds(connector: FakeConnector): number[] {
  return connector
    .delivered()
    .map((p) => Number(String(p.activity.text).replace('outbox ', '')))
    .sort((a, b) => a - b);
}
