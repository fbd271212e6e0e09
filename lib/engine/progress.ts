/**
 * Progress for long work (layer builds, packing big trees): what is running, done/total and the
 * elapsed time. On a terminal one status line is redrawn in place; anywhere else (CI logs, pipes,
 * files) plain lines are printed at the start, at each quarter and at the end, so a log stays short
 * and readable. `quiet` silences everything.
 *
 * The build engine reports every build through it; the CLI re-exports it:
 * `await reporter.step('pack zip', (update) => packDirectory(dir, zip, { onProgress: update }))`.
 */

/** Where progress is drawn: stderr by default. Only `write` and `isTTY` are used. */
export interface ProgressStream {
  /** True on a terminal. */
  readonly isTTY?: boolean;
  /** Terminal width in columns. */
  readonly columns?: number;
  write(chunk: string): unknown;
}

/** Options of a ProgressReporter. */
export interface ProgressReporterOptions {
  /** Stream to draw on. @default process.stderr */
  readonly stream?: ProgressStream;
  /** Print nothing at all. @default true when LAYERSMITH_QUIET=1, else false */
  readonly quiet?: boolean;
  /** Draw in place (terminal) or print plain lines. @default stream.isTTY === true */
  readonly tty?: boolean;
  /** Clock in milliseconds; injectable so tests see fixed elapsed times. @default Date.now */
  readonly now?: () => number;
  /** Least time between two redraws on a terminal, in milliseconds. @default 100 */
  readonly redrawIntervalMs?: number;
  /** Prefix of every line. @default 'layersmith' */
  readonly prefix?: string;
}

/** One piece of work being reported. */
export interface ProgressStep {
  /** Record progress; `total` may be given late or change (e.g. once a directory walk ends). */
  update(done: number, total?: number): void;
  /** The step finished; `detail` is appended to the final line (e.g. '1,234 files, 12.3 MiB'). */
  succeed(detail?: string): void;
  /** The step failed; the message is printed on its own line. */
  fail(message: string): void;
}

/** Draws progress for one or more steps, one at a time. */
export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly quiet: boolean;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly redrawIntervalMs: number;
  private readonly prefix: string;
  /** Width of the status line last drawn on a terminal, so the next draw can blank it. */
  private drawn = 0;

  constructor(options: ProgressReporterOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.quiet = options.quiet ?? process.env.LAYERSMITH_QUIET === '1';
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.now = options.now ?? Date.now;
    this.redrawIntervalMs = options.redrawIntervalMs ?? 100;
    this.prefix = options.prefix ?? 'layersmith';
  }

  /** Begin a step labelled in the user's words ('building python layer Stack/Deps'). */
  start(label: string, total?: number): ProgressStep {
    const started = this.now();
    let done = 0;
    let knownTotal = total;
    let lastDraw = -Infinity;
    let quarter = 0;
    let finished = false;

    const status = (): string => {
      const count = knownTotal !== undefined ? ` ${done}/${knownTotal}` : done > 0 ? ` ${done}` : '';
      return `${this.prefix}: ${label}${count} ${formatElapsed(this.now() - started)}`;
    };

    if (!this.quiet) {
      if (this.tty) this.draw(status());
      else this.stream.write(`${this.prefix}: ${label}: started${knownTotal !== undefined ? ` (${knownTotal} to do)` : ''}\n`);
    }

    return {
      update: (d: number, t?: number) => {
        if (finished || this.quiet) return;
        done = d;
        if (t !== undefined) knownTotal = t;
        if (this.tty) {
          const at = this.now();
          if (at - lastDraw >= this.redrawIntervalMs) {
            lastDraw = at;
            this.draw(status());
          }
          return;
        }
        // Plain output: a line at 25/50/75 %, never one per file.
        if (knownTotal !== undefined && knownTotal > 0) {
          const q = Math.min(3, Math.floor((4 * done) / knownTotal));
          if (q > quarter) {
            quarter = q;
            this.stream.write(`${this.prefix}: ${label}: ${done}/${knownTotal} ${formatElapsed(this.now() - started)}\n`);
          }
        }
      },
      succeed: (detail?: string) => {
        if (finished) return;
        finished = true;
        if (this.quiet) return;
        const count = knownTotal !== undefined ? ` ${knownTotal}/${knownTotal}` : '';
        const line = `${this.prefix}: ${label}: done${count}${detail ? `, ${detail}` : ''} in ${formatElapsed(this.now() - started)}`;
        this.finishLine(line);
      },
      fail: (message: string) => {
        if (finished) return;
        finished = true;
        if (this.quiet) return;
        this.finishLine(`${this.prefix}: ${label}: failed after ${formatElapsed(this.now() - started)}: ${message.replace(/\s*\n\s*/g, ' ')}`);
      },
    };
  }

  /**
   * Run one step and report it: `fn` gets an update callback (fits packDirectory's `onProgress`);
   * the step succeeds when `fn` resolves and fails (and rethrows) when it throws. A drop-in for
   * the build engine's `step(name, fn)`.
   */
  async step<T>(label: string, fn: (update: (done: number, total?: number) => void) => Promise<T> | T, total?: number): Promise<T> {
    const s = this.start(label, total);
    try {
      const result = await fn((done, t) => s.update(done, t));
      s.succeed();
      return result;
    } catch (e) {
      s.fail(e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  /** Print one plain message line (never redrawn over). */
  note(message: string): void {
    if (this.quiet) return;
    this.finishLine(`${this.prefix}: ${message}`);
  }

  private draw(text: string): void {
    const width = this.stream.columns && this.stream.columns > 1 ? this.stream.columns - 1 : 0;
    const shown = width > 0 && text.length > width ? text.slice(0, width) : text;
    // \r then erase-to-end-of-line: redraws in place without leaving the old tail behind.
    this.stream.write(`\r\x1b[K${shown}`);
    this.drawn = shown.length;
  }

  private finishLine(line: string): void {
    if (this.tty && this.drawn > 0) {
      this.stream.write(`\r\x1b[K${line}\n`);
      this.drawn = 0;
    } else {
      this.stream.write(`${line}\n`);
    }
  }
}

/** Elapsed time as people read it: '0.4s', '12.3s', '2m05s'. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}
