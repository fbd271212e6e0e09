import * as fs from 'fs';
import * as path from 'path';
import { PAUSE_POINTS, PausePoint } from '../../lib/engine/test-pause';
import { cleanupTempDirs, testWithTools } from '../helpers';
import {
  AppFixture, RunningSynth, SynthDirs, assemblyZip, assertCompiled, freshDirs, groupProcesses, killStarted, leftovers, listAll,
  makeAppFixture, signalGroup, startSynth, synth, waitFor, waitGroupGone,
} from './kill-harness';

/**
 * Kill anywhere: a real `aws-cdk` app synth with a Python RuntimeLayer (real pip) is killed with
 * SIGKILL (its whole process group: the synth, the build child, pip) at each point of a cold
 * build. After each kill the next synth, with the same cache, temp and output directories,
 * succeeds, ships a ZIP byte-identical to an undisturbed build, and leaves nothing of the
 * killed build behind. SIGINT and SIGTERM end the build after it removed its own temp files.
 *
 * The points: every named pause point (lib/engine/test-pause.ts), where the process stops itself
 * until killed, plus points found by watching the process group and the file system while pip
 * runs (pip cannot be paused from inside).
 */

interface KillPoint {
  readonly name: string;
  /** Env for the synth to stop at a named point. */
  readonly pauseAt?: PausePoint;
  /** Otherwise: kill as soon as this holds (polled every 10 ms). */
  readonly when?: (pgid: number, dirs: SynthDirs) => boolean;
}

const pipRunning = (pgid: number): boolean => groupProcesses(pgid).some((p) => / -m pip install /.test(p.cmdline));

/** Files pip has written into the staging tree so far. */
function stagedPythonFiles(dirs: SynthDirs): number {
  let n = 0;
  for (const scratch of fs.readdirSync(dirs.tmpDir).filter((d) => d.startsWith('layersmith-python-'))) {
    n += listAll(path.join(dirs.tmpDir, scratch, 'layer', 'python')).length;
  }
  return n;
}

const BEFORE_PIP = PAUSE_POINTS.indexOf('tool:spawned') + 1;
const POINTS: KillPoint[] = [
  ...PAUSE_POINTS.slice(0, BEFORE_PIP).map((p) => ({ name: p, pauseAt: p })),
  { name: 'pip:started (pip process alive, nothing installed yet)', when: (pgid) => pipRunning(pgid) },
  { name: 'pip:installing (pip has written some files into staging)', when: (pgid, dirs) => pipRunning(pgid) && stagedPythonFiles(dirs) > 0 },
  ...PAUSE_POINTS.slice(BEFORE_PIP).map((p) => ({ name: p, pauseAt: p })),
];

let app: AppFixture;
let reference: Buffer;

// A failed expectation must not leave a stopped build behind.
afterEach(killStarted);
afterAll(cleanupTempDirs);

beforeAll(async () => {
  assertCompiled();
  app = await makeAppFixture();
  // The undisturbed build every recovery must reproduce byte for byte.
  const dirs = freshDirs();
  const r = await synth(app, dirs);
  if (r.code !== 0) throw new Error(`reference synth failed (${r.code}):\n${r.stderr}`);
  reference = fs.readFileSync(assemblyZip(dirs.outDir));
  expect(leftovers(dirs)).toEqual({ cache: [], tmp: [], assembly: [] });
}, 180_000);

/** Starts a synth and waits until it reached the point (stopped itself, or the condition holds). */
async function runUntil(point: KillPoint, dirs: SynthDirs): Promise<RunningSynth> {
  const marker = path.join(path.dirname(dirs.tmpDir), 'paused');
  const env: Record<string, string> = point.pauseAt ? { LAYERSMITH_TEST_PAUSE_AT: point.pauseAt, LAYERSMITH_TEST_PAUSE_FILE: marker } : {};
  const run = startSynth(app, dirs, env);
  if (point.pauseAt) {
    await waitFor(`pause point ${point.pauseAt}`, () => fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').endsWith('\n'), run);
    const [pid] = fs.readFileSync(marker, 'utf8').split(' ');
    // the process really stopped there (state T), so the kill lands exactly at the point
    await waitFor(`process ${pid} to stop`, () => groupProcesses(run.pid).some((p) => p.pid === Number(pid) && p.state === 'T'), run);
    fs.rmSync(marker);
  } else {
    await waitFor(point.name, () => point.when!(run.pid, dirs), run);
  }
  return run;
}

describe('SIGKILL at every point of a build; the next synth recovers', () => {
  test('there are at least 20 kill points, spread over every phase', () => {
    expect(POINTS.length).toBeGreaterThanOrEqual(20);
    const phases = new Set(POINTS.map((p) => p.name.split(':')[0]));
    expect([...phases].sort()).toEqual(['build', 'bundle', 'commit', 'inspect', 'key', 'pack', 'pip', 'sync', 'tool', 'worker']);
  });

  testWithTools('python3').each(POINTS.map((p) => [p.name, p] as const))('kill -9 at %s', async (_name, point) => {
    // GIVEN a cold synth stopped (or caught) at the point
    const dirs = freshDirs();
    const run = await runUntil(point, dirs);

    // WHEN its whole process group is killed with SIGKILL
    signalGroup(run.pid, 'SIGKILL');
    const killed = await run.exited;
    await waitGroupGone(run.pid);
    expect(killed.signal).toBe('SIGKILL');

    // THEN the next synth in the same directories succeeds
    const next = await synth(app, dirs);
    expect({ code: next.code, stderr: next.code === 0 ? '' : next.stderr }).toEqual({ code: 0, stderr: '' });
    // and ships exactly the bytes of an undisturbed build
    expect(fs.readFileSync(assemblyZip(dirs.outDir)).equals(reference)).toBe(true);
    // and nothing of the killed build is left: no cache temp or lock, no staging dir, no
    // half-written cloud-assembly entry
    expect(leftovers(dirs)).toEqual({ cache: [], tmp: [], assembly: [] });
  }, 180_000);
});

describe('SIGINT and SIGTERM: the build removes its temp files, then ends by the signal', () => {
  const cases: Array<[NodeJS.Signals, PausePoint]> = [
    ['SIGTERM', 'build:staged'],
    ['SIGTERM', 'pack:half'],
    ['SIGINT', 'pack:written'],
    ['SIGINT', 'inspect:done'],
    ['SIGTERM', 'commit:unlocked'],
  ];
  testWithTools('python3').each(cases)('%s at %s', async (signal, pauseAt) => {
    // GIVEN a cold synth stopped at the point
    const dirs = freshDirs();
    const run = await runUntil({ name: pauseAt, pauseAt }, dirs);

    // WHEN the process group gets the signal (and is let run again to handle it)
    signalGroup(run.pid, signal);
    signalGroup(run.pid, 'SIGCONT');
    const ended = await run.exited;
    await waitGroupGone(run.pid);

    // THEN the synth ended by that signal (not by a reported build failure)
    expect(ended.signal).toBe(signal);
    // and, with no other build run since, no temp file or staging dir of the build is left
    expect(leftovers(dirs).tmp).toEqual([]);
    expect(leftovers(dirs).cache).toEqual([]);
    // and the next synth succeeds with the reference bytes
    const next = await synth(app, dirs);
    expect(next.code).toBe(0);
    expect(fs.readFileSync(assemblyZip(dirs.outDir)).equals(reference)).toBe(true);
  }, 180_000);
});
