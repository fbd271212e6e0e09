import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeTempDir, makeWheel, writeTree } from '../helpers';

/**
 * A real AWS CDK app synthesized in its own process group, so a test can stop and kill it (and
 * every process it started: the build child, pip) at a named point of its layer build.
 */

const REPO = path.resolve(__dirname, '..', '..');

/** The directories one synth uses; a killed synth and the next one share them. */
export interface SynthDirs {
  readonly cacheDir: string;
  readonly tmpDir: string;
  readonly outDir: string;
}

/** The app's inputs: a Python layer from a local wheel of many small files, built by real pip. */
export interface AppFixture {
  readonly appFile: string;
  readonly requirements: string;
  readonly wheels: string;
}

/** Writes the wheel, requirements file and CDK app once. */
export async function makeAppFixture(): Promise<AppFixture> {
  const root = makeTempDir('layersmith-test-killapp-');
  const wheels = path.join(root, 'wheels');
  fs.mkdirSync(wheels);
  const files: Record<string, string> = {};
  // Enough files for several pack batches (256 files each), so "half packed" is a real state.
  for (let i = 0; i < 600; i++) files[`kill_fixture/m${String(i).padStart(4, '0')}.py`] = `V = ${i}\n${'# filler\n'.repeat(i % 40)}`;
  await makeWheel(wheels, { name: 'kill-fixture', version: '1.0.0', files });
  writeTree(root, { 'requirements.txt': 'kill-fixture==1.0.0\n' });
  const appFile = path.join(root, 'app.js');
  fs.writeFileSync(appFile, `
const cdk = require(${JSON.stringify(path.join(REPO, 'node_modules', 'aws-cdk-lib'))});
const lambda = require(${JSON.stringify(path.join(REPO, 'node_modules', 'aws-cdk-lib', 'aws-lambda'))});
const { LayerSource, RuntimeLayer } = require(${JSON.stringify(path.join(REPO, 'lib', 'aws-cdk'))});
const app = new cdk.App({ outdir: process.env.KILL_OUTDIR });
const stack = new cdk.Stack(app, 'KillStack');
new RuntimeLayer(stack, 'Deps', {
  source: LayerSource.python({ requirements: ${JSON.stringify(path.join(root, 'requirements.txt'))}, findLinks: [${JSON.stringify(wheels)}], noIndex: true }),
  compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
  cacheDir: process.env.KILL_CACHE,
});
app.synth();
`);
  return { appFile, requirements: path.join(root, 'requirements.txt'), wheels };
}

/** Fresh, empty cache, temp and output directories. */
export function freshDirs(): SynthDirs {
  const base = makeTempDir('layersmith-test-kill-');
  const dirs = { cacheDir: path.join(base, 'cache'), tmpDir: path.join(base, 'tmp'), outDir: path.join(base, 'cdk.out') };
  fs.mkdirSync(dirs.cacheDir);
  fs.mkdirSync(dirs.tmpDir);
  return dirs;
}

/** A synth process running in its own process group. */
export interface RunningSynth {
  readonly pid: number;
  /** Resolves when the synth process ends: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts `node app.js` with the dirs in its environment (and `env` on top). */
export function startSynth(app: AppFixture, dirs: SynthDirs, env: Record<string, string> = {}): RunningSynth {
  const child = spawn(process.execPath, [app.appFile], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      TMPDIR: dirs.tmpDir,
      KILL_OUTDIR: dirs.outDir,
      KILL_CACHE: dirs.cacheDir,
      LAYERSMITH_QUIET: '1',
      PIP_RETRIES: '0',
      ...env,
    },
  });
  started.add(child.pid!);
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { pid: child.pid!, exited };
}

const started = new Set<number>();

/** SIGKILLs every process group startSynth started that still has a live process (afterEach). */
export function killStarted(): void {
  for (const pgid of started) {
    if (groupProcesses(pgid).length > 0) signalGroup(pgid, 'SIGKILL');
  }
  started.clear();
}

/** Runs a synth to its end. */
export async function synth(app: AppFixture, dirs: SynthDirs): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return startSynth(app, dirs).exited;
}

/** Live (not zombie) processes of a process group, with their command lines. */
export function groupProcesses(pgid: number): Array<{ pid: number; state: string; cmdline: string }> {
  const out: Array<{ pid: number; state: string; cmdline: string }> = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z' || fields[0] === 'X') continue;
      out.push({ pid: Number(name), state: fields[0], cmdline: fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Polls `cond` every 10 ms until true; throws after `timeoutMs` or when the synth ended first. */
export async function waitFor(what: string, cond: () => boolean, synthRun: RunningSynth, timeoutMs = 90_000): Promise<void> {
  let ended = false;
  void synthRun.exited.then(() => {
    ended = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (cond()) return;
    if (ended) {
      const r = await synthRun.exited;
      throw new Error(`the synth ended (code ${r.code}, signal ${r.signal}) before ${what}:\n${r.stderr}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until no process of the group is alive (the killed build child included). */
export async function waitGroupGone(pgid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupProcesses(pgid).length > 0) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still has ${JSON.stringify(groupProcesses(pgid))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sends a signal to the whole process group (as a terminal's Ctrl-C or a CI runner's kill does). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Every file and directory below `root`, relative, sorted ('' when root is missing). */
export function listAll(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      out.push(r);
      if (fs.lstatSync(path.join(dir, n)).isDirectory()) walk(path.join(dir, n), r);
    }
  };
  walk(root, '');
  return out;
}

function topLevel(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The layer ZIP CDK staged into the cloud assembly (`asset.<hash>.zip`). */
export function assemblyZip(outDir: string): string {
  const zips = fs.readdirSync(outDir).filter((n) => /^asset\.[0-9a-f]+\.zip$/.test(n));
  if (zips.length !== 1) throw new Error(`expected one asset ZIP in ${outDir}, found ${JSON.stringify(fs.readdirSync(outDir))}`);
  return path.join(outDir, zips[0]);
}

/**
 * What may stay after a successful synth: the cache entry (ZIP, manifest, verification stamp),
 * nothing in the temp dir, and no temp or half-built entry in the cloud assembly.
 */
export function leftovers(dirs: SynthDirs): { cache: string[]; tmp: string[]; assembly: string[] } {
  return {
    // digests/ (the key's digest record) and reuse/ (entries a rebuild may copy) are cache content, not leftovers.
    cache: topLevel(dirs.cacheDir).filter((n) => !/^[0-9a-f]{64}\.(zip|manifest\.json|verified\.json)$/.test(n) && n !== 'digests' && n !== 'reuse'),
    // v8-compile-cache-* is TypeScript's compile cache (ts-node runs the build child when lib/ is not compiled), not the build's.
    tmp: topLevel(dirs.tmpDir).filter((n) => !n.startsWith('v8-compile-cache-')),
    assembly: listAll(dirs.outDir).filter((n) => /\.tmp|-building|bundling-temp-/.test(n)),
  };
}

/** Throws unless the compiled lib/ is current: the app and the build child run compiled JS. */
export function assertCompiled(): void {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, ent.name);
      if (ent.isDirectory()) {walk(abs);} else if (ent.name.endsWith('.ts') && !ent.name.endsWith('.d.ts')) {
        const js = abs.slice(0, -3) + '.js';
        if (!fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(abs).mtimeMs) stale.push(path.relative(REPO, abs));
      }
    }
  };
  walk(path.join(REPO, 'lib'));
  if (stale.length > 0) throw new Error(`compiled lib/ is stale (${stale.slice(0, 3).join(', ')}...): run 'npx tsc -p tsconfig.json' first (the test task does)`);
}
