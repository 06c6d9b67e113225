import { readFileSync } from 'node:fs';

/**
 * A V8 heap snapshot (.heapsnapshot) read for bench/memory.ts: self sizes grouped by constructor
 * or type, and the objects that retain the most (retained size from the dominator tree, as the
 * DevTools "Retainers" view counts it). Numbers are read from the file without making it one JS
 * string (it can exceed V8's string limit). Only names of constructors, properties and code are
 * printed, never string contents (they may be pupils' data).
 */
export interface SnapshotSummary {
  totalMb: number;
  byType: { name: string; mb: number; count: number }[];
  retainers: { name: string; retainedMb: number }[];
  /** Strings grouped by the object that holds them (their immediate dominator) and the edge name. */
  stringHolders: { name: string; mb: number; count: number }[];
}

const MB = 1024 * 1024;

function numbersBetween(text: Buffer, from: number, to: number): Uint32Array {
  const out: number[] = [];
  let value = -1;
  for (let i = from; i < to; i++) {
    const byte = text[i]!;
    if (byte >= 48 && byte <= 57) value = (value < 0 ? 0 : value * 10) + (byte - 48);
    else if (value >= 0) {
      out.push(value);
      value = -1;
    }
  }
  if (value >= 0) out.push(value);
  return Uint32Array.from(out);
}

export function summariseHeapSnapshot(file: string, top = 15): SnapshotSummary {
  const text = readFileSync(file);
  const nodesAt = text.indexOf('"nodes":[');
  const edgesAt = text.indexOf('"edges":[');
  const afterEdges = text.indexOf('"trace_function_infos"') > 0 ? text.indexOf('"trace_function_infos"') : text.indexOf('"strings":[');
  const stringsAt = text.indexOf('"strings":[');
  const header = JSON.parse(text.subarray(0, nodesAt).toString().replace(/,\s*$/, '') + '}') as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  };
  const { node_fields: nodeFields, node_types: [nodeTypes], edge_fields: edgeFields, edge_types: [edgeTypes] } = header.snapshot.meta;
  const nodes = numbersBetween(text, nodesAt + 8, edgesAt);
  const edges = numbersBetween(text, edgesAt + 8, afterEdges);
  const strings = JSON.parse(text.subarray(stringsAt + '"strings":'.length, text.lastIndexOf(']') + 1).toString()) as string[];

  const nodeWidth = nodeFields.length;
  const edgeWidth = edgeFields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nodeFields.indexOf(f)) as [number, number, number, number];
  const [edgeTypeAt, edgeNameAt, edgeToAt] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f)) as [number, number, number];
  const count = nodes.length / nodeWidth;
  const weak = edgeTypes.indexOf('weak');
  const typeOf = (n: number) => nodeTypes[nodes[n * nodeWidth + typeAt]!]!;
  const selfOf = (n: number) => nodes[n * nodeWidth + sizeAt]!;
  const labelOf = (n: number) => {
    const type = typeOf(n);
    const name = (strings[nodes[n * nodeWidth + nameAt]!] ?? '?').slice(0, 60).replace(/\s+/g, ' ');
    if (type === 'object') return name;
    if (type === 'closure' || type === 'native' || type === 'array' || type === 'hidden' || type === 'synthetic') return `(${type}) ${name}`;
    return `(${type})`;
  };

  // Edges of node n are edges[firstEdge[n] .. firstEdge[n + 1]).
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0; n < count; n++) firstEdge[n + 1] = firstEdge[n]! + nodes[n * nodeWidth + edgeCountAt]! * edgeWidth;

  // Self sizes by constructor or type.
  const groups = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let n = 0; n < count; n++) {
    const label = labelOf(n);
    const group = groups.get(label) ?? { bytes: 0, count: 0 };
    group.bytes += selfOf(n);
    group.count++;
    total += selfOf(n);
    groups.set(label, group);
  }

  // Dominators (Cooper, Harvey and Kennedy's iterative algorithm) over strong edges from the root.
  const order = new Int32Array(count).fill(-1); // postorder number
  const byOrder = new Uint32Array(count);
  let visited = 0;
  {
    const stack = [0];
    const cursor = new Uint32Array(count);
    const seen = new Uint8Array(count);
    seen[0] = 1;
    cursor[0] = firstEdge[0]!;
    while (stack.length) {
      const n = stack[stack.length - 1]!;
      if (cursor[n]! < firstEdge[n + 1]!) {
        const e = cursor[n]!;
        cursor[n] = e + edgeWidth;
        if (edges[e + edgeTypeAt] === weak) continue;
        const to = edges[e + edgeToAt]! / nodeWidth;
        if (!seen[to]) {
          seen[to] = 1;
          cursor[to] = firstEdge[to]!;
          stack.push(to);
        }
      } else {
        stack.pop();
        order[n] = visited;
        byOrder[visited++] = n;
      }
    }
  }
  // Predecessors of each reachable node, in compressed form.
  const predCount = new Uint32Array(count + 1);
  for (let n = 0; n < count; n++) {
    if (order[n]! < 0) continue;
    for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e += edgeWidth) if (edges[e + edgeTypeAt] !== weak) predCount[edges[e + edgeToAt]! / nodeWidth + 1]!++;
  }
  for (let n = 0; n < count; n++) predCount[n + 1]! += predCount[n]!;
  const preds = new Uint32Array(predCount[count]!);
  const fill = predCount.slice(0, count);
  for (let n = 0; n < count; n++) {
    if (order[n]! < 0) continue;
    for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e += edgeWidth) {
      if (edges[e + edgeTypeAt] === weak) continue;
      const to = edges[e + edgeToAt]! / nodeWidth;
      preds[fill[to]!++] = n;
    }
  }
  const idom = new Int32Array(count).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = visited - 2; i >= 0; i--) {
      const n = byOrder[i]!;
      let dom = -1;
      for (let p = predCount[n]!; p < predCount[n + 1]!; p++) {
        const pred = preds[p]!;
        if (idom[pred]! < 0) continue;
        dom = dom < 0 ? pred : intersect(pred, dom);
      }
      if (dom >= 0 && idom[n] !== dom) {
        idom[n] = dom;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(count);
  for (let i = 0; i < visited; i++) {
    const n = byOrder[i]!;
    retained[n]! += selfOf(n);
    if (n !== 0) retained[idom[n]!]! += retained[n]!;
  }
  // Name each big object by how its dominator reaches it ("Map in Object.cache").
  const reachedAs = (n: number) => {
    const d = idom[n]!;
    for (let e = firstEdge[d]!; e < firstEdge[d + 1]!; e += edgeWidth) {
      if (edges[e + edgeToAt]! / nodeWidth !== n) continue;
      const type = edgeTypes[edges[e + edgeTypeAt]!];
      const name = type === 'element' || type === 'hidden' ? `[${edges[e + edgeNameAt]}]` : String(strings[edges[e + edgeNameAt]!] ?? '?').slice(0, 40);
      return `${labelOf(d)}.${name}`;
    }
    return labelOf(d);
  };
  const candidates: number[] = [];
  for (let n = 1; n < count; n++) {
    const type = typeOf(n);
    if (order[n]! >= 0 && (type === 'object' || type === 'closure' || type === 'array' || type === 'native') && retained[n]! >= MB / 2 && typeOf(idom[n]!) !== 'synthetic') candidates.push(n);
  }
  candidates.sort((a, b) => retained[b]! - retained[a]!);
  const holders = new Map<string, { bytes: number; count: number }>();
  for (let n = 1; n < count; n++) {
    if (order[n]! < 0 || !typeOf(n).includes('string')) continue;
    const holder = reachedAs(n).replace(/\[\d+\]$/, '[i]');
    const group = holders.get(holder) ?? { bytes: 0, count: 0 };
    group.bytes += retained[n]!;
    group.count++;
    holders.set(holder, group);
  }
  return {
    totalMb: total / MB,
    byType: [...groups.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top).map(([name, g]) => ({ name, mb: g.bytes / MB, count: g.count })),
    retainers: chainHeads(candidates, idom, retained, top).map((n) => ({ name: `${labelOf(n)} (in ${reachedAs(n)})`, retainedMb: retained[n]! / MB })),
    stringHolders: [...holders.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top).map(([name, g]) => ({ name, mb: g.bytes / MB, count: g.count })),
  };
}

/**
 * The biggest retainers, without the chain below each: an object whose listed holder retains
 * barely more than it does (a Map and its table, a closure and its context) adds nothing.
 */
function chainHeads(sorted: number[], idom: Int32Array, retained: Float64Array, top: number): number[] {
  const chosen = new Set<number>();
  for (const n of sorted) {
    if (chosen.size >= top) break;
    let covered = false;
    for (let up = idom[n]!; up > 0 && retained[up]! <= retained[n]! * 1.25; up = idom[up]!) {
      if (chosen.has(up)) {
        covered = true;
        break;
      }
    }
    if (!covered) chosen.add(n);
  }
  return [...chosen];
}

if (require.main === module) {
  const summary = summariseHeapSnapshot(process.argv[2]!, Number(process.argv[3] ?? 25));
  process.stdout.write(JSON.stringify(summary, null, 1) + '\n');
}
