import { randomBytes } from 'crypto';
import * as fs from 'fs';

/**
 * The one temp-name scheme of layersmith. Every temp carries the owning process id, so a later
 * build can tell a temp of a killed process (remove it) from one of a build in flight (keep it):
 * files and directories renamed into place are `<dest>.tmp-<pid>-<8 hex>`, next to `dest`. The
 * engine's staging directories and cache sweeper build on the same tag and pattern.
 */

/** `<dest>.tmp-<pid>-<rand>` */
const TEMP_SUFFIX = /\.tmp-(\d+)-[0-9a-z]+$/;

/** `<pid>-<8 hex>`: who owns a temp, and a random part so two temps of one process differ. */
export function ownedTempTag(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A unique temp path next to `dest` (same file system, so the final rename is atomic). */
export function tempPath(dest: string): string {
  return `${dest}.tmp-${ownedTempTag()}`;
}

/** The owning pid of a name `tempPath` made, else undefined. */
export function tempPathOwner(name: string): number | undefined {
  const m = TEMP_SUFFIX.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Writes `data` to `dest` through a temp file in the same directory and a rename, so a reader
 * never sees a half-written file. Two writers of identical content may race: the last rename
 * wins and both leave the same bytes. On failure the temp is removed and `dest` is untouched.
 */
export function writeFileAtomic(dest: string, data: string | Uint8Array): void {
  const tmp = tempPath(dest);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
