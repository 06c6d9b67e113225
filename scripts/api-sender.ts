/**
 * `npx tsx scripts/api-sender.ts create <name> <scope>` prints a new API key for POST /api/exclusions
 * (shown once; only its hash is stored). Scope: `county`, or `school:<urn>;...` / `district:<name>`.
 * `npx tsx scripts/api-sender.ts revoke <name>` stops a key working.
 */
import 'dotenv/config';
import { systemClock } from '../services/clock';
import { createApiSender, revokeApiSender } from '../services/exclusions/exclusion-intake';
import { openStore } from '../services/store/open-store';

async function main(args: string[]): Promise<number> {
  const [command, name, scope] = args.filter((a) => a !== '--');
  if (!(command === 'create' && name && scope) && !(command === 'revoke' && name)) {
    process.stderr.write('usage: scripts/api-sender.ts create <name> <scope> | revoke <name>\n');
    return 2;
  }
  const store = await openStore(process.env.DATABASE_URL);
  try {
    if (command === 'create') {
      const { key } = await createApiSender(store.db, name, scope!, systemClock);
      process.stdout.write(`${name}: ${key}\n(store it now: it cannot be shown again)\n`);
      return 0;
    }
    const revoked = await revokeApiSender(store.db, name, systemClock);
    process.stdout.write(revoked ? `${name}: revoked\n` : `${name}: no live key with that name\n`);
    return revoked ? 0 : 1;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`api-sender failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
