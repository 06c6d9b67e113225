import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Slack (issue 11): staff_user.slack_user_id, the Slack member id recorded when a Slack user is
 * first matched (like aad_object_id for Teams), unique when set; and audit_log.channel, which
 * channel a read or a change came through (null on rows written before: Teams).
 */
export function slackUserIdMigration(_engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('staff_user').addColumn('slack_user_id', 'text').execute();
      // Both engines let a unique index hold many NULLs, so only recorded ids must differ.
      await db.schema.createIndex('staff_user_slack_user_id_unique').unique().on('staff_user').column('slack_user_id').execute();
      await db.schema.alterTable('audit_log').addColumn('channel', 'text').execute();
    },
  };
}
