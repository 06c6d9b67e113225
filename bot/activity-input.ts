import type { TurnContext } from 'botbuilder';
import type { Logger } from '../services/logger';
import { cleanJson, cleanText, hasControlCharacters } from '../services/util/text-input';
import { markAnswered } from './turn-actor';

/**
 * The conversation edge's input normalisation, run before anything reads the activity: typed text
 * and card submissions lose control characters (a NUL would make PostgreSQL refuse the write and
 * lose a typed review), and an activity whose ids carry control characters (no Teams id does) is
 * dropped unanswered, on both stores alike, before any id is stored or looked up.
 */
export function normaliseActivity(context: TurnContext, logger: Logger): boolean {
  const a = context.activity;
  const channelData = (a.channelData ?? {}) as { tenant?: { id?: unknown }; team?: { id?: unknown }; channel?: { id?: unknown } };
  const ids: unknown[] = [
    a.id,
    a.replyToId,
    a.serviceUrl,
    a.conversation?.id,
    a.conversation?.tenantId,
    a.from?.id,
    a.from?.aadObjectId,
    a.recipient?.id,
    channelData.tenant?.id,
    channelData.team?.id,
    channelData.channel?.id,
  ];
  if (ids.some((id) => typeof id === 'string' && hasControlCharacters(id))) {
    // Ids are not logged: they could be anything the sender chose.
    logger.warn('turn.refused', { reason: 'control characters in an id', activity: a.type });
    markAnswered(context);
    return false;
  }
  if (typeof a.text === 'string') a.text = cleanText(a.text);
  if (a.value !== undefined) a.value = cleanJson(a.value);
  return true;
}
