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
const FORMAT = 2;

/** Numbers stored per file: size, mtimeMs, ctimeMs, ino, dev. */
const STAMP_WIDTH = 5;

/**
 * The record on disk, in columns rather than one object per file: a 25,000-file tree parses in a
 * fraction of the time (arrays of numbers and strings, no 25,000-key object in dictionary mode).
 */
interface Stored {
  readonly format: number;
  readonly root: string;
  readonly paths: string[];
  /** STAMP_WIDTH numbers per path, in path order. */
  readonly stamps: number[];
  readonly digests: string[];
}

/** Directory the records live in: `digests/` of the layersmith cache. */
export function digestIndexDir(cacheDir: string): string {
  return path.join(cacheDir, 'digests');
}

function recordFile(dir: string, root: string): string {
  return path.join(dir, `${createHash('sha256').update(root).digest('hex').slice(0, 32)}.json`);
}

/** The digest record of one tree: `lookup` before hashing a file, `record` after, `save` at the end. */
export class DigestIndex {
  /** Whether `dir` holds a record of `root` at all (a first build of a tree has none). */
  public static exists(dir: string, root: string): boolean {
    return fs.existsSync(recordFile(dir, root));
  }

  /** Loads the record of `root` from `dir` (an empty one when there is none or it is unreadable). */
  public static open(dir: string, root: string): DigestIndex {
    const file = recordFile(dir, root);
    const known = new Map<string, number>();
    let stored: Stored | undefined;
    try {
      const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored;
      const n = Array.isArray(s.paths) ? s.paths.length : -1;
      if (s.format === FORMAT && s.root === root && Array.isArray(s.digests) && s.digests.length === n
        && Array.isArray(s.stamps) && s.stamps.length === n * STAMP_WIDTH) {
        stored = s;
        for (let i = 0; i < n; i++) known.set(s.paths[i], i);
      }
    } catch {
      // no record yet, or a damaged one: start empty
    }
    return new DigestIndex(file, root, known, stored);
  }

  private readonly seenPaths: string[] = [];
  private readonly seenStamps: number[] = [];
  private readonly seenDigests: string[] = [];
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly root: string,
    private readonly known: Map<string, number>,
    private readonly stored: Stored | undefined,
  ) {}

  /** The recorded digest of `rel` when size, mtime, ctime, inode and device all match `st`. */
  public lookup(rel: string, st: fs.Stats): string | undefined {
    const i = this.known.get(rel);
    if (i === undefined) return undefined;
    const s = this.stored!.stamps;
    const at = i * STAMP_WIDTH;
    if (s[at] !== st.size || s[at + 1] !== st.mtimeMs || s[at + 2] !== st.ctimeMs || s[at + 3] !== st.ino || s[at + 4] !== st.dev) {
      return undefined;
    }
    const digest = this.stored!.digests[i];
    this.keep(rel, st, digest);
    return digest;
  }

  /** Remembers the digest just computed for `rel` (unless the file changed too recently to trust). */
  public record(rel: string, st: fs.Stats, digest: string, now: number = Date.now()): void {
    this.changed = true;
    if (now - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) return;
    this.keep(rel, st, digest);
  }

  /**
   * Writes the record when anything differs from what was loaded: files hashed anew, or files
   * recorded before and not seen this time (deleted, or now excluded). Errors are ignored: the
   * record only saves work.
   */
  public save(): void {
    if (!this.changed && this.seenPaths.length === this.known.size) return;
    // Only files changed too recently to trust, and no record before: nothing to remember.
    if (this.seenPaths.length === 0 && this.known.size === 0) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const stored: Stored = { format: FORMAT, root: this.root, paths: this.seenPaths, stamps: this.seenStamps, digests: this.seenDigests };
      writeFileAtomic(this.file, JSON.stringify(stored));
    } catch {
      // read-only or full cache directory: the next key computation hashes again
    }
  }

  private keep(rel: string, st: fs.Stats, digest: string): void {
    this.seenPaths.push(rel);
    this.seenStamps.push(st.size, st.mtimeMs, st.ctimeMs, st.ino, st.dev);
    this.seenDigests.push(digest);
  }
}
