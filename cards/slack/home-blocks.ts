import type { OpenListPage } from '../../services/alerts/alert-digest';
import { weekdayDate } from '../../services/calendar/dates';
import type { MyActionsView } from '../../services/cluster/cluster-actions';
import { schoolDaysLeftText } from '../alert-card';
import { ncYear } from '../cluster-card-parts';
import { actions, button, clip, context, divider, escapeSlack, header, longSection, MAX_TEXT, section, type Block } from './block-kit';

/**
 * The Slack App Home: the person's own page (their open actions, the alerts waiting for them,
 * their subscriptions, and "Describe a situation" into the ladder), from the same views as the
 * Teams cards. Only that person sees their Home, so pupils are named as in a direct message.
 */

export const SLACK_HOME_ACTIONS = {
  describe: 'home.describe',
  refresh: 'home.refresh',
} as const;

/** The modal's callback id and its one input's block and action ids. */
export const SLACK_DESCRIBE_VIEW = { callbackId: 'home.describe.submit', block: 'situation', action: 'situation_text' } as const;

/** Slack allows 100 blocks in a Home view; the message cap (50) keeps it short and readable. */
const MAX_HOME_BLOCKS = 100;
const LIST_ROWS = 10;

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

export interface HomeContent {
  name: string;
  roleLabel: string;
  scopeDescription: string;
  myActions: MyActionsView;
  alerts: OpenListPage;
  /** Each subscription in words (area, alert types, where it sends). */
  subscriptions: string[];
}

const describeButtons = (): Block[] =>
  actions([button('Describe a situation', SLACK_HOME_ACTIONS.describe, undefined, 'primary'), button('Refresh', SLACK_HOME_ACTIONS.refresh)]);

function actionLines(view: MyActionsView): string {
  if (view.actions.length === 0) return 'You have no open actions from cluster meetings.';
  const lines = view.actions
    .slice(0, LIST_ROWS)
    .map((a) => `${a.overdue ? '*Overdue* · ' : ''}due ${weekdayDate(a.dueDate)} · *${escapeSlack(a.label)}* · ${ncYear(a.ncYear)} · ${escapeSlack(a.schoolName)}\n${escapeSlack(clip(a.description, 200))}`);
  const more = view.actions.length - LIST_ROWS + view.more;
  return `${lines.join('\n\n')}${more > 0 ? `\n\n_${more} more: type \`/inclusion my actions\`_` : ''}`;
}

function alertLines(page: OpenListPage): string {
  if (page.figuresOnly) return `${page.total} open. Your role sees figures only, not individual pupils.`;
  if (page.items.length === 0) return 'Nothing open.';
  const lines = page.items
    .slice(0, LIST_ROWS)
    .map((i) => `*${escapeSlack(i.title)}*${i.who ? ` · ${escapeSlack(i.who)}` : ''} · ${escapeSlack(i.schoolName)}${i.due ? `\n${weekdayDate(i.due)} · ${schoolDaysLeftText(i.schoolDaysLeft)}` : ''}`);
  const more = page.total - Math.min(page.items.length, LIST_ROWS);
  return `${lines.join('\n\n')}${more > 0 ? `\n\n_${more} more open: type \`/inclusion alerts list\` for all of them_` : ''}`;
}

export function homeBlocks(content: HomeContent): HomeView {
  const blocks: Block[] = [
    header(`Inclusion Assistant · ${content.name}`),
    context(`${escapeSlack(content.roleLabel)} · ${escapeSlack(content.scopeDescription)}`),
    ...describeButtons(),
    divider(),
    section(`*Your open actions* (${content.myActions.actions.length + content.myActions.more})`),
    ...longSection(actionLines(content.myActions)),
    divider(),
    section(`*Alerts waiting for you* (${content.alerts.total})`),
    ...longSection(alertLines(content.alerts)),
    divider(),
    section('*Your alert subscriptions*'),
    section(content.subscriptions.length ? content.subscriptions.map((s) => `• ${escapeSlack(s)}`).join('\n') : 'You receive no alerts.'),
    context('Choose where alerts reach you: type `/inclusion alerts subscribe in slack` (or `in teams`, `in both`; an area before it if you have several) in your direct message with the assistant, or the same without `/inclusion` in Teams.'),
  ];
  return { type: 'home', blocks: blocks.slice(0, MAX_HOME_BLOCKS) };
}

/** For someone Slack cannot match to a staff user: how to be added, and the ladder, which is open to all. */
export function notSetUpHomeBlocks(message: string): HomeView {
  return {
    type: 'home',
    blocks: [
      header('Inclusion Assistant'),
      section(escapeSlack(message)),
      context('Once you are added, this page shows your open actions, the alerts waiting for you and your subscriptions.'),
      section('Meanwhile you can describe a situation to see where it sits on the behaviour ladder.'),
      ...describeButtons(),
    ],
  };
}

/** The "Describe a situation" modal: one multi-line text input, answered by DM with the ladder's result. */
export function describeModal(): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: SLACK_DESCRIBE_VIEW.callbackId,
    title: { type: 'plain_text', text: 'Describe a situation' },
    submit: { type: 'plain_text', text: 'Find on the ladder' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: SLACK_DESCRIBE_VIEW.block,
        label: { type: 'plain_text', text: 'What happened?' },
        hint: { type: 'plain_text', text: 'No names, please: e.g. "a Y9 pupil swore at a teacher". The answer comes to your direct messages.' },
        element: { type: 'plain_text_input', action_id: SLACK_DESCRIBE_VIEW.action, multiline: true, max_length: Math.min(MAX_TEXT, 500) },
      },
    ],
  };
}
