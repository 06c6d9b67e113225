import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Teams, Slack or both (issue 11): alert_subscription.channel, where a person's own subscription
 * sends ('teams', 'slack' or 'both'; null: Teams when they have a live Teams chat, else Slack), and
 * alert_outbox.channel, set only when the worker splits a message for someone on both ('teams' on
 * the original row, 'slack' on its copy), so each copy goes to its own channel exactly once.
 */
export function deliveryChannelMigration(_engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('alert_subscription').addColumn('channel', 'text').execute();
      await db.schema.alterTable('alert_outbox').addColumn('channel', 'text').execute();
    },
  };
}
