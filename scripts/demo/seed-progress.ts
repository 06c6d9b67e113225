import { percentOf, ProgressLine, type ProgressStream } from '../../services/importers/progress';
import type { SeedPhase, SeedProgress } from './seed-demo-county';

const LABELS: Record<SeedPhase, string> = {
  plan: 'generating the county',
  clear: 'deleting existing case data',
  county: 'writing the authority, districts and schools',
  pupils: 'writing pupils',
  enrolments: 'writing enrolments',
  exclusions: 'writing exclusions',
  attendance: 'generating and writing attendance',
  users: 'writing demo staff users',
};

/** Share of the whole run each phase takes, for the overall percentage (measured on SQLite; "users" includes the commit). */
const WEIGHTS: Record<SeedPhase, number> = {
  plan: 12,
  clear: 2,
  county: 1,
  pupils: 5,
  enrolments: 3,
  exclusions: 1,
  attendance: 68,
  users: 8,
};
const ORDER: SeedPhase[] = ['plan', 'clear', 'county', 'pupils', 'enrolments', 'exclusions', 'attendance', 'users'];

/**
 * Shows the seed's progress on a stream (stderr): on a terminal one line redrawn in place with the
 * phase, its percentage and the overall percentage; elsewhere a line per phase and every 25% of the
 * long attendance phase, so CI logs stay short.
 */
export function seedProgressReporter(stream: ProgressStream, label = 'seed'): ((progress: SeedProgress) => void) & { end(): void } {
  const out = new ProgressLine(stream);
  let lastPhase: SeedPhase | undefined;
  let lastPercent = -1;
  let lastStep = -1;
  const report = (progress: SeedProgress) => {
    const percent = percentOf(progress.done, progress.total);
    const before = ORDER.slice(0, ORDER.indexOf(progress.phase)).reduce((s, p) => s + WEIGHTS[p], 0);
    const overall = Math.min(100, Math.floor(before + (WEIGHTS[progress.phase] * percent) / 100));
    const text = `${label}: ${LABELS[progress.phase]} ${percent}% (overall ${overall}%)`;
    if (out.onTerminal) {
      if (progress.phase === lastPhase && percent === lastPercent) return;
      out.redraw(text);
    } else {
      const step = progress.phase === 'attendance' ? Math.floor(percent / 25) : percent >= 100 ? 1 : 0;
      if (progress.phase === lastPhase && step === lastStep) return;
      out.line(text);
      lastStep = step;
    }
    lastPhase = progress.phase;
    lastPercent = percent;
  };
  return Object.assign(report, {
    end() {
      out.close();
    },
  });
}
