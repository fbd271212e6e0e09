import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './atomic';
import { COARSE_SETTLE_MS, isSettled } from './file-times';

/**
 * A persisted record of one directory tree as a key computation last walked it, the way git's
 * index works: every file with its size, mtime, ctime, inode, device and SHA-256, every
 * directory with the same stamps. A later walk takes a file's recorded digest instead of reading
 * it when all five stamps still match, and a directory's recorded listing (what was left after the
 * excludes) instead of listing and matching it again when the directory's stamps match: creating,
 * removing or renaming an entry changes its directory's mtime and ctime (POSIX), a write changes
 * a file's, and restoring an mtime with utimes changes ctime again. When nothing at all differs
 * the recorded tree digest is the answer, without hashing anything.
 *
 * Something changed too recently to trust (see file-times.ts) is stored unusable: a file is read
 * again next time, a directory is listed again. The record is only an accelerator: when it cannot
 * be read or written, every file is hashed and every directory listed as before.
 */

/** Files whose mtime or ctime is this close to the moment they were hashed may not be trusted. */
export const RACY_MS = COARSE_SETTLE_MS;

/** Entry kinds, in walk order: the tree root first, then a directory before what is in it. */
export const ROOT = 0;
export const DIR = 1;
export const FILE = 2;
export const LINK = 3;
/** Flag bits next to the kind: the file is executable; the directory's listing may be reused. */
const KIND_MASK = 3;
const EXEC = 4;
const LISTED = 8;

/** Numbers stored per entry: size, mtimeMs, ctimeMs, ino, dev. */
const STAMP_WIDTH = 5;
const DIGEST_BYTES = 32;
/** A stamp no file has: what a racy entry is stored with, so it never matches. */
const NEVER = -1;

const MAGIC = 'LSD3';

/** Directory the records live in: `digests/` of the layersmith cache. */
export function digestIndexDir(cacheDir: string): string {
  return path.join(cacheDir, 'digests');
}

function recordName(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 32);
}

function recordFile(dir: string, root: string): string {
  return path.join(dir, `${recordName(root)}.rec`);
}

/** What the fields of an lstat the record compares. */
export interface Stamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly dev: number;
}

/**
 * A loaded record: columns in walk order. Binary on disk (a header, then the stamps as doubles,
 * the subtree ends, the kinds and the raw digests, then the paths): a 25,000-file tree loads in a
 * few milliseconds, with no per-file object.
 */
export class TreeRecord {
  /** Reads `file`; undefined when missing, damaged or of another root. */
  public static load(file: string, root: string): TreeRecord | undefined {
    try {
      const buf = fs.readFileSync(file);
      if (buf.toString('latin1', 0, 4) !== MAGIC) return undefined;
      const headerLen = buf.readUInt32LE(4);
      const header = JSON.parse(buf.toString('utf8', 8, 8 + headerLen)) as { root: string; scope: string | null; tree: string | null; n: number };
      const n = header.n;
      if (header.root !== root || !Number.isInteger(n) || n < 1) return undefined;
      let at = align8(8 + headerLen);
      const stampBytes = n * STAMP_WIDTH * 8;
      // A Float64Array needs 8-byte alignment in its ArrayBuffer; copy when the Buffer's is off.
      const stamps = (buf.byteOffset + at) % 8 === 0
        ? new Float64Array(buf.buffer, buf.byteOffset + at, n * STAMP_WIDTH)
        : new Float64Array(new Uint8Array(buf.subarray(at, at + stampBytes)).buffer);
      at += stampBytes;
      const ends = new Uint32Array(new Uint8Array(buf.subarray(at, at + n * 4)).buffer);
      at += n * 4;
      const kinds = buf.subarray(at, at + n);
      at += n;
      const digests = buf.subarray(at, at + n * DIGEST_BYTES);
      at += n * DIGEST_BYTES;
      const strings = buf.toString('utf8', at).split('\0');
      if (digests.length !== n * DIGEST_BYTES || strings.length < n) return undefined;
      const targets = new Map<number, string>();
      let t = n;
      for (let i = 0; i < n; i++) {
        if ((kinds[i] & KIND_MASK) === LINK) targets.set(i, strings[t++]);
        if (ends[i] > n || ((kinds[i] & KIND_MASK) <= DIR && ends[i] <= i)) return undefined;
      }
      if (t !== strings.length || (kinds[0] & KIND_MASK) !== ROOT || ends[0] !== n) return undefined;
      strings.length = n;
      return new TreeRecord(n, kinds, stamps, ends, digests, strings, targets, header.scope, header.tree);
    } catch {
      return undefined;
    }
  }

  private byPath?: Map<string, number>;

  private constructor(
    public readonly n: number,
    private readonly kinds: Uint8Array,
    private readonly stamps: Float64Array,
    /** For ROOT and DIR: the index after the last entry of the subtree. */
    public readonly ends: Uint32Array,
    private readonly digests: Buffer,
    /** Relative '/'-separated paths ('' for the root). */
    public readonly rels: string[],
    private readonly targets: Map<number, string>,
    /** What decided which entries a listing kept (the excludes and the code that applies them). */
    public readonly scope: string | null,
    /** The tree digest of exactly these entries. */
    public readonly tree: string | null,
  ) {}

  public kind(i: number): number {
    return this.kinds[i] & KIND_MASK;
  }

  /** Kind and flag bits of entry `i`, as stored. */
  public flags(i: number): number {
    return this.kinds[i];
  }

  public isExecutable(i: number): boolean {
    return (this.kinds[i] & EXEC) !== 0;
  }

  /** Whether directory `i`'s listing was settled when read (it may be reused while its stamps match). */
  public isListed(i: number): boolean {
    return (this.kinds[i] & LISTED) !== 0;
  }

  public matches(i: number, st: Stamp): boolean {
    const s = this.stamps;
    const at = i * STAMP_WIDTH;
    return s[at] === st.size && s[at + 1] === st.mtimeMs && s[at + 2] === st.ctimeMs && s[at + 3] === st.ino && s[at + 4] === st.dev;
  }

  /** SHA-256 hex of file `i`. */
  public digest(i: number): string {
    return this.digests.toString('hex', i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
  }

  /** Target of symlink `i`. */
  public target(i: number): string {
    return this.targets.get(i) ?? '';
  }

  /** The index of `rel`, or undefined (the path map is built on first use). */
  public indexOf(rel: string): number | undefined {
    if (!this.byPath) {
      this.byPath = new Map();
      for (let i = 1; i < this.n; i++) this.byPath.set(this.rels[i], i);
    }
    return this.byPath.get(rel);
  }

  /** @internal raw columns for RecordBuilder.reuse */
  public _raw(): { kinds: Uint8Array; stamps: Float64Array; digests: Buffer } {
    return { kinds: this.kinds, stamps: this.stamps, digests: this.digests };
  }
}

/**
 * The record of a walk being made, entry by entry in walk order. An entry is either taken whole
 * from the loaded record (`reuse`, nothing copied until written) or new (`add`).
 */
export class RecordBuilder {
  /**
   * While the walk takes the loaded record's entries in their own order (an unchanged tree), they
   * are only counted: the columns below are filled from the first entry that differs on.
   */
  private prefix = 0;
  private materialized = false;
  /** Index into the loaded record, or -1 for a new entry. */
  private readonly from: number[] = [];
  private readonly kinds: number[] = [];
  private readonly rels: string[] = [];
  private readonly stamps: number[] = [];
  /** Where a new entry's stamps start in `stamps` (-1 for a reused one). */
  private readonly slots: number[] = [];
  private readonly digestHex: string[] = [];
  private readonly targets: string[] = [];
  private readonly ends: number[] = [];
  /** Whether any entry can be trusted next time (a record of nothing trustworthy is not written). */
  private trusted = false;

  constructor(private readonly old: TreeRecord | undefined) {}

  public get length(): number {
    return this.materialized ? this.from.length : this.prefix;
  }

  /** True when every entry is the loaded record's own, at its own index, and there are as many. */
  public get unchanged(): boolean {
    return !this.materialized && this.old !== undefined && this.old.n === this.prefix;
  }

  /** Takes entry `i` of the loaded record as it is. */
  public reuse(i: number): number {
    this.trusted = true;
    if (!this.materialized && i === this.prefix) return this.prefix++;
    this.materialize();
    return this.pushReused(i);
  }

  /**
   * A new entry. `now` decides whether its stamps are trusted next time; `data` is the SHA-256 hex
   * of a file or the target of a symlink.
   */
  public add(kind: number, rel: string, st: fs.Stats, now: number, data = '', executable = false): number {
    this.materialize();
    const k = this.from.length;
    const settled = isSettled(st, now);
    this.from.push(-1);
    this.kinds.push(kind | (executable ? EXEC : 0) | ((kind === DIR || kind === ROOT) && settled ? LISTED : 0));
    this.rels.push(rel);
    // Directories keep their real stamps either way: an unsettled listing is simply not LISTED.
    const usable = settled || kind === DIR || kind === ROOT;
    this.slots.push(this.stamps.length);
    this.stamps.push(usable ? st.size : NEVER, st.mtimeMs, st.ctimeMs, st.ino, st.dev);
    this.digestHex.push(kind === FILE ? data : '');
    this.targets.push(kind === LINK ? data : '');
    this.ends.push(0);
    if (settled) this.trusted = true;
    return k;
  }

  /** Marks where the subtree of directory entry `k` ends (the current length). */
  public close(k: number): void {
    // Counted entries are the record's own in order: their subtree ends are the record's.
    if (this.materialized) this.ends[k] = this.from.length;
  }

  public kind(k: number): number {
    return this.materialized ? this.kinds[k] & KIND_MASK : this.old!.kind(k);
  }

  /** Whether entry `k` is the loaded record's entry `k`, taken as it is. */
  public isOriginal(k: number): boolean {
    return this.materialized ? this.from[k] === k : k < this.prefix;
  }

  public rel(k: number): string {
    return this.materialized ? this.rels[k] : this.old!.rels[k];
  }

  public isExecutable(k: number): boolean {
    return this.materialized ? (this.kinds[k] & EXEC) !== 0 : this.old!.isExecutable(k);
  }

  public digest(k: number): string {
    const i = this.materialized ? this.from[k] : k;
    return i >= 0 ? this.old!.digest(i) : this.digestHex[k];
  }

  public target(k: number): string {
    return this.materialized ? this.targets[k] : this.old!.target(k);
  }

  /** Fills the columns with the counted entries, from here on every entry is pushed. */
  private materialize(): void {
    if (this.materialized) return;
    this.materialized = true;
    for (let i = 0; i < this.prefix; i++) {
      this.pushReused(i);
      // Directories still open are closed again later; the others end where they did.
      this.ends[i] = this.old!.ends[i];
    }
  }

  private pushReused(i: number): number {
    const old = this.old!;
    const k = this.from.length;
    this.from.push(i);
    this.kinds.push(old.flags(i));
    this.rels.push(old.rels[i]);
    this.slots.push(-1);
    this.digestHex.push('');
    this.targets.push(old.kind(i) === LINK ? old.target(i) : '');
    this.ends.push(0);
    return k;
  }

  /** Writes the record atomically to `file`; errors are ignored (the record only saves work). */
  public write(file: string, root: string, scope: string | null, tree: string | null, hadRecord: boolean): void {
    // Only entries changed too recently to trust, and no record before: nothing to remember.
    if (!this.trusted && !hadRecord) return;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, this.serialize(root, scope, tree));
      // The JSON record an older layersmith kept for the same tree is of no use any more.
      fs.rmSync(file.replace(/\.rec$/, '.json'), { force: true });
    } catch {
      // read-only or full cache directory: the next key computation hashes again
    }
  }

  private serialize(root: string, scope: string | null, tree: string | null): Buffer {
    this.materialize();
    const n = this.from.length;
    const header = Buffer.from(JSON.stringify({ root, scope, tree, n }), 'utf8');
    const linkTargets = this.targets.filter((_, k) => this.kind(k) === LINK);
    const strings = Buffer.from([...this.rels, ...linkTargets].join('\0'), 'utf8');
    const stampsAt = align8(8 + header.length);
    const endsAt = stampsAt + n * STAMP_WIDTH * 8;
    const kindsAt = endsAt + n * 4;
    const digestsAt = kindsAt + n;
    const stringsAt = digestsAt + n * DIGEST_BYTES;
    const out = Buffer.alloc(stringsAt + strings.length);
    out.write(MAGIC, 0, 'latin1');
    out.writeUInt32LE(header.length, 4);
    header.copy(out, 8);
    const stamps = new Float64Array(n * STAMP_WIDTH);
    const raw = this.old?._raw();
    for (let k = 0; k < n; k++) {
      const i = this.from[k];
      if (i >= 0) {
        stamps.set(raw!.stamps.subarray(i * STAMP_WIDTH, (i + 1) * STAMP_WIDTH), k * STAMP_WIDTH);
        raw!.digests.copy(out, digestsAt + k * DIGEST_BYTES, i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
      } else {
        for (let j = 0; j < STAMP_WIDTH; j++) stamps[k * STAMP_WIDTH + j] = this.stamps[this.slots[k] + j];
        if (this.kind(k) === FILE) out.write(this.digestHex[k], digestsAt + k * DIGEST_BYTES, DIGEST_BYTES, 'hex');
      }
      out.writeUInt32LE(this.ends[k], endsAt + k * 4);
      out[kindsAt + k] = this.kinds[k];
    }
    Buffer.from(stamps.buffer).copy(out, stampsAt);
    strings.copy(out, stringsAt);
    return out;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** The digest record of one tree: what key computations and builds look file digests up in. */
export class DigestIndex {
  /** Whether `dir` holds a record of `root` at all (a first build of a tree has none). */
  public static exists(dir: string, root: string): boolean {
    return fs.existsSync(recordFile(dir, root));
  }

  /** Loads the record of `root` from `dir` (an empty one when there is none or it is unreadable). */
  public static open(dir: string, root: string): DigestIndex {
    const file = recordFile(dir, root);
    return new DigestIndex(file, root, TreeRecord.load(file, root));
  }

  private readonly kept: Array<{ rel: string; st: fs.Stats; digest: string }> = [];

  private constructor(
    /** The record's file. */
    public readonly file: string,
    /** The tree's absolute root. */
    public readonly root: string,
    /** What the last walk recorded; undefined when there is no usable record. */
    public readonly loaded: TreeRecord | undefined,
  ) {}

  /** The recorded digest of file `rel` when size, mtime, ctime, inode and device all match `st`. */
  public lookup(rel: string, st: Stamp): string | undefined {
    const i = this.loaded?.indexOf(rel);
    if (i === undefined || this.loaded!.kind(i) !== FILE || !this.loaded!.matches(i, st)) return undefined;
    return this.loaded!.digest(i);
  }

  /** Remembers the digest just computed for file `rel` for `save` (unless it changed too recently to trust). */
  public record(rel: string, st: fs.Stats, digest: string, now: number = Date.now()): void {
    if (isSettled(st, now)) this.kept.push({ rel, st, digest });
  }

  /**
   * Writes the files given to `record` as a record of their own (no directory listings, so the
   * next walk lists every directory and looks files up by path). Nothing is written when none
   * was kept. Errors are ignored.
   */
  public save(): void {
    if (this.kept.length === 0) return;
    const b = new RecordBuilder(undefined);
    const root = b.add(ROOT, '', { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0, dev: 0 } as fs.Stats, 0);
    for (const { rel, st, digest } of [...this.kept].sort((x, y) => (x.rel < y.rel ? -1 : x.rel > y.rel ? 1 : 0))) {
      b.add(FILE, rel, st, Number.MAX_SAFE_INTEGER, digest, (st.mode & 0o111) !== 0);
    }
    b.close(root);
    b.write(this.file, this.root, null, null, true);
  }
}
