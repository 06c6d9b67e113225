import { randomUUID } from 'node:crypto';
import type { ConversationType } from '../../services/store/database';

/** Teams-like identities: aadObjectIds in the Playground's (not strictly GUID) shape. */
export const TEST_USERS = {
  manager: { id: '29:manager', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Manager' },
  attendanceOfficer: { id: '29:officer', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Ola Officer' },
  schoolLeader: { id: '29:leader', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Sam Leader' },
  clusterMember: { id: '29:member', aadObjectId: '00000000-0000-0000-0000-0000000000023', name: 'Chris Member' },
  admin: { id: '29:admin', aadObjectId: '00000000-0000-0000-0000-0000000000024', name: 'Ada Admin' },
  stranger: { id: '29:stranger', aadObjectId: '00000000-0000-0000-0000-0000000000099', name: 'Pat Stranger' },
} as const;

export type TestUser = { id: string; aadObjectId: string; name: string };

export interface ActivityOptions {
  from?: TestUser;
  conversationType?: ConversationType;
  conversationId?: string;
  serviceUrl?: string;
  /** Replies come back in the HTTP response instead of going to a connector. */
  expectReplies?: boolean;
  replyToId?: string;
}

function base(options: ActivityOptions) {
  const from = options.from ?? TEST_USERS.manager;
  const conversationType = options.conversationType ?? 'personal';
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl ?? 'http://127.0.0.1:1/connector/',
    timestamp: new Date().toISOString(),
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: '28:bot', name: 'Inclusion Assistant' },
    conversation: {
      id: options.conversationId ?? `conv-${conversationType}-${from.id}`,
      conversationType,
      isGroup: conversationType !== 'personal',
      tenantId: 'tenant-1',
    },
    channelData: {
      tenant: { id: 'tenant-1' },
      ...(conversationType === 'channel' ? { team: { id: 'team-1' }, channel: { id: '19:channel-1' } } : {}),
    },
    ...(options.expectReplies === false ? {} : { deliveryMode: 'expectReplies' }),
    ...(options.replyToId ? { replyToId: options.replyToId } : {}),
  };
}

export function messageActivity(text: string, options: ActivityOptions = {}) {
  return { ...base(options), type: 'message', text };
}

/** A message in a channel or group chat that @mentions the bot, as Teams sends it. */
export function mentionActivity(text: string, options: ActivityOptions = {}) {
  const activity = base({ conversationType: 'channel', ...options });
  return {
    ...activity,
    type: 'message',
    text: `<at>Inclusion Assistant</at> ${text}`,
    entities: [{ type: 'mention', text: '<at>Inclusion Assistant</at>', mentioned: { id: '28:bot', name: 'Inclusion Assistant' } }],
  };
}

/** An Action.Execute press on a card (Universal Actions). */
export function executeActivity(verb: string, data: Record<string, unknown> = {}, options: ActivityOptions = {}) {
  // Teams sends invokes without expectReplies: the invoke response is the HTTP body.
  return {
    ...base({ expectReplies: false, ...options }),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    replyToId: options.replyToId ?? 'card-message-1',
  };
}
