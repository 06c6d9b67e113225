import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { projectPath } from '../project-paths';

/**
 * "Nearest other districts" for offering places: data/ap/district-neighbours.json lists, for each
 * district, the others nearest first. It is content the authority owns, like the calendar; the
 * ranking is a plain list rather than computed distances so a team can put a district with a good
 * bus route ahead of a closer one. Names match regardless of case.
 */

export const DEFAULT_NEIGHBOURS_FILE = 'data/ap/district-neighbours.json';

const fileSchema = z.object({ about: z.string().optional(), neighbours: z.record(z.array(z.string().min(1)).max(100)) }).strict();

export type NeighbourTable = ReadonlyMap<string, readonly string[]>;

let cached: NeighbourTable | undefined;

export function neighbourTableFrom(data: unknown): NeighbourTable {
  const parsed = fileSchema.parse(data);
  return new Map(Object.entries(parsed.neighbours).map(([district, list]) => [district.toLowerCase(), list.map((d) => d.toLowerCase())]));
}

/** The shipped table, read once. */
export function loadNeighbourTable(file = DEFAULT_NEIGHBOURS_FILE): NeighbourTable {
  if (file === DEFAULT_NEIGHBOURS_FILE && cached) return cached;
  const table = neighbourTableFrom(JSON.parse(readFileSync(projectPath(file), 'utf8')));
  if (file === DEFAULT_NEIGHBOURS_FILE) cached = table;
  return table;
}

/**
 * How near each district is to `home`: 0 for home itself, then 1, 2, ... in the table's order;
 * districts the table does not list come last, by name.
 */
export function districtRanks(home: string, districts: readonly string[], table: NeighbourTable): Map<string, number> {
  const listed = table.get(home.toLowerCase()) ?? [];
  const ranks = new Map<string, number>();
  const rest: string[] = [];
  for (const d of districts) {
    if (d.toLowerCase() === home.toLowerCase()) ranks.set(d, 0);
    else {
      const at = listed.indexOf(d.toLowerCase());
      if (at >= 0) ranks.set(d, at + 1);
      else rest.push(d);
    }
  }
  rest.sort((a, b) => a.localeCompare(b));
  rest.forEach((d, i) => ranks.set(d, listed.length + 1 + i));
  return ranks;
}
