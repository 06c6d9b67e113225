import type { PlacesOverview } from '../../services/places/places-overview';
import { weekdayDate } from '../../services/calendar/dates';
import { context, escapeSlack, header, longSection, message, section, type Block, type SlackMessage } from './block-kit';

/**
 * `places` in Block Kit, from the same view as the Teams card (cards/places-card.ts): occupancy
 * per hub, who leaves soon, who waits past day 6; figures-only roles get the counts.
 */

const PHASE_LABELS = { primary: 'primary', secondary: 'secondary', all_through: 'all ages' } as const;

export function placesBlocks(view: PlacesOverview): SlackMessage {
  const blocks: Block[] = [header(`Alternative provision places: ${view.area}`), context(`Today, ${weekdayDate(view.today)}`)];
  if (view.hubs.length === 0) blocks.push(section('No hubs are recorded in your area (the authority imports them with `npm run import -- ap-places`).'));
  else {
    const lines = view.hubs.map((h) => {
      const freeNow = h.free.commissioned + h.free.transient;
      return `*${escapeSlack(h.hub)}* · ${escapeSlack(h.district)} (${PHASE_LABELS[h.phase]})\ncommissioned ${h.commissioned - h.free.commissioned} of ${h.commissioned} · transient ${h.transient - h.free.transient} of ${h.transient} · ${freeNow === 0 ? '*full*' : `${freeNow} free`}`;
    });
    blocks.push(...longSection(`*Occupancy today* (places taken)\n${lines.join('\n')}`));
  }
  const list = (title: string, count: number, rows: string[] | null, none: string) => {
    if (rows === null) return [section(`*${title}* (${count})\nYour role sees the number only.`)];
    if (rows.length === 0) return [section(`*${title}* (${count})\n${none}`)];
    return longSection(`*${title}* (${count})\n${rows.join('\n')}${count > rows.length ? `\nand ${count - rows.length} more` : ''}`);
  };
  blocks.push(
    ...list(
      `Due to leave by ${weekdayDate(view.leavingUntil)}`,
      view.leavingCount,
      view.leaving?.map((l) => `• ${escapeSlack(l.label)} · ${escapeSlack(l.hub)}: last day ${weekdayDate(l.lastDay)} (${l.kind})`) ?? null,
      'Nobody.',
    ),
    ...list(
      `${view.waitingCount > 0 ? ':warning: ' : ''}Waiting for a place on or after day 6`,
      view.waitingCount,
      view.waiting?.map(
        (w) => `• ${escapeSlack(w.label)} · ${escapeSlack(w.schoolName)}: day 6 ${w.schoolDaysPast === 0 ? 'is today' : `was ${weekdayDate(w.daySix)}, ${w.schoolDaysPast} school day${w.schoolDaysPast === 1 ? '' : 's'} ago`}`,
      ) ?? null,
      'Nobody: every permanently excluded pupil past day 6 has a place recorded.',
    ),
  );
  if (view.minimised && view.leaving !== null) blocks.push(context('Initials only here: ask in your direct message with the Inclusion Assistant for names.'));
  blocks.push(context('Basis: Education Act 1996 s.19(3A): full-time education from the sixth school day of a permanent exclusion.'));
  return message('Alternative provision places', blocks);
}
