import * as fs from 'fs';
import * as path from 'path';
import { processIsGone, STALE_TEMP_MS, tempPath } from './atomic';
import { removeOnSignal } from './signal-cleanup';

/**
 * Single flight per key across processes: the first process to need a key creates
 * `<key>.building` in the cache directory (exclusively, holding its pid) and builds; any other
 * process needing the same key meanwhile waits for that file to go away and then takes the
 * committed entry instead of building the same layer again (three `cdk synth` runs on one cold
 * cache build once).
 *
 * A holder that died (its pid is gone) or a lock older than STALE_TEMP_MS no longer counts: the
 * waiter removes it and builds. When the holder failed, nothing was committed, so the next
 * waiter builds (and reports its own error if the build fails again).
 */

/** How often a waiter looks at the lock. */
const POLL_MS = 100;

/** What `singleFlight` returned: the result, and whether this process waited for another. */
export interface FlightResult<T> {
  readonly value: T;
  /** True when another process built it and this one took its result. */
  readonly waited: boolean;
}

/** Path of the build lock of a key. */
export function buildLockPath(cacheDir: string, key: string): string {
  return path.join(cacheDir, `${key}.building`);
}

/**
 * Runs `build` for `key` unless another process is building it; then waits and returns
 * `committed()` once that process is done. `committed` returns the finished entry, if any.
 * `onWait` is called once when this process starts waiting.
 */
export async function singleFlight<T>(
  cacheDir: string,
  key: string,
  committed: () => T | undefined,
  build: () => Promise<T>,
  onWait?: (holderPid: number | undefined) => void,
): Promise<FlightResult<T>> {
  const lock = buildLockPath(cacheDir, key);
  let waited = false;
  let announced = false;
  let unknownPolls = 0;
  for (;;) {
    const got = tryAcquire(lock);
    // A cache directory where no lock can be made (read-only): build unlocked, so the build's
    // own write reports the directory with its fix.
    if (got === 'unlockable') return { value: await build(), waited };
    if (got === 'acquired') {
      // An interrupted build (SIGINT, SIGTERM) removes its lock with its temps.
      const unregister = removeOnSignal(lock);
      try {
        // The previous holder may have committed between our check and our lock.
        const done = committed();
        if (done !== undefined) return { value: done, waited };
        return { value: await build(), waited };
      } finally {
        release(lock);
        unregister();
      }
    }
    const holder = holderOf(lock);
    if (holder.abandoned) {
      removeAbandoned(lock, holder);
      continue;
    }
    // Name the holder once its pid is readable (a lock made without hard links is empty at first).
    if (!announced && (holder.pid !== undefined || ++unknownPolls > 10)) {
      announced = true;
      onWait?.(holder.pid);
    }
    waited = true;
    await new Promise((r) => setTimeout(r, POLL_MS));
    const done = committed();
    if (done !== undefined) return { value: done, waited };
  }
}

function tryAcquire(lock: string): 'acquired' | 'busy' | 'unlockable' {
  // The lock appears with the pid already inside (a temp linked into place), so a waiter never
  // sees an empty lock and never has to guess whether its holder is starting or gone.
  const tmp = tempPath(lock);
  try {
    try {
      fs.writeFileSync(tmp, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if (UNLOCKABLE.includes((e as NodeJS.ErrnoException).code ?? '')) return 'unlockable';
      throw e;
    }
    try {
      fs.linkSync(tmp, lock);
      return 'acquired';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'busy';
      // A file system without hard links: create the lock exclusively, then write the pid.
      return createExclusive(lock);
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Errors that say no lock can be made in the directory (read-only, no permission, full): the
 * build then runs unlocked and its own writes report the directory with the fix.
 */
const UNLOCKABLE: readonly string[] = ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT'];

function createExclusive(lock: string): 'acquired' | 'busy' | 'unlockable' {
  let fd: number;
  try {
    fd = fs.openSync(lock, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'busy';
    if (UNLOCKABLE.includes(code ?? '')) return 'unlockable';
    throw e;
  }
  try {
    fs.writeSync(fd, String(process.pid));
  } finally {
    fs.closeSync(fd);
  }
  return 'acquired';
}

function release(lock: string): void {
  // Only our own lock: a waiter may have judged ours abandoned and taken it over.
  if (holderOf(lock).pid === process.pid) fs.rmSync(lock, { force: true });
}

/** What a waiter saw of a lock when it judged it: its inode and its text. */
export interface LockSeen {
  readonly ino?: number;
  readonly text?: string;
}

/**
 * Removes an abandoned lock only if it is still the file the waiter judged (same inode, same
 * pid inside): two waiters may judge the same dead lock, and the slower one must not remove the
 * lock the faster one has taken since (which may even reuse the inode, but holds another pid).
 * @internal
 */
export function removeAbandoned(lock: string, seen: LockSeen): void {
  let text: string;
  let ino: number;
  try {
    text = fs.readFileSync(lock, 'utf8');
    ino = fs.statSync(lock).ino;
  } catch {
    return;
  }
  if (ino === seen.ino && text === seen.text) fs.rmSync(lock, { force: true });
}

function holderOf(lock: string): LockSeen & { pid?: number; abandoned: boolean } {
  let text: string;
  let mtimeMs: number;
  let ino: number;
  try {
    text = fs.readFileSync(lock, 'utf8');
    ({ mtimeMs, ino } = fs.statSync(lock));
  } catch {
    // released meanwhile: not abandoned, just gone; the next attempt takes it
    return { abandoned: false };
  }
  const pid = /^\d+$/.test(text) ? Number(text) : undefined;
  // An empty file is a holder between its create and its write; only age makes it abandoned.
  const gone = pid !== undefined && processIsGone(pid);
  return { pid, ino, text, abandoned: gone || Date.now() - mtimeMs > STALE_TEMP_MS };
}
