/**
 * One JSON line per event on stderr. Callers pass ids and counts, never pupil names, UPNs or dates
 * of birth: the log leaves the authority's control once shipped to a log service.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const min = ORDER[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>, event: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    write(JSON.stringify({ at: new Date().toISOString(), level: lvl, event, ...fields }));
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
  };
}

export const silentLogger: Logger = createLogger('silent');

/** An error's class and message only: stacks and causes can carry row data from a driver. */
export function describeError(error: unknown): { error: string; message: string } {
  if (error instanceof Error) return { error: error.name, message: error.message.slice(0, 300) };
  return { error: 'NonError', message: String(error).slice(0, 300) };
}

/** Logs one line per refusal (bad token, wrong tenant), at most `perMinute` per reason. */
export interface RefusalLog {
  refuse(reason: string, fields?: Record<string, unknown>): void;
}

/**
 * Refusals come from outside and can arrive by the thousand: each is one JSON line with the
 * reason and where it came from (never the token), up to `perMinute` lines per reason per
 * minute; the rest are counted and reported as one "suppressed" line when the minute is over.
 */
export function createRefusalLog(logger: Logger, options: { perMinute?: number; now?: () => number } = {}): RefusalLog {
  const perMinute = options.perMinute ?? 20;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; logged: number; suppressed: number }>();
  return {
    refuse(reason, fields = {}) {
      const at = now();
      let window = windows.get(reason);
      if (!window || at - window.start >= 60_000) {
        if (window && window.suppressed > 0) {
          logger.warn('request.refused.suppressed', { reason, suppressed: window.suppressed, windowSeconds: 60 });
        }
        window = { start: at, logged: 0, suppressed: 0 };
        windows.set(reason, window);
      }
      if (window.logged < perMinute) {
        window.logged++;
        logger.warn('request.refused', { reason, ...fields });
      } else {
        window.suppressed++;
      }
    },
  };
}
