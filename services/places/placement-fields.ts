import { upnProblem } from '../domain/upn';
import { isCalendarDate } from '../importers/fields';
import { hasControlCharacters } from '../util/text-input';
import { fewestFreeBetween, hubTakesPhase, phaseOfYear, type PlacementSpan } from './free-places';
import type { HubInfo } from './places-repository';
import type { PlaceKind } from './places-schema';

/**
 * The rules for one placement, shared by the `ap-placements` file and `POST /api/ap-placements`:
 * field shapes first (checkPlacementFields), then whether it fits (checkPlacementFit: the hub exists,
 * takes the pupil's phase and has a free place of the kind on every day of the placement). Messages
 * name the field and never echo the UPN.
 */

export interface RawPlacement {
  upn?: unknown;
  provider?: unknown;
  hub?: unknown;
  start_date?: unknown;
  end_date?: unknown;
  place_kind?: unknown;
}

export interface PlacementFields {
  upn: string;
  provider: string;
  hub: string;
  start: string;
  end: string | null;
  kind: PlaceKind;
}

export interface FieldProblem {
  field: string;
  message: string;
}

const KIND_SPELLINGS: ReadonlyMap<string, PlaceKind> = new Map<string, PlaceKind>([
  ['commissioned', 'commissioned'],
  ['c', 'commissioned'],
  ['transient', 'transient'],
  ['t', 'transient'],
]);

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function isoDate(value: string): string | null {
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const iso = uk ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` : value;
  return isCalendarDate(iso) ? iso : null;
}

export function checkPlacementFields(raw: RawPlacement): { record?: PlacementFields; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const fail = (field: string, message: string) => problems.push({ field, message });
  const upn = text(raw.upn).toUpperCase();
  if (upn === '') fail('upn', 'is empty');
  else if (upnProblem(upn) !== null) fail('upn', 'is not a valid UPN (13 characters with a correct check letter)');
  const names: Record<'provider' | 'hub', string> = { provider: '', hub: '' };
  for (const field of ['provider', 'hub'] as const) {
    const value = text(raw[field]).replace(/\s+/g, ' ');
    if (value === '') fail(field, 'is empty');
    else if (value.length > 200 || hasControlCharacters(value)) fail(field, 'is longer than 200 characters or holds a control character');
    names[field] = value;
  }
  const startText = text(raw.start_date);
  const start = startText === '' ? null : isoDate(startText);
  if (startText === '') fail('start_date', 'is empty (expected a date, YYYY-MM-DD)');
  else if (!start) fail('start_date', 'is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)');
  const endText = text(raw.end_date);
  const end = endText === '' ? null : isoDate(endText);
  if (endText !== '' && !end) fail('end_date', 'is not a date (expected YYYY-MM-DD, or DD/MM/YYYY, or empty while the place runs on)');
  else if (start && end && end < start) fail('end_date', 'is before the start date');
  const kindText = text(raw.place_kind).toLowerCase();
  const kind = KIND_SPELLINGS.get(kindText);
  if (kindText === '') fail('place_kind', 'is empty (expected commissioned or transient)');
  else if (!kind) fail('place_kind', `"${kindText.slice(0, 20)}" is not commissioned or transient`);
  if (problems.length > 0 || !start || !kind) return { problems };
  return { record: { upn, provider: names.provider, hub: names.hub, start, end, kind }, problems };
}

/** Lower-cased "provider|hub": how a hub is named in files and requests. */
export function hubKey(provider: string, hub: string): string {
  return `${provider.toLowerCase()}|${hub.toLowerCase()}`;
}

/**
 * Whether the placement fits: the hub takes the pupil's phase, and a place of the kind is free on
 * every day from start to end. `others` are the placements already held, without this one (a
 * re-import of the same placement must not count it against itself).
 */
export function checkPlacementFit(
  hub: HubInfo,
  ncYear: number,
  placement: Pick<PlacementFields, 'start' | 'end' | 'kind'>,
  others: readonly PlacementSpan[],
): FieldProblem | undefined {
  const phase = phaseOfYear(ncYear);
  if (!hubTakesPhase(hub.phase, phase)) return { field: 'hub', message: `${hub.hub} takes ${hub.phase} pupils; this pupil is ${phase}` };
  const free = fewestFreeBetween(hub, others, placement.kind, placement.start, placement.end);
  if (free < 1) return { field: 'place_kind', message: `no ${placement.kind} place is free at ${hub.hub} for the whole placement (all ${hub[placement.kind]} taken on at least one of its days)` };
  return undefined;
}
