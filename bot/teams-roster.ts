/** How long a turn waits for Teams' roster API before going on without its answer. */
export const ROSTER_TIMEOUT_MS = 2000;

/** Members per roster page: the most Teams' paged members API returns in one call. */
export const ROSTER_MEMBERS_PER_PAGE = 500;

/**
 * A roster call (TeamsInfo) that gives up after `timeoutMs`: a slow connector must not hold the
 * turn. The timer is cleared once the call settles, so nothing is left pending.
 */
export async function withinRosterTimeout<T>(call: Promise<T>, timeoutMs: number = ROSTER_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('roster look-up timed out')), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([call, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
