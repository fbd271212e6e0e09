import * as fs from 'fs';

/**
 * TEST-ONLY hook for the kill matrix (test/faults/kill-matrix.test.ts). When the environment
 * variable LAYERSMITH_TEST_PAUSE_AT names `point`, the process writes "<pid> <point>" to the file
 * named by LAYERSMITH_TEST_PAUSE_FILE and stops itself (SIGSTOP), so a test can kill it at exactly
 * that point of a build. Unset (always, outside that test), it is one environment lookup.
 * Every point is listed in PAUSE_POINTS, in build order.
 */
export function pausePoint(point: PausePoint): void {
  if (process.env.LAYERSMITH_TEST_PAUSE_AT !== point || paused) return;
  // Once per process: a point passed in a loop (pack:half) stops the process once.
  paused = true;
  const marker = process.env.LAYERSMITH_TEST_PAUSE_FILE;
  if (marker) fs.writeFileSync(marker, `${process.pid} ${point}\n`);
  process.kill(process.pid, 'SIGSTOP');
}

let paused = false;

/** The named points of a build, in the order a cold synth passes them. */
export const PAUSE_POINTS = [
  /** The input key was just computed (synth process, construct time); nothing written yet. */
  'key:computed',
  /** buildLayerSync entered (synth process), cache missed, nothing written yet. */
  'sync:start',
  /** The build child process started, before it reads its request. */
  'worker:start',
  /** Scratch (staging + work) directories created in the OS temp dir. */
  'build:scratch',
  /** The builder is about to run the package manager. */
  'build:builder-start',
  /** The package manager process was just started (it runs while this process is stopped). */
  'tool:spawned',
  /** The package manager has run; the staging directory holds the layer root. */
  'build:staged',
  /** Half of the ZIP's entries are written to the temp ZIP. */
  'pack:half',
  /** The temp ZIP is complete, not yet renamed to the build's temp name. */
  'pack:written',
  /** packDirectory returned: the build's temp ZIP sits in the cache directory. */
  'pack:done',
  /** The temp ZIP was inspected; the manifest exists only in memory. */
  'inspect:done',
  /** The per-key lock file is held; nothing committed yet. */
  'commit:locked',
  /** The ZIP is renamed into place; its manifest is not written yet. */
  'commit:zip-renamed',
  /** ZIP and manifest are in place; the lock is still held. */
  'commit:manifest-written',
  /** The lock is released; scratch directories are not removed yet. */
  'commit:unlocked',
  /** The child wrote its result; the synth process has not read it yet. */
  'worker:result-written',
  /** The synth process has the artifact from the child. */
  'sync:result-read',
  /** The ZIP is copied into CDK's bundling directory under a temp name. */
  'bundle:copied',
  /** The ZIP is renamed into CDK's bundling directory; CDK moves it into the assembly next. */
  'bundle:done',
] as const;

/** One named point of a build. */
export type PausePoint = typeof PAUSE_POINTS[number];
