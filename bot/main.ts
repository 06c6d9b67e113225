import 'dotenv/config';
import { clockFromConfig } from '../services/clock';
import { ConfigError, isAuthEnabled, loadConfig } from '../services/config';
import { createLogger, describeError } from '../services/logger';
import { openStore } from '../services/store/open-store';
import { parseDatabaseUrl } from '../services/store/engine';
import { CalendarError, loadCalendar } from '../services/calendar/school-calendar';
import { LadderContentError } from '../services/ladder/ladder-loader';
import { ladderServiceFor } from '../services/ladder/ladder-service';
import { startAlertServices } from './alert-delivery';
import { createConnectorTransport } from './connector-transport';
import { startOverdueReminders } from './routes/cluster-routes';
import { createBotServer } from './server';

/** Two: this machine class has two cores; more workers would only queue behind each other. */
const SQLITE_READ_WORKERS = 2;

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
  const logger = createLogger(config.LOG_LEVEL);
  const clock = clockFromConfig(config.CLOCK_NOW);
  if (!isAuthEnabled(config)) {
    logger.warn('auth.disabled', {
      message: 'MicrosoftAppId is empty: Bot Framework authentication is OFF. Use this only with local tools such as the Agents Playground.',
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
  const store = await openStore(location, { readWorkers: SQLITE_READ_WORKERS });
  logger.info('store.open', { engine: store.engine });

  const bot = createBotServer(config, { store, clock, logger, calendar, ladder });
  const alerts = config.ALERT_DELIVERY === 'on' ? startAlertServices(config, { store, clock, calendar, logger }, { dailyAt: config.ALERT_SCHEDULE_AT }) : undefined;
  // Overdue cluster actions go to their owners through the same proactive switch as alerts.
  const stopReminders = config.ALERT_DELIVERY === 'on' ? startOverdueReminders({ store, clock, logger }, createConnectorTransport(config)) : undefined;
  const { port } = await bot.listen();
  logger.info('server.listening', { port, endpoint: `http://localhost:${port}/api/messages` });

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
