/**
 * Block Kit, the few block types the Slack replies use, and Slack's limits enforced here so no
 * builder can produce a message Slack rejects: 50 blocks a message, 3,000 characters a section
 * text, 10 fields a section (2,000 characters each), 150 characters a header, 75 a button label.
 */

export const MAX_BLOCKS = 50;
export const MAX_TEXT = 3000;
export const MAX_FIELDS = 10;
export const MAX_FIELD_TEXT = 2000;
export const MAX_HEADER = 150;
const MAX_BUTTON_TEXT = 75;
const MAX_BUTTON_VALUE = 2000;
const MAX_ACTIONS = 25;
const MAX_CONTEXT_ELEMENTS = 10;

export interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
}
export interface ButtonElement {
  type: 'button';
  text: { type: 'plain_text'; text: string };
  action_id: string;
  value?: string;
  /** A link button: Slack opens it (and still tells the app, which only acknowledges). */
  url?: string;
  style?: 'primary' | 'danger';
}
/** The inputs a modal's form uses (cards/slack/modal-kit.ts builds them). */
export type InputElement =
  | { type: 'plain_text_input'; action_id: string; multiline?: boolean; max_length?: number; initial_value?: string; placeholder?: { type: 'plain_text'; text: string } }
  | { type: 'static_select'; action_id: string; options: SelectOption[]; initial_option?: SelectOption; placeholder?: { type: 'plain_text'; text: string } }
  | { type: 'datepicker'; action_id: string; initial_date?: string; placeholder?: { type: 'plain_text'; text: string } };
export interface SelectOption {
  text: { type: 'plain_text'; text: string };
  value: string;
}
export type Block =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text?: TextObject; fields?: TextObject[]; accessory?: ButtonElement }
  | { type: 'input'; block_id: string; label: { type: 'plain_text'; text: string }; element: InputElement; optional?: boolean; hint?: { type: 'plain_text'; text: string } }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'actions'; elements: ButtonElement[] }
  | { type: 'divider' };

/** What chat.postMessage / response_url take: `text` is the notification and screen-reader fallback. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Cuts to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function clip(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

/** Slack's three control characters in user or content text. */
export function escapeSlack(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The catalogue and services write Teams markdown (**bold**, [title](url)); Slack's mrkdwn is
 * *bold* and <url|title>. Escapes first, so only these two constructs become markup.
 */
export function mrkdwnFromMarkdown(value: string): string {
  return escapeSlack(value)
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, (_m, title: string, url: string) => `<${url}|${title.replace(/\|/g, '/')}>`);
}

const mrkdwn = (text: string, max = MAX_TEXT): TextObject => ({ type: 'mrkdwn', text: clip(text, max) });

export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: clip(text, MAX_HEADER) } });

export const divider = (): Block => ({ type: 'divider' });

export function section(text: string): Block {
  return { type: 'section', text: mrkdwn(text) };
}

/** A section with one button beside its text (a row with its own action, e.g. Review). */
export function sectionWithButton(text: string, accessory: ButtonElement): Block {
  return { type: 'section', text: mrkdwn(text), accessory };
}

/** Fields in pairs on screen; more than 10 become further sections rather than being dropped. */
export function fieldSections(fields: readonly string[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < fields.length; i += MAX_FIELDS) {
    blocks.push({ type: 'section', fields: fields.slice(i, i + MAX_FIELDS).map((f) => mrkdwn(f, MAX_FIELD_TEXT)) });
  }
  return blocks;
}

export function context(...texts: string[]): Block {
  return { type: 'context', elements: texts.slice(0, MAX_CONTEXT_ELEMENTS).map((t) => mrkdwn(t)) };
}

export function button(label: string, actionId: string, value?: object, style?: ButtonElement['style']): ButtonElement {
  const json = value === undefined ? undefined : JSON.stringify(value);
  return {
    type: 'button',
    text: { type: 'plain_text', text: clip(label, MAX_BUTTON_TEXT) },
    // A value Slack would refuse is left off: the handler then answers "out of date".
    action_id: actionId,
    ...(json !== undefined && json.length <= MAX_BUTTON_VALUE ? { value: json } : {}),
    ...(style ? { style } : {}),
  };
}

/** A button that opens a web address (at most 3,000 characters). */
export function linkButton(label: string, actionId: string, url: string): ButtonElement {
  return { type: 'button', text: { type: 'plain_text', text: clip(label, MAX_BUTTON_TEXT) }, action_id: actionId, ...(url.length <= MAX_TEXT ? { url } : {}) };
}

export function actions(elements: readonly ButtonElement[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < elements.length; i += MAX_ACTIONS) blocks.push({ type: 'actions', elements: elements.slice(i, i + MAX_ACTIONS) });
  return blocks;
}

/**
 * Long text as several sections, split at line ends, each within the 3,000-character limit (a
 * single line longer than that is clipped).
 */
export function longSection(text: string): Block[] {
  const blocks: Block[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const piece = clip(line, MAX_TEXT);
    if (current !== '' && current.length + 1 + piece.length > MAX_TEXT) {
      blocks.push(section(current));
      current = piece;
    } else {
      current = current === '' ? piece : `${current}\n${piece}`;
    }
  }
  if (current !== '') blocks.push(section(current));
  return blocks;
}

/**
 * The finished message. Past 50 blocks the rest is cut and the last block says so and what to do
 * instead, so a long answer is visibly incomplete, never silently.
 */
export function message(fallbackText: string, blocks: readonly Block[], whenCut = 'Ask for something narrower to see the rest.'): SlackMessage {
  const text = clip(fallbackText, MAX_TEXT);
  if (blocks.length <= MAX_BLOCKS) return { text, blocks: [...blocks] };
  const kept = blocks.slice(0, MAX_BLOCKS - 1);
  return { text, blocks: [...kept, context(`${blocks.length - kept.length} more parts not shown. ${whenCut}`)] };
}

/**
 * A message whose last blocks are buttons that must survive a cut (paging, Review, Show names):
 * the buttons are kept and the content before them is cut to make room, saying so.
 */
export function messageWithActions(fallbackText: string, blocks: readonly Block[], buttons: readonly ButtonElement[], whenCut?: string): SlackMessage {
  const tail = actions(buttons);
  const body = message(fallbackText, blocks, whenCut);
  if (body.blocks.length + tail.length <= MAX_BLOCKS) return { text: body.text, blocks: [...body.blocks, ...tail] };
  const room = MAX_BLOCKS - tail.length;
  const kept = blocks.slice(0, room - 1);
  return { text: body.text, blocks: [...kept, context(`${blocks.length - kept.length} more parts not shown. ${whenCut ?? 'Ask for something narrower to see the rest.'}`), ...tail] };
}

/** A one-line answer (a notice, a prompt) as a message. */
export function noticeMessage(markdown: string): SlackMessage {
  const text = mrkdwnFromMarkdown(markdown);
  return { text: clip(text, MAX_TEXT), blocks: [section(text)] };
}
