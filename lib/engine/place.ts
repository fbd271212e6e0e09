import * as fs from 'fs';
import { tempPath } from './atomic';
import { linkKeepingStamp } from './cache-verify';

/** How `placeArtifact` put the ZIP in place. */
export type PlacementMethod = 'hardlink' | 'reflink-or-copy';

/**
 * Puts a cached layer ZIP at `dest` (e.g. into a cloud assembly) without a full copy where the
 * file system allows: a hard link when `dest` is on the same file system as the cache (the ZIP
 * is never written again once it is in the cache, so sharing its inode is safe), otherwise
 * `copyFile` with COPYFILE_FICLONE, which clones the extents on file systems that support it
 * (btrfs, XFS, APFS) and falls back to an ordinary copy elsewhere. Either way the file appears
 * at `dest` by an atomic rename, so a reader never sees a partial ZIP. `beforeRename` runs between
 * the two (a test pause point).
 */
export function placeArtifact(zipPath: string, dest: string, beforeRename?: () => void): PlacementMethod {
  const tmp = tempPath(dest);
  try {
    let method: PlacementMethod = 'hardlink';
    // A dest that already is this ZIP (a re-synth into the same assembly) loses that link below.
    const linkDelta = sameInode(zipPath, dest) ? 0 : 1;
    // The link and the rename move the ZIP's ctime; its verification stamp is carried over
    // (cache-verify.ts), so the next synth does not hash the whole ZIP again.
    linkKeepingStamp(zipPath, linkDelta, () => {
      try {
        fs.linkSync(zipPath, tmp);
      } catch {
        // EXDEV (another file system), EPERM (links not allowed), ...: clone or copy instead.
        method = 'reflink-or-copy';
        fs.copyFileSync(zipPath, tmp, fs.constants.COPYFILE_FICLONE);
      }
      beforeRename?.();
      fs.renameSync(tmp, dest);
    });
    return method;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function sameInode(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}
