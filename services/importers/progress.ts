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

/**
 * The one way progress reaches a stream (the imports, `npm run seed` and `npm run dev`'s first-run
 * seed all print through it): on a terminal one line redrawn in place, elsewhere whole lines only,
 * so CI logs never fill with carriage returns. What a line says is up to each caller.
 */
export class ProgressLine {
  private drawn = false;

  constructor(private readonly stream: ProgressStream) {}

  get onTerminal(): boolean {
    return Boolean(this.stream.isTTY);
  }

  /** On a terminal: replaces the line being drawn (ESC[K clears what a longer earlier draw left). */
  redraw(text: string): void {
    this.stream.write(`\r${text}\u001b[K`);
    this.drawn = true;
  }

  /** A finished line: on a terminal it replaces the drawn one and ends it; elsewhere a plain line. */
  line(text: string): void {
    this.stream.write(this.stream.isTTY ? `\r${text}\u001b[K\n` : `${text}\n`);
    this.drawn = false;
  }

  /** Ends a half-drawn line, so what is printed next (a summary, an error) starts on its own line. */
  close(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

export function createProgress(stream: ProgressStream, options: ProgressOptions): ProgressSink {
  return stream.isTTY
    ? new TerminalBar(stream, options.label, options.quietBelowBytes ?? 1024 * 1024)
    : new StepLines(stream, options.label, options.quietBelowBytes ?? 5 * 1024 * 1024);
}

class TerminalBar implements ProgressSink {
  private readonly out: ProgressLine;
  private phase = '';
  private total = 0;
  private lastPercent = -1;
  private active = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly quietBelow: number,
  ) {
    this.out = new ProgressLine(stream);
  }

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
    this.out.close();
    this.active = false;
  }

  private draw(percent: number, rows: number): void {
    const head = `${this.label}: ${this.phase.padEnd(8)} `;
    const tail = ` ${String(percent).padStart(3)}%  ${formatCount(rows)} rows`;
    const width = Math.max(10, Math.min(40, (this.stream.columns || 80) - head.length - tail.length - 3));
    const filled = Math.round((width * percent) / 100);
    this.out.redraw(`${head}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`);
  }
}

class StepLines implements ProgressSink {
  private readonly out: ProgressLine;
  private phase = '';
  private total = 0;
  private nextStep = 10;
  private enabled = false;

  constructor(
    stream: ProgressStream,
    private readonly label: string,
    private readonly quietBelow: number,
  ) {
    this.out = new ProgressLine(stream);
  }

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
    this.out.line(`${this.label}: ${this.phase} ${percent}% (${formatCount(rows)} rows)`);
    this.nextStep = Math.floor(percent / 10) * 10 + 10;
  }

  finish(rows: number): void {
    if (!this.enabled) return;
    this.out.line(`${this.label}: ${this.phase} 100% (${formatCount(rows)} rows)`);
    this.enabled = false;
  }
}

/** Whole percent of `done` in `total`, 0 to 100 (100 for an empty total). */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((done * 100) / total)));
}

/** 1234567 -> "1,234,567" (fixed separators: the output must not depend on the machine's locale). */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
