/** "Now", injectable so deadlines and demos can be pinned (CLOCK_NOW) and tests are repeatable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock {
  const instant = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(instant.getTime())) throw new Error('fixedClock needs a valid date');
  return { now: () => new Date(instant.getTime()) };
}

export function clockFromConfig(clockNow: string | undefined): Clock {
  return clockNow ? fixedClock(clockNow) : systemClock;
}
