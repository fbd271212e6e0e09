import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ownedTempTag, tempPath, tempPathOwner } from '../core/atomic';
import { LayersmithValidationError } from '../core/errors';

/**
 * Every temp name layersmith writes carries the owning process id, so a later build can tell a
 * temp of a killed process (remove it) from one of a build in flight (keep it):
 *  - files and directories renamed into place: `<dest>.tmp-<pid>-<8 hex>`, next to `dest`
 *    (lib/core/atomic.ts, which lib/core's own writers use too);
 *  - staging directories: `layersmith-<purpose>-<pid>-<8 hex>` in the OS temp directory.
 */
export { tempPath, writeFileAtomic } from '../core/atomic';

/** A temp older than this is abandoned even when its pid is alive again (pids get reused). */
export const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/** What packDirectory named its temp before it used `tempPath`: `.<name>.<pid>.<stamp>.tmp`. */
const LEGACY_PACK_TEMP = /^\..+\.(\d+)\.[0-9a-z]+\.tmp$/;
/** `layersmith-<purpose>-<pid>-<rand>` */
const STAGING_DIR = /^layersmith-([A-Za-z][A-Za-z0-9]*)-(\d+)-([0-9a-f]{8})$/;
/** What the engine named staging directories before (mkdtemp: no pid), swept by age alone. */
const LEGACY_STAGING_DIR = /^layersmith-(directory|zip|python|node|java|php|ruby|customRuntime|command|sync)-[A-Za-z0-9]{6}$/;

/** Copies `src` to `dest` through a temp file next to `dest` and a rename. */
export function copyFileAtomic(src: string, dest: string, beforeRename?: () => void): void {
  const tmp = tempPath(dest);
  try {
    fs.copyFileSync(src, tmp);
    beforeRename?.();
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Creates a fresh private directory `layersmith-<purpose>-<pid>-<rand>` in the OS temp directory.
 * The caller removes it; `sweepStagingDirs` removes those a killed process left.
 */
export function makeStagingDir(purpose: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(purpose)) {
    throw new LayersmithValidationError('BAD_STAGING_PURPOSE',
      `makeStagingDir: purpose '${purpose}' must be letters and digits, starting with a letter (it is part of the directory name).`);
  }
  for (;;) {
    const dir = path.join(os.tmpdir(), `layersmith-${purpose}-${ownedTempTag()}`);
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * True when the process `pid` no longer exists. This process and pids we cannot judge count as
 * alive; a pid owned by another user answers EPERM, which means it exists. Assumes the temp
 * directory is not shared with processes in another pid namespace (another container).
 */
export function processIsGone(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // A killed build whose parent died too is a zombie until init reaps it (slowly, or never in
  // some containers); kill(pid, 0) still succeeds for it, but it owns nothing any more.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The owning pid of a layersmith temp in a cache directory (files or dirs), else undefined. */
export function cacheTempOwner(name: string): number | undefined {
  const legacy = LEGACY_PACK_TEMP.exec(name);
  return tempPathOwner(name) ?? (legacy ? Number(legacy[1]) : undefined);
}

/** The owning pid of a staging directory name; null for an old-style one without a pid. */
export function stagingDirOwner(name: string): number | null | undefined {
  const m = STAGING_DIR.exec(name);
  if (m) return Number(m[2]);
  return LEGACY_STAGING_DIR.test(name) ? null : undefined;
}

/** Options of the sweepers. */
export interface SweepOptions {
  /**
   * The current time, for the age bound.
   * @default Date.now()
   */
  readonly now?: number;
  /**
   * A temp older than this (by mtime) is removed whatever its pid says.
   * @default STALE_TEMP_MS (24 hours)
   */
  readonly maxAgeMs?: number;
}

/**
 * Removes, from `dir`, each entry that `owner` recognises as a layersmith temp and that is
 * abandoned: its owner process is gone, or it is older than the age bound. A young temp of a
 * live process (a build in flight) is never touched. Returns the names removed.
 */
function sweep(dir: string, owner: (name: string) => number | null | undefined, options: SweepOptions): string[] {
  const now = options.now ?? Date.now();
  const maxAge = options.maxAgeMs ?? STALE_TEMP_MS;
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = owner(name);
    if (pid === undefined) continue;
    const abs = path.join(dir, name);
    try {
      if ((pid !== null && processIsGone(pid)) || now - fs.lstatSync(abs).mtimeMs > maxAge) {
        fs.rmSync(abs, { recursive: true, force: true });
        removed.push(name);
      }
    } catch {
      // another process removed or renamed it meanwhile: nothing to sweep
    }
  }
  return removed;
}

/**
 * Removes the temps (ZIPs, manifests, packer temps, also those named by older versions) that
 * killed builds left in a cache directory. Returns the names removed.
 */
export function sweepStaleTemps(cacheDir: string, options: SweepOptions | number = {}): string[] {
  return sweep(cacheDir, cacheTempOwner, typeof options === 'number' ? { now: options } : options);
}

/**
 * Removes `layersmith-<purpose>-<pid>-<rand>` staging directories that killed builds left in
 * the OS temp directory (or `tmpDir`). Returns the names removed.
 */
export function sweepStagingDirs(tmpDir: string = os.tmpdir(), options: SweepOptions = {}): string[] {
  return sweep(tmpDir, stagingDirOwner, options);
}
