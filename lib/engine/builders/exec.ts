import { spawn } from 'child_process';
import * as fs from 'fs';
import { LayersmithBuildError } from '../../core/errors';
import { pausePoint } from '../test-pause';
import { requireTool } from '../tools';

/** How many trailing output lines a failure message carries. */
export const OUTPUT_TAIL_LINES = 20;

/** A package manager or user command exited non-zero (or was killed). */
export class BuildCommandError extends LayersmithBuildError {
  constructor(
    /** The command line as run (argv joined with spaces). */
    readonly commandLine: string,
    /** Exit code, or null when killed by a signal. */
    readonly exitCode: number | null,
    /** The last lines of combined stdout/stderr. */
    readonly outputTail: string[],
    readonly cwd: string,
    signal?: string | null,
  ) {
    super('COMMAND_FAILED', [
      `Command failed with ${exitCode === null ? `signal ${signal}` : `exit code ${exitCode}`}: ${commandLine}`,
      `  (in ${cwd})`,
      outputTail.length > 0 ? `Last ${outputTail.length} lines of its output:` : 'It printed nothing.',
      ...outputTail.map((l) => `  | ${l}`),
    ].join('\n'), { path: cwd });
  }
}

export interface RunOptions {
  /** Working directory. */
  readonly cwd: string;
  /** Full environment for the child. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** What the command is for, used in the missing-tool message (e.g. "LayerSource.python"). */
  readonly purpose: string;
  /**
   * A private temp directory for the tool (TMPDIR, TMP, TEMP), created if missing. Inside the
   * build's scratch directory, so what a killed tool leaves (pip's `pip-target-*`) goes with it.
   * @default the inherited TMPDIR
   */
  readonly tmpDir?: string;
}

/**
 * Runs argv[0] with the rest as arguments (no shell), keeping the last lines of its combined
 * output for the error message. Output is not echoed: the progress lines say what runs.
 */
export async function runCommand(argv: readonly string[], options: RunOptions): Promise<void> {
  let env = options.env ?? process.env;
  if (options.tmpDir) {
    fs.mkdirSync(options.tmpDir, { recursive: true });
    env = { ...env, TMPDIR: options.tmpDir, TMP: options.tmpDir, TEMP: options.tmpDir };
  }
  const exe = requireTool(argv[0], options.purpose, env.PATH);
  const commandLine = argv.map(quoteArg).join(' ');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(exe, argv.slice(1), { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    pausePoint('tool:spawned');
    const tail = new LineTail(OUTPUT_TAIL_LINES);
    child.stdout.on('data', (b: Buffer) => tail.push(b));
    child.stderr.on('data', (b: Buffer) => tail.push(b));
    child.on('error', (err) => reject(new LayersmithBuildError('COMMAND_NOT_STARTED', `Could not start ${commandLine} (in ${options.cwd}): `
      + `${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new BuildCommandError(commandLine, code, tail.lines(), options.cwd, signal));
    });
  });
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}

/** Keeps only the last N lines of a stream, so a chatty build does not fill memory. */
class LineTail {
  private readonly buf: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.add(p);
  }

  lines(): string[] {
    if (this.partial) {
      this.add(this.partial);
      this.partial = '';
    }
    return [...this.buf];
  }

  private add(line: string): void {
    this.buf.push(line);
    if (this.buf.length > this.max) this.buf.shift();
  }
}
