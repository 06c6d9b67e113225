import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createConnectorTransport } from '../bot/connector-transport';
import { DeliveryWorker } from '../services/alerts/delivery-worker';
import { TEAMS_CONVERSATION_WINDOWS, type Window } from '../services/alerts/send-pacer';
import { systemClock } from '../services/clock';
import { loadConfig } from '../services/config';
import { openStore } from '../services/store/open-store';
import { startFakeConnector } from '../test/helpers/fake-connector';
import { seedDeliveries, textRenderer } from '../test/services/alerts/delivery-fixtures';

/**
 * Budget: proactive delivery through the fake connector at 90% or more of the rate Teams allows,
 * with no 429 storms and nothing lost. The fake connector enforces Teams' documented limits (50
 * per second per tenant; 7/1 s, 8/2 s, 60/30 s per conversation) and answers 429 (Retry-After: 1)
 * to anything over them, so pacing mistakes show up as 429s. The worker paces through the store
 * (send_slot bookings, as several instances would share them), here SQLite in memory.
 *
 *   npx tsx bench/alert-delivery.ts [--users 1000] [--one-conversation 40]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const USERS = Number(args.get('users') ?? 1000);
const ONE = Number(args.get('one-conversation') ?? 40);

async function run(label: string, users: number, oneConversationMessages: number) {
  const connector = await startFakeConnector({ teamsLimits: true });
  const store = await openStore({ engine: 'sqlite', target: ':memory:' });
  const ids = await seedDeliveries(store.db, connector, users, { prefix: label });
  if (oneConversationMessages > 1) {
    const [first] = await store.db.selectFrom('alert_outbox').selectAll().where('id', '=', ids[0]!).execute();
    for (let i = 1; i < oneConversationMessages; i++) {
      await store.db.insertInto('alert_outbox').values({ ...first!, id: undefined as never, dedupe_key: `${first!.dedupe_key}#${i}` }).execute();
    }
  }
  const worker = new DeliveryWorker({ db: store.db, engine: 'sqlite', clock: systemClock, transport: createConnectorTransport(loadConfig({ LOG_LEVEL: 'silent' })), renderer: textRenderer, pollMs: 20 });
  const started = performance.now();
  worker.start();
  const expected = users + Math.max(0, oneConversationMessages - 1);
  while (connector.delivered().length < expected && performance.now() - started < 600_000) await new Promise((r) => setTimeout(r, 20));
  await worker.stop();
  const delivered = connector.delivered();
  const times = delivered.map((p) => p.at).sort((a, b) => a - b);
  const span = (times[times.length - 1]! - times[0]!) / 1000;
  const throttled = connector.posts.filter((p) => p.status === 429).length;
  const unique = new Set(delivered.map((p) => String(p.activity.text))).size;
  await store.close();
  await connector.close();
  return { delivered: delivered.length, unique, expected, span, throttled, wall: (performance.now() - started) / 1000 };
}

async function main() {
  const many = await run('m', USERS, 1);
  const manyRate = (many.delivered - 1) / many.span;
  const one = await run('o', 1, ONE);
  const oneRate = (one.delivered - 1) / one.span;
  // What the windows allow for ONE messages to one conversation, sent as early as possible.
  const ideal = idealSpan(ONE, TEAMS_CONVERSATION_WINDOWS);
  const idealRate = (ONE - 1) / ideal;
  const lines = [
    '# Proactive delivery through the fake connector',
    '',
    'Budget: at least 90% of the rate Teams allows, no 429 storms, nothing lost. The fake connector enforces Teams\' limits and answers 429 to anything over them.',
    `Result: many chats **${manyRate.toFixed(1)} messages/s = ${((manyRate / 50) * 100).toFixed(0)}%** of the 50/s tenant limit; one chat **${((oneRate / idealRate) * 100).toFixed(0)}%** of the fastest schedule its windows allow; ${many.throttled + one.throttled} answers of 429; ${many.delivered + one.delivered} of ${many.expected + one.expected} delivered, each once.`,
    '',
    `Command: \`npx tsx bench/alert-delivery.ts --users ${USERS} --one-conversation ${ONE}\``,
    '',
    `Machine: Node ${process.version}, ${cpus().length} cores, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' / ')}. Measured ${new Date().toISOString().slice(0, 10)}. Worker, store (SQLite in memory; the pacer\'s bookings live there too, as with several instances) and fake connector share one process.`,
    '',
    '| case | delivered (unique) | 429s | first to last send (s) | rate (msg/s) | allowed (msg/s) | ratio |',
    '|---|---|---|---|---|---|---|',
    `| ${USERS} personal chats, one tenant | ${many.delivered} (${many.unique}) | ${many.throttled} | ${many.span.toFixed(2)} | ${manyRate.toFixed(1)} | 50 | ${((manyRate / 50) * 100).toFixed(0)}% |`,
    `| ${ONE} cards to one chat | ${one.delivered} (${one.unique}) | ${one.throttled} | ${one.span.toFixed(2)} | ${oneRate.toFixed(2)} | ${idealRate.toFixed(2)} (7/1 s, 8/2 s, 60/30 s) | ${((oneRate / idealRate) * 100).toFixed(0)}% |`,
  ];
  const text = lines.join('\n') + '\n';
  writeFileSync(join(__dirname, 'results', 'alert-delivery.md'), text);
  process.stdout.write(text);
}

/** Seconds from first to last of n sends when each goes at the earliest moment every window allows. */
function idealSpan(n: number, windows: readonly Window[]): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = times.length ? times[times.length - 1]! : 0;
    for (const w of windows) if (times.length >= w.limit) t = Math.max(t, times[times.length - w.limit]! + w.ms);
    times.push(t);
  }
  return (times[times.length - 1]! - times[0]!) / 1000;
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
