import 'dotenv/config';
import { clockFromConfig } from '../services/clock';
import { ConfigError, isAuthEnabled, loadConfig, productionProblems } from '../services/config';
import { createLogger, describeError } from '../services/logger';
import { openStore } from '../services/store/open-store';
import { parseDatabaseUrl } from '../services/store/engine';
import { CalendarError, loadCalendar } from '../services/calendar/school-calendar';
import { LadderContentError } from '../services/ladder/ladder-loader';
import { ladderServiceFor } from '../services/ladder/ladder-service';
import { startAlertServices } from './alert-delivery';
import { startOverdueReminders } from '../services/alerts/overdue-reminder-schedule';
import { createBotServer } from './server';

/** Production entry: validate configuration, open and migrate the store, serve, stop cleanly. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Production never starts open: one line per missing safeguard, each naming its variable.
  const problems = productionProblems(config);
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`${problem.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const clock = clockFromConfig(config.CLOCK_NOW);
  if (!isAuthEnabled(config)) {
    logger.warn('auth.disabled', {
      message: 'MicrosoftAppId is empty: Bot Framework authentication is OFF and the bot listens on loopback only. Use this only with local tools such as the Agents Playground.',
    });
  }
  if (!config.ALLOWED_TENANTS) {
    logger.warn('tenants.unrestricted', {
      message: 'ALLOWED_TENANTS is empty: every Microsoft 365 organisation is served. Set it to your tenant id(s) before real use.',
    });
  }
  // Content the authority edits is checked before anything starts; its errors are listed in full
  // (file, line, field), since they carry no pupil data.
  let calendar;
  let ladder;
  try {
    calendar = loadCalendar(config.CALENDAR_FILE);
    ladder = config.LADDER_DIR ? ladderServiceFor(config.LADDER_DIR) : ladderServiceFor();
  } catch (error) {
    if (error instanceof CalendarError || error instanceof LadderContentError) {
      process.stderr.write(`inclusion-assistant cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const location = parseDatabaseUrl(config.DATABASE_URL);
  // Reads on worker threads: a long SQLite query must not stall every other chat (bench/command-latency.ts).
  const store = await openStore(location, { readWorkers: config.SQLITE_READ_WORKERS });
  logger.info('store.open', { engine: store.engine });

  const bot = createBotServer(config, { store, clock, logger, calendar, ladder, alertCardsPerDay: config.ALERT_CARDS_PER_DAY, clusterAgendaSize: config.CLUSTER_AGENDA_SIZE,
    identityCache: { ttlMs: config.IDENTITY_CACHE_SECONDS * 1000, maxUsers: config.IDENTITY_CACHE_USERS },
  });
  const alerts = config.ALERT_DELIVERY === 'on' ? startAlertServices(config, { store, clock, calendar, logger }, { dailyAt: config.ALERT_SCHEDULE_AT }) : undefined;
  // Overdue cluster actions are queued in the same outbox as alerts (one pacer, one retry policy).
  const stopReminders = alerts ? startOverdueReminders({ store, clock, logger }, () => alerts.worker.kick(), config.OVERDUE_REMINDER_MINUTES * 60_000) : undefined;
  const { port, host } = await bot.listen();
  logger.info('server.listening', { port, host, endpoint: `http://localhost:${port}/api/messages` });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('server.stopping', { signal, inFlight: bot.inFlight() });
    await bot.close();
    await alerts?.stop();
    stopReminders?.();
    await store.close();
    logger.info('server.stopped', {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`inclusion-assistant failed to start: ${describeError(error).message}\n`);
  process.exit(1);
});
