import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildLockPath, removeAbandoned, singleFlight } from '../../lib/engine/build-lock';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';

afterAll(() => cleanupTempDirs());

const repo = path.resolve(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process that builds one command layer with buildLayer and prints what it got. */
const CHILD = `
require('ts-node/register/transpile-only');
const { buildLayer, LayerSource } = require(${JSON.stringify(path.join(repo, 'lib', 'engine', 'index.ts'))});
const [cwd, cacheDir, counter, go] = process.argv.slice(1);
const script = 'echo build >> "$1"; while [ ! -f "$2" ]; do sleep 0.05; done; mkdir -p "$LAYERSMITH_OUTPUT/bin"; echo hi > "$LAYERSMITH_OUTPUT/bin/tool"';
const source = LayerSource.command({ command: ['sh', '-c', script, 'layer', counter, go], cwd, inputs: ['input.txt'] });
buildLayer(source, { platform: 'aws', architecture: 'x86_64', runtimes: ['provided.al2023'] }, { cacheDir })
  .then((a) => console.log(JSON.stringify({ key: a.inputKey, sha: a.manifest.zip.sha256, hit: a.cacheHit })))
  .catch((e) => { console.error(e); process.exit(1); });
`;

interface Child {
  readonly proc: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

function start(args: string[]): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' };
  delete env.LAYERSMITH_QUIET;
  const proc = spawn(process.execPath, ['-e', CHILD, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { proc, stdout: '', stderr: '', exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
  proc.stdout!.on('data', (d) => { child.stdout += d; });
  proc.stderr!.on('data', (d) => { child.stderr += d; });
  return child;
}

function lines(file: string): number {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe('concurrent builds of one key', () => {
  test('GIVEN 3 processes on one cold cache WHEN they build the same layer at once THEN the layer is built once and all get its entry', async () => {
    // GIVEN a command layer whose build blocks until the test lets it finish
    const dir = makeTempDir();
    writeTree(dir, { 'input.txt': 'v1\n' });
    const cacheDir = path.join(dir, 'cache');
    const counter = path.join(dir, 'builds.txt');
    const go = path.join(dir, 'go');
    // WHEN three processes start together
    const children = [0, 1, 2].map(() => start([dir, cacheDir, counter, go]));
    try {
      // ... and the two that did not start the build say they wait for it (or a second build starts)
      for (;;) {
        const waiting = children.filter((c) => /waiting for process \d+, which is building/.test(c.stderr)).length;
        if (lines(counter) > 1 || (lines(counter) === 1 && waiting === 2)) break;
        if (children.some((c) => c.proc.exitCode !== null)) break;
        await sleep(100);
      }
      fs.writeFileSync(go, '');
      const codes = await Promise.all(children.map((c) => c.exited));
      // THEN
      expect({ codes, stderr: children.map((c) => (c.proc.exitCode === 0 ? '' : c.stderr)) }).toEqual({ codes: [0, 0, 0], stderr: ['', '', ''] });
      expect(lines(counter)).toBe(1);
      const results = children.map((c) => JSON.parse(c.stdout.trim()));
      expect(new Set(results.map((r) => `${r.key}/${r.sha}`)).size).toBe(1);
      expect(results.filter((r) => !r.hit)).toHaveLength(1);
      expect(fs.existsSync(buildLockPath(cacheDir, results[0].key))).toBe(false);
    } finally {
      fs.writeFileSync(go, '');
      for (const c of children) if (c.proc.exitCode === null) c.proc.kill();
    }
  });
});

describe('singleFlight', () => {
  test('GIVEN a lock left by a process that is gone WHEN a build is needed THEN the lock is taken over and the build runs', async () => {
    // GIVEN a pid that no longer exists
    const dir = makeTempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(buildLockPath(dir, 'k'), dead);
    // WHEN
    const r = await singleFlight(dir, 'k', () => undefined, async () => 42);
    // THEN
    expect(r).toEqual({ value: 42, waited: false });
    expect(fs.existsSync(buildLockPath(dir, 'k'))).toBe(false);
  });

  test('GIVEN two waiters that judged one dead lock WHEN the faster has taken the lock since THEN the slower one leaves the new lock alone', () => {
    // GIVEN a dead holder's lock, as both waiters saw it
    const dir = makeTempDir();
    const lock = buildLockPath(dir, 'k');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(lock, dead);
    const seen = { ino: fs.statSync(lock).ino, text: dead };
    // WHEN the faster waiter removes it and takes the lock (the inode may even be reused)
    fs.rmSync(lock);
    fs.writeFileSync(lock, String(process.pid));
    removeAbandoned(lock, seen);
    // THEN the new holder's lock stays
    expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.pid));
    // and the lock as judged is removed
    removeAbandoned(lock, { ino: fs.statSync(lock).ino, text: String(process.pid) });
    expect(fs.existsSync(lock)).toBe(false);
  });

  test('GIVEN a live holder that ends without committing WHEN waiting THEN the waiter builds itself', async () => {
    // GIVEN a lock held by a live process
    const dir = makeTempDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(buildLockPath(dir, 'k'), String(holder.pid));
      const waitedFor: Array<number | undefined> = [];
      let built = 0;
      // WHEN the waiter starts and the holder then releases without an entry
      const flight = singleFlight(dir, 'k', () => undefined, async () => ++built, (pid) => waitedFor.push(pid));
      while (waitedFor.length === 0) await sleep(20);
      fs.rmSync(buildLockPath(dir, 'k'));
      const r = await flight;
      // THEN
      expect(waitedFor).toEqual([holder.pid]);
      expect(r).toEqual({ value: 1, waited: true });
    } finally {
      holder.kill();
    }
  });

  test('GIVEN a live holder that commits WHEN waiting THEN the waiter returns the committed entry without building', async () => {
    // GIVEN
    const dir = makeTempDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(buildLockPath(dir, 'k'), String(holder.pid));
      let entry: string | undefined;
      let waiting = false;
      // WHEN
      const flight = singleFlight(dir, 'k', () => entry, async () => 'built here', () => { waiting = true; });
      while (!waiting) await sleep(20);
      entry = 'built there';
      // THEN
      expect(await flight).toEqual({ value: 'built there', waited: true });
      expect(fs.readFileSync(buildLockPath(dir, 'k'), 'utf8')).toBe(String(holder.pid));
    } finally {
      holder.kill();
    }
  });

  test('GIVEN a lock still empty (its holder is between create and write) WHEN waiting THEN the holder is named once its pid is in', async () => {
    // GIVEN an empty lock, as a file system without hard links shows it for a moment
    const dir = makeTempDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(buildLockPath(dir, 'k'), '');
      const waitedFor: Array<number | undefined> = [];
      let entry: string | undefined;
      // WHEN a waiter starts, and the holder writes its pid a moment later
      const flight = singleFlight(dir, 'k', () => entry, async () => 'built here', (pid) => waitedFor.push(pid));
      await sleep(250);
      fs.writeFileSync(buildLockPath(dir, 'k'), String(holder.pid));
      while (waitedFor.length === 0) await sleep(20);
      entry = 'built there';
      // THEN the waiter named the real holder (never "unknown") and took its entry
      expect(waitedFor).toEqual([holder.pid]);
      expect(await flight).toEqual({ value: 'built there', waited: true });
    } finally {
      holder.kill();
    }
  });

  test('GIVEN a free key WHEN the lock is taken THEN it holds the pid from the start and no temp of it is left', async () => {
    // GIVEN
    const dir = makeTempDir();
    let during: { lock: string; names: string[] } | undefined;
    // WHEN
    const r = await singleFlight(dir, 'k', () => undefined, async () => {
      during = { lock: fs.readFileSync(buildLockPath(dir, 'k'), 'utf8'), names: fs.readdirSync(dir) };
      return 1;
    });
    // THEN the lock was complete while the build ran (made by linking a written temp into place)
    expect(r).toEqual({ value: 1, waited: false });
    expect(during).toEqual({ lock: String(process.pid), names: ['k.building'] });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('GIVEN a failing build WHEN it throws THEN the error propagates and the lock is released', async () => {
    // GIVEN
    const dir = makeTempDir();
    // WHEN / THEN
    await expect(singleFlight(dir, 'k', () => undefined, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(fs.existsSync(buildLockPath(dir, 'k'))).toBe(false);
  });
});
