import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget } from '../api';

/** What a builder gets: where to put the layer root, a scratch area and the target. */
export interface BuildContext {
  /** Empty directory to fill with the layer root (what appears under /opt). */
  readonly staging: string;
  /** Empty scratch directory outside the layer, removed after the build. */
  readonly work: string;
  readonly target: BuildTarget;
  /** Runs one named step and reports it with its duration. */
  step<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** A progress note without timing. */
  note(message: string): void;
}

/** What a builder produced: the directory to pack. */
export interface BuildOutput {
  /** Directory whose contents become the ZIP root (usually `staging`). */
  readonly root: string;
  /** Requirements installed without an exact pin or lockfile (recorded for LS-UNPINNED). */
  readonly unpinned?: readonly string[];
  /** What the build chose and says (recorded in the manifest). */
  readonly notes?: readonly string[];
}

/** 'python3.12' -> '3.12': the first Python runtime of the target, if any. */
export function pythonVersionFromTarget(target: BuildTarget): string | undefined {
  for (const r of target.runtimes) {
    const m = /^python(3\.\d+)$/.exec(r);
    if (m) return m[1];
  }
  return undefined;
}

/** 'nodejs20.x' / 'nodejs20' -> 20: the first Node.js runtime of the target, if any. */
export function nodeMajorFromTarget(target: BuildTarget): number | undefined {
  for (const r of target.runtimes) {
    const m = /^nodejs(\d+)/.exec(r);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** 'ruby3.3' -> '3.3.0': the first Ruby runtime of the target, if any. */
export function rubyAbiFromTarget(target: BuildTarget): string | undefined {
  for (const r of target.runtimes) {
    const m = /^ruby(\d+\.\d+)/.exec(r);
    if (m) return `${m[1]}.0`;
  }
  return undefined;
}

/** Removes every directory with one of `names` (and files matching `fileSuffixes`) under root. */
export function removeNamed(root: string, names: ReadonlySet<string>, fileSuffixes: readonly string[] = []): number {
  let removed = 0;
  const walk = (dir: string): void => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        if (names.has(ent.name)) {
          fs.rmSync(abs, { recursive: true, force: true });
          removed++;
        } else {
          walk(abs);
        }
      } else if (ent.isFile() && fileSuffixes.some((s) => ent.name.endsWith(s))) {
        fs.rmSync(abs, { force: true });
        removed++;
      }
    }
  };
  if (fs.existsSync(root)) walk(root);
  return removed;
}

/**
 * Rewrites `#!/abs/path/to/interp ...` first lines of scripts in `dir` to `#!/usr/bin/env <name>`:
 * console scripts generated on the build host point at the host's interpreter, which neither
 * exists in the function's sandbox nor stays the same between machines.
 */
export function portableShebangs(dir: string, interpreter: RegExp, replacement: string): void {
  if (!fs.existsSync(dir)) return;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!ent.isFile()) continue;
    const abs = path.join(dir, ent.name);
    const buf = fs.readFileSync(abs);
    if (buf.length < 2 || buf[0] !== 0x23 || buf[1] !== 0x21) continue;
    const nl = buf.indexOf(0x0a);
    const first = buf.subarray(0, nl < 0 ? buf.length : nl).toString('utf8');
    if (!interpreter.test(first)) continue;
    fs.writeFileSync(abs, Buffer.concat([Buffer.from(replacement), nl < 0 ? Buffer.alloc(0) : buf.subarray(nl)]));
  }
}

/** A minimal environment tweak shared by builders: quiet tools, no interactive prompts. */
export function toolEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
