import type { HelpView } from '../help-card';
import { context, escapeSlack, header, longSection, message, mrkdwnFromMarkdown, type SlackMessage } from './block-kit';

/** The help card in Block Kit, from the same view: what this person may ask, as `/inclusion <command>`. */
export function helpBlocks(view: HelpView): SlackMessage {
  const lines = view.commands.map((c) => {
    const example = c.example ? ` _e.g._ \`/inclusion ${escapeSlack(c.example)}\`` : '';
    return `*\`/inclusion ${escapeSlack(c.usage)}\`*\n${mrkdwnFromMarkdown(c.description)}${example}`;
  });
  return message(`What I can do for you, ${view.userName}`, [
    header('Inclusion Assistant'),
    context(`${escapeSlack(view.userName)} · ${escapeSlack(view.roleLabel)} · ${escapeSlack(view.scopeDescription)}`),
    ...longSection(lines.join('\n\n')),
    context('You can also message me directly, or mention me in a channel, with the same commands (without `/inclusion`).'),
  ]);
}
