import type { CommandInfo } from '../services/commands/command-catalogue';
import { placeholders } from '../services/util/teams-text';
import { adaptiveCard, column, columns, container, escapeMarkdown, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';

export interface HelpView {
  /** The staff user's own name: they are reading it, so it is not pupil data. */
  userName: string;
  roleLabel: string;
  scopeDescription: string;
  commands: readonly CommandInfo[];
}

{ placeholders };

export function helpCard(view: HelpView): AdaptiveCard {
  const rows: CardElement[] = view.commands.map((command, index) =>
    columns(
      [
        column([text(`**${escapeMarkdown(placeholders(command.usage))}**`)], '2'),
        column(
          [
            text(escapeMarkdown(placeholders(command.description))),
            ...(command.example ? [subtle(`Try: ${escapeMarkdown(placeholders(command.example))}`)] : []),
          ],
          '3',
        ),
      ],
      { separator: index > 0, spacing: 'small' },
    ),
  );
  return adaptiveCard(
    [
      heading('Inclusion Assistant'),
      subtle(`${escapeMarkdown(view.userName)} · ${escapeMarkdown(view.roleLabel)} · ${escapeMarkdown(view.scopeDescription)}`),
      text('Here is what you can ask me. Type a command as shown; words in ‹ › are yours to fill in, words in [ ] you may leave out.', {
        spacing: 'medium',
      }),
      container(rows, { spacing: 'medium' }),
      subtle('You can also ask in your own words, for example “show me Boston’s agenda” or “what are my overdue actions?”. A worry about a child’s safety goes to your designated safeguarding lead, not to this chat.'),
    ],
    { fallbackText: 'Inclusion Assistant help: type a command such as "help".' },
  );
}
