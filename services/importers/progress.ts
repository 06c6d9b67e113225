/**
 * Progress of a long import on stderr. On a terminal: one bar redrawn in place. Elsewhere (CI
 * logs, a pipe): a plain line every 10%, so logs stay short and never fill with carriage returns.
 * Small files, which take well under a second, show nothing either way.
 */
export interface ProgressSink {
  /** A phase begins, e.g. "checking" or "writing"; total is in bytes. */
  start(phase: string, total: number): void;
  /** Bytes done so far in the current phase, with the rows seen so far. */
  update(done: number, rows: number): void;
  /** The current phase is finished. */
  finish(rows: number): void;
}

export const silentProgress: ProgressSink = { start() {}, update() {}, finish() {} };

/** What the bar writes to: process.stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Prefix of every line, e.g. the import kind. */
  label: string;
  /** Files smaller than this show no progress (default 1 MiB on a terminal, 5 MiB elsewhere). */
  quietBelowBytes?: number;
}

export function createProgress(stream: ProgressStream, options: ProgressOptions): ProgressSink {
  return stream.isTTY
    ? new TerminalBar(stream, options.label, options.quietBelowBytes ?? 1024 * 1024)
    : new StepLines(stream, options.label, options.quietBelowBytes ?? 5 * 1024 * 1024);
}

class TerminalBar implements ProgressSink {
  private phase = '';
  private total = 0;
  private lastPercent = -1;
  private active = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly quietBelow: number,
  ) {}

  start(phase: string, total: number): void {
    this.phase = phase;
    this.total = total;
    this.lastPercent = -1;
    this.active = total >= this.quietBelow;
    this.update(0, 0);
  }

  update(done: number, rows: number): void {
    if (!this.active) return;
    const percent = percentOf(done, this.total);
    // Redraw only when the whole percentage moves: at most ~100 writes per phase, whatever the size.
    if (percent === this.lastPercent) return;
    this.lastPercent = percent;
    this.draw(percent, rows);
  }

  finish(rows: number): void {
    if (!this.active) return;
    this.draw(100, rows);
    this.stream.write('\n');
    this.active = false;
  }

  private draw(percent: number, rows: number): void {
    const head = `${this.label}: ${this.phase.padEnd(8)} `;
    const tail = ` ${String(percent).padStart(3)}%  ${formatCount(rows)} rows`;
    const width = Math.max(10, Math.min(40, (this.stream.columns || 80) - head.length - tail.length - 3));
    const filled = Math.round((width * percent) / 100);
    // \r returns to the start of the line; ESC[K clears what a longer previous draw left behind.
    this.stream.write(`\r${head}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}\u001b[K`);
  }
}

class StepLines implements ProgressSink {
  private phase = '';
  private total = 0;
  private nextStep = 10;
  private enabled = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly quietBelow: number,
  ) {}

  start(phase: string, total: number): void {
    this.phase = phase;
    this.total = total;
    this.nextStep = 10;
    this.enabled = total >= this.quietBelow;
  }

  update(done: number, rows: number): void {
    if (!this.enabled) return;
    const percent = percentOf(done, this.total);
    if (percent < this.nextStep || percent >= 100) return;
    this.stream.write(`${this.label}: ${this.phase} ${percent}% (${formatCount(rows)} rows)\n`);
    this.nextStep = Math.floor(percent / 10) * 10 + 10;
  }

  finish(rows: number): void {
    if (!this.enabled) return;
    this.stream.write(`${this.label}: ${this.phase} 100% (${formatCount(rows)} rows)\n`);
    this.enabled = false;
  }
}

function percentOf(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((done * 100) / total)));
}

/** 1234567 -> "1,234,567" (fixed separators: the output must not depend on the machine's locale). */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
