import type { Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { DeliveryChannel } from '../store/tables/alerts';

/**
 * Teams, Slack or both (issue 11): "a user may be on Teams, Slack or both; the subscription says
 * where". `alerts subscribe ... in slack` stores the channel on that personal subscription. A
 * person's own messages (alert cards, the summary, the digest, reminders) go to every channel
 * their subscriptions name; with none named, to Teams when they have a live Teams chat, else to
 * Slack. Channel and group chat subscriptions post in that chat, so they take no channel.
 */

const CHANNEL_WORDS: Readonly<Record<string, DeliveryChannel>> = {
  teams: 'teams',
  slack: 'slack',
  both: 'both',
  'teams and slack': 'both',
  'slack and teams': 'both',
};

/**
 * Splits a trailing `in teams | in slack | in both | in teams and slack` off the subscribe words.
 * Taken from the end only, so a district or rule word is never read as a channel.
 */
export function splitChannel(words: readonly string[]): { words: string[]; channel: DeliveryChannel | null } {
  for (const size of [4, 2]) {
    const tail = words.slice(-size);
    if (tail.length === size && tail[0]!.toLowerCase() === 'in') {
      const channel = CHANNEL_WORDS[tail.slice(1).join(' ').toLowerCase()];
      if (channel) return { words: words.slice(0, -size), channel };
    }
  }
  return { words: [...words], channel: null };
}

export function describeChannel(channel: DeliveryChannel): string {
  return channel === 'both' ? 'Teams and Slack' : channel === 'teams' ? 'Teams' : 'Slack';
}

function union(a: DeliveryChannel | undefined, b: DeliveryChannel): DeliveryChannel {
  return a === undefined || a === b ? b : 'both';
}

/** The channel each user's own subscriptions name (users naming none are absent: the default applies). */
export function personalChannels(db: Kysely<Database>): (staffUserIds: readonly number[]) => Promise<Map<number, DeliveryChannel>> {
  return async (staffUserIds) => {
    const found = new Map<number, DeliveryChannel>();
    if (!staffUserIds.length) return found;
    const rows = await db
      .selectFrom('alert_subscription')
      .select(['staff_user_id', 'channel'])
      .where('staff_user_id', 'in', [...staffUserIds])
      .where('conversation_id', 'is', null)
      .where('area_kind', '!=', 'none')
      .where('channel', 'is not', null)
      .execute();
    for (const r of rows) found.set(r.staff_user_id, union(found.get(r.staff_user_id), r.channel!));
    return found;
  };
}
