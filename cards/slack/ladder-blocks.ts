import type { OverviewView, ResultsView, RungView, ToolkitHeader } from '../../services/ladder/ladder-service';
import type { SituationPoint } from '../../services/ladder/situation-rules';
import { actions, button, context, divider, escapeSlack, header, longSection, message, section, type Block, type SlackMessage } from './block-kit';

/**
 * The ladder in Block Kit, from the same view models as the Adaptive Cards. Buttons carry the
 * same data as the Teams verbs ({ id, q }); `SLACK_LADDER_ACTIONS` names their action ids.
 */
export const SLACK_LADDER_ACTIONS = { rung: 'ladder.rung', overview: 'ladder.overview' } as const;

const bullets = (items: readonly string[]) => items.map((i) => `• ${escapeSlack(i)}`).join('\n');

function sample(view: ToolkitHeader): Block[] {
  return view.sample ? [context("*Sample content:* check your authority's published ladder before acting.")] : [];
}

function points(list: readonly SituationPoint[]): Block[] {
  if (list.length === 0) return [];
  const lines = list.map((p) => `• *${escapeSlack(p.because)}:* ${escapeSlack(p.text)} _(${escapeSlack(p.basis)})_`);
  return longSection(`*For this situation*\n${lines.join('\n')}`);
}

export function ladderOverviewBlocks(view: OverviewView): SlackMessage {
  const blocks: Block[] = [header(view.title), context(escapeSlack(view.authority)), ...sample(view)];
  if (view.principles.length) blocks.push(...longSection(bullets(view.principles)));
  for (const part of view.parts) {
    blocks.push(divider());
    const entries = part.entries.map((e) => `• *${escapeSlack(e.label)}:* ${escapeSlack(e.title)}`).join('\n');
    blocks.push(...longSection(`*${escapeSlack(part.title)}*\n${escapeSlack(part.summary)}\n${entries}`));
    blocks.push(...actions(part.entries.map((e) => button(e.label, `${SLACK_LADDER_ACTIONS.rung}.${e.id}`, { id: e.id }))));
  }
  return message(`${view.title}: the whole ladder`, blocks, 'Type `/inclusion ladder <step>` to open one rung.');
}

export function ladderRungBlocks(view: RungView): SlackMessage {
  const e = view.entry;
  const blocks: Block[] = [
    context(escapeSlack([view.partTitle, view.position].filter(Boolean).join(' · '))),
    header(`${e.label}: ${e.title}`),
    ...sample(view),
    section(escapeSlack(e.purpose)),
    ...points(view.points),
    ...longSection(`*What to do now*\n${view.checklist.map((i) => `${i.ticked ? '☑' : '☐'} ${escapeSlack(i.text)}`).join('\n')}`),
  ];
  if (e.la_services.length) {
    const lines = e.la_services.map((s) => {
      const name = s.link ? `<${s.link}|${escapeSlack(s.name).replace(/\|/g, '/')}>` : escapeSlack(s.name);
      return `• *${name}:* ${escapeSlack(s.offers)} Contact: ${escapeSlack(s.contact)}`;
    });
    blocks.push(...longSection(`*Who to call*\n${lines.join('\n')}`));
  }
  if (e.move_up_when.length) blocks.push(...longSection(`*${e.kind === 'rung' ? 'When to move up' : 'When to escalate'}*\n${bullets(e.move_up_when)}`));
  const q = view.query ? { q: view.query } : {};
  const nav = [
    ...(view.previous ? [button(`‹ ${view.previous.label}`, `${SLACK_LADDER_ACTIONS.rung}.${view.previous.id}`, { id: view.previous.id, ...q })] : []),
    ...(view.next ? [button(`${view.next.label} ›`, `${SLACK_LADDER_ACTIONS.rung}.${view.next.id}`, { id: view.next.id, ...q })] : []),
    button('Whole ladder', SLACK_LADDER_ACTIONS.overview),
  ];
  blocks.push(...actions(nav));
  return message(`Ladder: ${e.label}: ${e.title}`, blocks, 'Open the rung in Teams or the published ladder for the full text.');
}

function whyLine(view: ResultsView['matches'][number]): string {
  const terms = [...new Set(view.reasons.flatMap((r) => r.terms.map((t) => t.replace(/^"([^"]*)"/, '$1'))))];
  if (terms.length === 0) return '';
  const where = view.reasons[0] ? `, mostly in its ${view.reasons[0].field}` : '';
  return escapeSlack(`Matches: ${terms.slice(0, 4).join(', ')}${terms.length > 4 ? ' and more' : ''}${where}.`);
}

export function ladderResultsBlocks(view: ResultsView): SlackMessage {
  const blocks: Block[] = [header('Ladder: best matches'), context(`You asked: “${escapeSlack(view.query)}”`), ...sample(view)];
  if (view.corrections.length) blocks.push(context(`Read ${view.corrections.map((c) => `“${escapeSlack(c.from)}” as “${escapeSlack(c.to)}”`).join(', ')}.`));
  if (view.matches.length === 0) {
    blocks.push(section("I couldn't find a rung that fits. Try describing what the pupil does and what you have tried, e.g. “keeps walking out of lessons, PSP in place”."));
  }
  view.matches.forEach((m, i) => {
    const why = whyLine(m);
    blocks.push(
      section(`${i === 0 ? '*Best fit* · ' : ''}*${escapeSlack(m.entry.label)}: ${escapeSlack(m.entry.title)}*\n${escapeSlack(m.entry.purpose)}${why ? `\n_${why}_` : ''}`),
    );
  });
  blocks.push(...points(view.points));
  blocks.push(...actions([...view.matches.map((m) => button(`Open ${m.entry.label}`, `${SLACK_LADDER_ACTIONS.rung}.${m.entry.id}`, { id: m.entry.id, q: view.query })), button('Whole ladder', SLACK_LADDER_ACTIONS.overview)]));
  const best = view.matches[0];
  return message(best ? `Ladder: best fit ${best.entry.label}: ${best.entry.title}` : 'Ladder: no rung fits that question', blocks);
}
