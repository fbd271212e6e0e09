import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './atomic';

/**
 * A persisted record of file digests for one directory tree, the way git's index works: each file
 * is remembered with its size, mtime, ctime, inode and device, and a later key computation takes
 * the recorded digest instead of reading the file when all five still match. Any difference (a
 * write changes mtime and ctime; restoring mtime with utimes changes ctime again; a replaced file
 * has a new inode) means the file is read and hashed again.
 *
 * A file changed within RACY_MS of being hashed is not recorded: its timestamps might not move
 * on a second change in the same clock tick (git's "racily clean" entries), so it is hashed again
 * next time. The record is only an accelerator: when it cannot be read or written, every file is
 * hashed as before.
 */

/** Files whose mtime or ctime is this close to the moment they were hashed are not recorded. */
export const RACY_MS = 2000;

/** Bumped when the record's layout or the digest it stores changes. */
const FORMAT = 1;

/** size, mtimeMs, ctimeMs, ino, dev, digest */
type Stamp = [number, number, number, number, number, string];

interface Stored {
  readonly format: number;
  readonly root: string;
  readonly files: Record<string, Stamp>;
}

/** Directory the records live in: `digests/` of the layersmith cache. */
export function digestIndexDir(cacheDir: string): string {
  return path.join(cacheDir, 'digests');
}

/** The digest record of one tree: `lookup` before hashing a file, `record` after, `save` at the end. */
export class DigestIndex {
  /** Loads the record of `root` from `dir` (an empty one when there is none or it is unreadable). */
  public static open(dir: string, root: string): DigestIndex {
    const file = path.join(dir, `${createHash('sha256').update(root).digest('hex').slice(0, 32)}.json`);
    let files: Record<string, Stamp> = {};
    try {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored;
      if (stored.format === FORMAT && stored.root === root && stored.files && typeof stored.files === 'object') files = stored.files;
    } catch {
      // no record yet, or a damaged one: start empty
    }
    return new DigestIndex(file, root, files);
  }

  private readonly seen: Record<string, Stamp> = {};
  private seenCount = 0;
  private changed = false;

  private constructor(private readonly file: string, private readonly root: string, private readonly known: Record<string, Stamp>) {}

  /** The recorded digest of `rel` when size, mtime, ctime, inode and device all match `st`. */
  public lookup(rel: string, st: fs.Stats): string | undefined {
    const s = Object.prototype.hasOwnProperty.call(this.known, rel) ? this.known[rel] : undefined;
    if (!s || s[0] !== st.size || s[1] !== st.mtimeMs || s[2] !== st.ctimeMs || s[3] !== st.ino || s[4] !== st.dev) return undefined;
    this.seen[rel] = s;
    this.seenCount++;
    return s[5];
  }

  /** Remembers the digest just computed for `rel` (unless the file changed too recently to trust). */
  public record(rel: string, st: fs.Stats, digest: string, now: number = Date.now()): void {
    this.changed = true;
    if (now - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) return;
    this.seen[rel] = [st.size, st.mtimeMs, st.ctimeMs, st.ino, st.dev, digest];
    this.seenCount++;
  }

  /**
   * Writes the record when anything differs from what was loaded: files hashed anew, or files
   * recorded before and not seen this time (deleted, or now excluded). Errors are ignored: the
   * record only saves work.
   */
  public save(): void {
    if (!this.changed && this.seenCount === Object.keys(this.known).length) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const stored: Stored = { format: FORMAT, root: this.root, files: this.seen };
      writeFileAtomic(this.file, JSON.stringify(stored));
    } catch {
      // read-only or full cache directory: the next key computation hashes again
    }
  }
}
