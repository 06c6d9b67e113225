import { clip, context, type Block, type InputElement, type SelectOption } from './block-kit';

/**
 * Slack modals (views.open): the form inputs and the view itself, with Slack's limits enforced so
 * no builder can produce a view Slack rejects: 100 blocks, a 24-character title and buttons,
 * 100 options a select (75 characters each), 3,000 characters of private metadata.
 */

export const MAX_MODAL_BLOCKS = 100;
const MAX_MODAL_TITLE = 24;
const MAX_OPTIONS = 100;
const MAX_OPTION_TEXT = 75;
const MAX_OPTION_VALUE = 150;
const MAX_LABEL = 2000;
const MAX_PLACEHOLDER = 150;
const MAX_METADATA = 3000;
const MAX_INPUT_LENGTH = 3000;

export interface ModalView {
  type: 'modal';
  callback_id: string;
  title: { type: 'plain_text'; text: string };
  submit?: { type: 'plain_text'; text: string };
  close: { type: 'plain_text'; text: string };
  private_metadata: string;
  blocks: Block[];
}

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: clip(text, max) });

function input(blockId: string, label: string, element: InputElement, hint?: string): Block {
  // Every review field may be left empty: what is required together is the service's rule, not Slack's.
  return { type: 'input', block_id: blockId, label: plain(label, MAX_LABEL), element, optional: true, ...(hint ? { hint: plain(hint, MAX_LABEL) } : {}) };
}

export function textInput(blockId: string, label: string, options: { multiline?: boolean; maxLength?: number; initial?: string; placeholder?: string; hint?: string } = {}): Block {
  const maxLength = Math.min(options.maxLength ?? MAX_INPUT_LENGTH, MAX_INPUT_LENGTH);
  return input(
    blockId,
    label,
    {
      type: 'plain_text_input',
      action_id: blockId,
      ...(options.multiline ? { multiline: true } : {}),
      max_length: maxLength,
      // What was typed comes back after an error; longer than Slack allows, it is cut so the form still opens.
      ...(options.initial ? { initial_value: Array.from(options.initial).slice(0, maxLength).join('') } : {}),
      ...(options.placeholder ? { placeholder: plain(options.placeholder, MAX_PLACEHOLDER) } : {}),
    },
    options.hint,
  );
}

export function selectInput(blockId: string, label: string, choices: readonly { text: string; value: string }[], options: { initial?: string; placeholder?: string; hint?: string } = {}): Block {
  const list: SelectOption[] = choices
    .filter((c) => c.value.length <= MAX_OPTION_VALUE)
    .slice(0, MAX_OPTIONS)
    .map((c) => ({ text: plain(c.text, MAX_OPTION_TEXT), value: c.value }));
  const initial = list.find((o) => o.value === options.initial);
  return input(
    blockId,
    label,
    { type: 'static_select', action_id: blockId, options: list, ...(initial ? { initial_option: initial } : {}), ...(options.placeholder ? { placeholder: plain(options.placeholder, MAX_PLACEHOLDER) } : {}) },
    options.hint,
  );
}

export function dateInput(blockId: string, label: string, options: { initial?: string; hint?: string } = {}): Block {
  const initial = options.initial && /^\d{4}-\d{2}-\d{2}$/.test(options.initial) ? options.initial : undefined;
  return input(blockId, label, { type: 'datepicker', action_id: blockId, ...(initial ? { initial_date: initial } : {}) }, options.hint);
}

/**
 * The modal. The form's inputs always survive: past 100 blocks the information above them is cut,
 * and the last information block says so. Metadata that would not fit is refused (a bug, not data).
 */
export function modal(spec: { callbackId: string; title: string; submit?: string; close?: string; metadata: object; info: readonly Block[]; inputs?: readonly Block[] }): ModalView {
  const metadata = JSON.stringify(spec.metadata);
  if (metadata.length > MAX_METADATA) throw new Error('modal: private metadata over 3,000 characters');
  const inputs = spec.inputs ?? [];
  const room = MAX_MODAL_BLOCKS - inputs.length;
  const info = spec.info.length <= room ? [...spec.info] : [...spec.info.slice(0, room - 1), context(`${spec.info.length - room + 1} more parts not shown.`)];
  return {
    type: 'modal',
    callback_id: spec.callbackId,
    title: plain(spec.title, MAX_MODAL_TITLE),
    ...(spec.submit ? { submit: plain(spec.submit, MAX_MODAL_TITLE) } : {}),
    close: plain(spec.close ?? 'Close', MAX_MODAL_TITLE),
    private_metadata: metadata,
    blocks: [...info, ...inputs],
  };
}
