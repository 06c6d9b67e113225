/**
 * Typed building blocks for Adaptive Cards 1.5, the Teams subset. Cards are plain JSON built by
 * pure functions: no template engine at run time (a typed builder is ~1000x faster, see bench/).
 */
import type { Verb } from './verbs';

export type TextSize = 'small' | 'default' | 'medium' | 'large' | 'extraLarge';
export type TextWeight = 'lighter' | 'default' | 'bolder';
export type TextColor = 'default' | 'dark' | 'light' | 'accent' | 'good' | 'warning' | 'attention';
export type Spacing = 'none' | 'small' | 'default' | 'medium' | 'large' | 'extraLarge' | 'padding';
export type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';

interface ElementBase {
  id?: string;
  spacing?: Spacing;
  separator?: boolean;
  isVisible?: boolean;
}

export interface TextBlock extends ElementBase {
  type: 'TextBlock';
  text: string;
  wrap?: boolean;
  size?: TextSize;
  weight?: TextWeight;
  color?: TextColor;
  isSubtle?: boolean;
  maxLines?: number;
  horizontalAlignment?: 'left' | 'center' | 'right';
}

export interface Fact {
  title: string;
  value: string;
}
export interface FactSet extends ElementBase {
  type: 'FactSet';
  facts: Fact[];
}

export interface Image extends ElementBase {
  type: 'Image';
  url: string;
  altText: string;
  size?: 'auto' | 'stretch' | 'small' | 'medium' | 'large';
  width?: string;
  height?: string;
}

export interface Container extends ElementBase {
  type: 'Container';
  items: CardElement[];
  style?: ContainerStyle;
  bleed?: boolean;
  selectAction?: CardAction;
}

export interface Column {
  type: 'Column';
  items: CardElement[];
  width?: 'auto' | 'stretch' | string;
  verticalContentAlignment?: 'top' | 'center' | 'bottom';
  selectAction?: CardAction;
  style?: ContainerStyle;
}
export interface ColumnSet extends ElementBase {
  type: 'ColumnSet';
  columns: Column[];
  selectAction?: CardAction;
  style?: ContainerStyle;
}

export interface ActionSet extends ElementBase {
  type: 'ActionSet';
  actions: CardAction[];
}

export interface InputBase extends ElementBase {
  id: string;
  label?: string;
  isRequired?: boolean;
  errorMessage?: string;
}
export interface InputText extends InputBase {
  type: 'Input.Text';
  placeholder?: string;
  value?: string;
  isMultiline?: boolean;
  maxLength?: number;
  /** Checked by the client before sending; pair it with the input's errorMessage. */
  regex?: string;
  style?: 'text' | 'tel' | 'url' | 'email';
}
export interface InputDate extends InputBase {
  type: 'Input.Date';
  value?: string;
  min?: string;
  max?: string;
}
export interface Choice {
  title: string;
  value: string;
}
export interface InputChoiceSet extends InputBase {
  type: 'Input.ChoiceSet';
  choices: Choice[];
  value?: string;
  style?: 'compact' | 'expanded';
  isMultiSelect?: boolean;
  placeholder?: string;
}
export interface InputToggle extends InputBase {
  type: 'Input.Toggle';
  title: string;
  value?: 'true' | 'false';
  valueOn?: string;
  valueOff?: string;
}

export type CardElement =
  | TextBlock
  | FactSet
  | Image
  | Container
  | ColumnSet
  | ActionSet
  | InputText
  | InputDate
  | InputChoiceSet
  | InputToggle;

export interface ActionExecute {
  type: 'Action.Execute';
  title: string;
  /** Only a registered verb: a button nobody routes would not compile. */
  verb: Verb;
  data?: Record<string, unknown>;
  style?: 'default' | 'positive' | 'destructive';
  associatedInputs?: 'auto' | 'none';
  id?: string;
}
export interface ActionOpenUrl {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}
export interface ActionShowCard {
  type: 'Action.ShowCard';
  title: string;
  card: AdaptiveCard;
}
export interface ActionToggleVisibility {
  type: 'Action.ToggleVisibility';
  title: string;
  targetElements: string[];
}
export type CardAction = ActionExecute | ActionOpenUrl | ActionShowCard | ActionToggleVisibility;

export interface CardRefresh {
  action: ActionExecute;
  /** Teams user ids (29:...) that get the per-user view automatically; at most 60. */
  userIds?: string[];
}

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema?: string;
  version: '1.5';
  body: CardElement[];
  actions?: CardAction[];
  refresh?: CardRefresh;
  fallbackText?: string;
  msteams?: { width?: 'Full' };
}

export function adaptiveCard(body: CardElement[], options: Omit<Partial<AdaptiveCard>, 'type' | 'version' | 'body'> = {}): AdaptiveCard {
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
  };
  if (options.actions && options.actions.length > 0) card.actions = options.actions;
  if (options.refresh) card.refresh = options.refresh;
  if (options.fallbackText) card.fallbackText = options.fallbackText;
  if (options.msteams) card.msteams = options.msteams;
  return card;
}

export function text(value: string, options: Omit<TextBlock, 'type' | 'text'> = {}): TextBlock {
  return { type: 'TextBlock', text: value, wrap: true, ...options };
}

export function heading(value: string, size: TextSize = 'medium'): TextBlock {
  return { type: 'TextBlock', text: value, wrap: true, size, weight: 'bolder' };
}

export function subtle(value: string): TextBlock {
  return { type: 'TextBlock', text: value, wrap: true, isSubtle: true, size: 'small', spacing: 'none' };
}

export function facts(entries: ReadonlyArray<readonly [string, string]>): FactSet {
  return { type: 'FactSet', facts: entries.map(([title, value]) => ({ title, value })) };
}

export function container(items: CardElement[], options: Omit<Container, 'type' | 'items'> = {}): Container {
  return { type: 'Container', items, ...options };
}

export function columns(cols: Column[], options: Omit<ColumnSet, 'type' | 'columns'> = {}): ColumnSet {
  return { type: 'ColumnSet', columns: cols, ...options };
}

export function column(items: CardElement[], width: Column['width'] = 'stretch', options: Omit<Column, 'type' | 'items' | 'width'> = {}): Column {
  return { type: 'Column', items, width, ...options };
}

export function bulletList(items: readonly string[]): TextBlock {
  return text(items.map((item) => `- ${item}`).join('\n'));
}

/**
 * Card text is Markdown in Teams: text that came from data (names, school names, free text
 * typed by a user) must not turn into links or formatting. Only what the Adaptive Cards Markdown
 * subset acts on is escaped (emphasis, code, links, line-start lists, headings and quotes), so
 * ordinary text such as "<district>" or "[agenda]" shows without backslashes.
 */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/([\\`*_~])/g, '\\$1')
    .replace(/\]\(/g, ']\\(')
    .replace(/^(\s*)([-+#>])(\s)/gm, '$1\\$2$3')
    .replace(/^(\s*)(\d+)\.(\s)/gm, '$1$2\\.$3');
}

/** Size as Teams measures it (UTF-16), for the 28 KB rule of thumb. */
export function cardSizeBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf16le');
}

export const CARD_SIZE_LIMIT_BYTES = 28 * 1024;
