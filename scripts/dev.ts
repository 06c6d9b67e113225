import { runDev } from './lib/dev-session';

/** `npm run dev`: the demo county, the bot and the Agents Playground together (scripts/lib/dev-session.ts). */
runDev(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`npm run dev failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
