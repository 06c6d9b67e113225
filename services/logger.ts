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
