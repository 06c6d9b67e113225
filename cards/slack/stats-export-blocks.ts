import type { StatsReplyView } from '../../services/ladder/ladder-commands';
import type { ExportCardView } from '../cluster-export-card';
import { times, whatToDo } from '../ladder-stats-card';
import { SLACK_LADDER_ACTIONS } from './ladder-blocks';
import { button, context, escapeSlack, fieldSections, header, linkButton, longSection, messageWithActions, section, type Block, type SlackMessage } from './block-kit';

/**
 * `ladder stats` (LA managers) and `cluster <district> export` in Block Kit, from the same views as
 * the Teams cards (cards/ladder-stats-card.ts, cards/cluster-export-card.ts).
 */

/** Link buttons' action ids start so; the handler only acknowledges (Slack opens the link itself). */
export const SLACK_EXPORT_LINK = 'cluster.export.open';

export function ladderStatsBlocks(view: StatsReplyView): SlackMessage {
  const { stats } = view;
  const blocks: Block[] = [
    header('Ladder: how it is being used'),
    context(`${escapeSlack(view.periodLabel)}. Questions are shown as typed: check them for names before sharing.`),
    ...fieldSections([`*Searches*\n${stats.searches}`, `*Found useful*\n${stats.feedbackYes}`, `*Not useful*\n${stats.feedbackNo}`]),
  ];
  const asked = stats.mostAsked.map((q) => `“${escapeSlack(q.query)}”\n_Asked ${times(q.times)}; ${q.topEntryId ? `best match ${escapeSlack(view.labels.get(q.topEntryId) ?? q.topEntryId)}` : 'found no rung'}._`);
  blocks.push(...longSection(`*Most asked*\n${asked.length ? asked.join('\n') : 'No questions yet.'}`));
  const unhelpful = stats.foundNothingUseful.map((q) => {
    const what = [q.noMatch ? `found no rung ${times(q.noMatch)}` : '', q.saidNo ? `said not useful ${times(q.saidNo)}` : ''].filter(Boolean).join(', ');
    return `“${escapeSlack(q.query)}”\n_${what.charAt(0).toUpperCase()}${what.slice(1)}. ${escapeSlack(whatToDo(q))}_`;
  });
  blocks.push(...longSection(`*Found nothing useful*\n${unhelpful.length ? unhelpful.join('\n') : 'Nothing so far: every question found a rung and nobody said it did not help.'}`));
  if (unhelpful.length) {
    blocks.push(section("*What to do next*\nSend these questions to whoever looks after your ladder content. They add the words schools use to the ladder's word list, or as key words on the right rung; the next search then finds the right rung."));
  }
  return messageWithActions(`Ladder: ${stats.searches} searches`, blocks, [button('Whole ladder', SLACK_LADDER_ACTIONS.overview)]);
}

export function clusterExportBlocks(view: ExportCardView): SlackMessage {
  return messageWithActions(
    `Documents for the ${view.district} cluster meeting`,
    [
      section(`*${escapeSlack(view.district)} cluster meeting: documents to circulate*`),
      section(view.nameMode === 'names' ? 'The files carry pupils’ full names: share them only with people at the meeting who work with these pupils.' : 'Pupils appear as initials, year and school.'),
      context(`Each link works once, for ${view.minutesValid} minutes. Type the command again for new ones.`),
    ],
    [
      linkButton('Agenda (Word)', `${SLACK_EXPORT_LINK}.agenda`, view.agendaUrl),
      linkButton('Minutes (Word)', `${SLACK_EXPORT_LINK}.minutes`, view.minutesUrl),
      linkButton('Pupil list (CSV)', `${SLACK_EXPORT_LINK}.pupils`, view.pupilsUrl),
    ],
  );
}
