import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/**
 * Checks manifest/slack-app.yaml, the Slack app manifest an admin pastes into "Create an app from
 * a manifest", and its Socket Mode twin manifest/slack-app-socket-mode.yaml: only the fields
 * Slack's manifest knows (a misspelt key would be dropped by Slack without a word), the types it
 * expects, and the values this bot needs (its bot scopes, the /inclusion command, its events, the
 * Home tab, interactivity; with Socket Mode off every request URL at /slack/events over https, with
 * it on no request URLs at all, since Slack then sends everything over the socket). Each problem
 * names file:line: field.
 */

/** The bot scopes the Slack edge uses (slash command, DMs, mentions, alerts by DM, matching by email). */
export const SLACK_BOT_SCOPES = ['commands', 'chat:write', 'im:write', 'im:history', 'app_mentions:read', 'users:read', 'users:read.email'] as const;
export const SLACK_BOT_EVENTS = ['message.im', 'app_mention', 'app_home_opened'] as const;
export const SLACK_SLASH_COMMAND = '/inclusion';
const EVENTS_PATH = '/slack/events';

type Shape =
  | { kind: 'string'; max?: number; required?: boolean; pattern?: RegExp; hint?: string }
  | { kind: 'boolean'; required?: boolean }
  | { kind: 'integer'; required?: boolean }
  | { kind: 'strings'; required?: boolean; pattern?: RegExp; hint?: string }
  | { kind: 'map'; fields: Record<string, Shape>; required?: boolean }
  | { kind: 'list'; item: Shape & { kind: 'map' }; required?: boolean };

const str = (extra: Omit<Extract<Shape, { kind: 'string' }>, 'kind'> = {}): Shape => ({ kind: 'string', ...extra });
const bool = (required = false): Shape => ({ kind: 'boolean', required });
const url = (required = true): Shape => str({ required, pattern: /^https:\/\/[^\s/]+\//, hint: 'an https:// URL' });

/** The fields of Slack's app manifest (api.slack.com/reference/manifests) this checker knows. */
const MANIFEST: Shape & { kind: 'map' } = {
  kind: 'map',
  fields: {
    _metadata: { kind: 'map', fields: { major_version: { kind: 'integer' }, minor_version: { kind: 'integer' } } },
    display_information: {
      kind: 'map',
      required: true,
      fields: { name: str({ required: true, max: 35 }), description: str({ max: 140 }), long_description: str({ max: 4000 }), background_color: str({ pattern: /^#[0-9a-fA-F]{6}$/, hint: 'a colour like #1d4f91' }) },
    },
    features: {
      kind: 'map',
      required: true,
      fields: {
        app_home: { kind: 'map', fields: { home_tab_enabled: bool(), messages_tab_enabled: bool(), messages_tab_read_only_enabled: bool() } },
        bot_user: { kind: 'map', required: true, fields: { display_name: str({ required: true, max: 80 }), always_online: bool() } },
        shortcuts: { kind: 'list', item: { kind: 'map', fields: { name: str({ required: true }), callback_id: str({ required: true }), description: str({ required: true }), type: str({ required: true, pattern: /^(message|global)$/, hint: 'message or global' }) } } },
        slash_commands: {
          kind: 'list',
          required: true,
          item: { kind: 'map', fields: { command: str({ required: true, pattern: /^\/[a-z0-9_-]{1,31}$/, hint: 'a slash and a lower-case name' }), url: url(false), description: str({ required: true, max: 2000 }), usage_hint: str({ max: 1000 }), should_escape: bool() } },
        },
        unfurl_domains: { kind: 'strings' },
      },
    },
    oauth_config: {
      kind: 'map',
      required: true,
      fields: {
        redirect_urls: { kind: 'strings' },
        scopes: { kind: 'map', required: true, fields: { bot: { kind: 'strings', required: true, pattern: /^[a-z_]+(:[a-z_.]+)?$/, hint: 'a scope name like chat:write' }, user: { kind: 'strings' } } },
      },
    },
    settings: {
      kind: 'map',
      required: true,
      fields: {
        allowed_ip_address_ranges: { kind: 'strings' },
        // The request URLs are required with Socket Mode off and refused with it on (checked below).
        event_subscriptions: { kind: 'map', required: true, fields: { request_url: url(false), bot_events: { kind: 'strings', required: true }, user_events: { kind: 'strings' } } },
        interactivity: { kind: 'map', required: true, fields: { is_enabled: bool(true), request_url: url(false), message_menu_options_url: url(false) } },
        org_deploy_enabled: bool(),
        socket_mode_enabled: bool(true),
        token_rotation_enabled: bool(),
      },
    },
  },
};

export function checkSlackManifest(text: string, label: string): string[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 1);
  if (doc.errors.length) return doc.errors.map((e) => `${label}:${e.linePos?.[0].line ?? 1}: YAML: ${e.message.split('\n')[0]}`);
  const problems: string[] = [];
  const say = (node: Node | null | undefined, field: string, message: string): void => {
    problems.push(`${label}:${lineOf(node)}: ${field}: ${message}`);
  };

  function check(node: Node | null, shape: Shape, field: string, parent: Node | null): void {
    if (node === null || (isScalar(node) && node.value === null)) {
      if (shape.required) say(parent, field, 'is required');
      return;
    }
    switch (shape.kind) {
      case 'string': {
        if (!isScalar(node) || typeof node.value !== 'string') return say(node, field, 'must be text');
        if (node.value.trim() === '') return say(node, field, 'must not be empty');
        if (shape.max && node.value.length > shape.max) say(node, field, `is ${node.value.length} characters; Slack allows ${shape.max}`);
        if (shape.pattern && !shape.pattern.test(node.value)) say(node, field, `${JSON.stringify(node.value)} is not ${shape.hint ?? 'valid'}`);
        return;
      }
      case 'boolean':
        if (!isScalar(node) || typeof node.value !== 'boolean') say(node, field, 'must be true or false');
        return;
      case 'integer':
        if (!isScalar(node) || !Number.isInteger(node.value)) say(node, field, 'must be a whole number');
        return;
      case 'strings':
        if (!isSeq(node)) return say(node, field, 'must be a list');
        node.items.forEach((item, i) => check(item as Node, { kind: 'string', pattern: shape.pattern, hint: shape.hint }, `${field}[${i}]`, node));
        return;
      case 'list':
        if (!isSeq(node)) return say(node, field, 'must be a list');
        node.items.forEach((item, i) => check(item as Node, shape.item, `${field}[${i}]`, node));
        return;
      case 'map': {
        if (!isMap(node)) return say(node, field, 'must be a mapping of fields');
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : '?';
          const name = field ? `${field}.${key}` : key;
          const known = shape.fields[key];
          if (!known) say(pair.key as Node, name, `is not a field Slack's app manifest knows (known here: ${Object.keys(shape.fields).join(', ')})`);
          else check((pair.value as Node | null) ?? null, known, name, pair.key as Node);
        }
        for (const [key, sub] of Object.entries(shape.fields)) {
          // Named at the key that holds this mapping, where the missing field belongs.
          if (sub.required && !node.has(key)) say(parent ?? node, field ? `${field}.${key}` : key, 'is required');
        }
        return;
      }
    }
  }
  check(doc.contents as Node | null, MANIFEST, '', null);
  if (problems.length) return problems;

  // The values this bot needs (the shapes are right by now).
  const value = (path: string[]) => doc.getIn(path) as unknown;
  const nodeAt = (path: (string | number)[]) => doc.getIn(path, true) as Node | undefined;
  /** The key of a field (its line is where the field starts; a list's value starts a line below). */
  const keyAt = (path: string[]): Node | undefined => {
    const holder = path.length > 1 ? nodeAt(path.slice(0, -1)) : (doc.contents as Node);
    if (!isMap(holder)) return undefined;
    return holder.items.find((pair) => isScalar(pair.key) && pair.key.value === path.at(-1))?.key as Node | undefined;
  };
  const scopes = (value(['oauth_config', 'scopes', 'bot']) as { toJSON(): string[] }).toJSON();
  for (const scope of SLACK_BOT_SCOPES) if (!scopes.includes(scope)) say(keyAt(['oauth_config', 'scopes', 'bot']), 'oauth_config.scopes.bot', `must include ${scope}`);
  const events = (value(['settings', 'event_subscriptions', 'bot_events']) as { toJSON(): string[] }).toJSON();
  for (const event of SLACK_BOT_EVENTS) if (!events.includes(event)) say(keyAt(['settings', 'event_subscriptions', 'bot_events']), 'settings.event_subscriptions.bot_events', `must include ${event}`);
  const commands = (value(['features', 'slash_commands']) as { toJSON(): { command: string; url: string }[] }).toJSON();
  const inclusion = commands.findIndex((c) => c.command === SLACK_SLASH_COMMAND);
  if (inclusion < 0) say(keyAt(['features', 'slash_commands']), 'features.slash_commands', `must declare ${SLACK_SLASH_COMMAND}`);
  if (value(['settings', 'interactivity', 'is_enabled']) !== true) say(nodeAt(['settings', 'interactivity', 'is_enabled']), 'settings.interactivity.is_enabled', 'must be true (the cards have buttons)');
  if (value(['features', 'app_home', 'home_tab_enabled']) !== true) say(nodeAt(['features', 'app_home', 'home_tab_enabled']) ?? keyAt(['features']), 'features.app_home.home_tab_enabled', 'must be true (the App Home shows each person their page)');
  const socketMode = value(['settings', 'socket_mode_enabled']) === true;
  const urls: [(string | number)[], string][] = [
    [['settings', 'event_subscriptions', 'request_url'], 'settings.event_subscriptions.request_url'],
    [['settings', 'interactivity', 'request_url'], 'settings.interactivity.request_url'],
    ...commands.map((_c, i): [(string | number)[], string] => [['features', 'slash_commands', i, 'url'], `features.slash_commands[${i}].url`]),
  ];
  for (const [path, field] of urls) {
    const node = nodeAt(path);
    if (socketMode) {
      // Slack would still post to a URL left in: nothing answers there in Socket Mode.
      if (node !== undefined) say(node, field, 'must be left out with Socket Mode on (Slack sends events, commands and buttons over the socket)');
      continue;
    }
    if (node === undefined || !isScalar(node)) {
      say(keyAt(path.slice(0, -1).filter((p): p is string => typeof p === 'string')), field, 'is required with Socket Mode off (Slack posts here), or set settings.socket_mode_enabled: true');
      continue;
    }
    if (!new URL(String(node.value)).pathname.endsWith(EVENTS_PATH)) say(node, field, `must end in ${EVENTS_PATH} (Bolt's one endpoint for events, commands and buttons)`);
  }
  return problems;
}
