import * as fs from 'fs';
import * as path from 'path';
import { processIsGone, sweepStagingDirs, sweepStaleTemps } from './atomic';

/**
 * What a killed build leaves (cache temps, staging directories, commit and build locks) is removed
 * by the next process that uses the cache, whether it builds or only reads: a build killed after its
 * commit is followed by cache hits only, and its staging directory must not wait for the next
 * miss. Once per process and cache directory; a sweep is a readdir of each directory.
 */

const swept = new Set<string>();

/** Sweeps `cacheDir` and the OS temp directory, the first time this process asks for `cacheDir`. */
export function sweepLeftoversOnce(cacheDir: string): void {
  if (swept.has(cacheDir)) return;
  swept.add(cacheDir);
  sweepStaleTemps(cacheDir);
  // The digest records and the reuse records are written through temps of their own.
  sweepStaleTemps(path.join(cacheDir, 'digests'));
  sweepStaleTemps(path.join(cacheDir, 'reuse'));
  sweepStagingDirs();
  sweepDeadLocks(cacheDir);
}

/** The pid a commit lock file holds (written by its owner right after creating it). */
export function lockOwner(lockFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(lockFile, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when the lock's owner process is gone (a lock without a pid yet is being taken: live). */
export function lockIsDead(lockFile: string): boolean {
  const pid = lockOwner(lockFile);
  return pid !== undefined && processIsGone(pid);
}

function sweepDeadLocks(cacheDir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(cacheDir);
  } catch {
    return;
  }
  for (const name of names) {
    // `.lock` guards a commit, `.building` a whole build (build-lock.ts): a build killed after
    // its commit is followed only by cache hits, which never take the build lock themselves.
    if (!/^[0-9a-f]{64}\.(lock|building)$/.test(name)) continue;
    const abs = path.join(cacheDir, name);
    if (lockIsDead(abs)) fs.rmSync(abs, { force: true });
  }
}
