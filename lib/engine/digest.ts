import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { defaultCacheDir } from './cache-dir';
import { DigestIndex, digestIndexDir, DIR, FILE, LINK, RecordBuilder, ROOT, type TreeRecord } from './digest-index';
import { ExcludeMatcher } from './zip/excludes';

/** The JSON a cache-key document is made of. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };

/**
 * Content digests already computed by this process, keyed on identity and change stamps: a
 * synth computes the key of a layer more than once (construct, bundling, build), and a large
 * directory should be read once. Any write changes ctime, so a stale hit needs a file changed
 * and its ctime restored, which ordinary tools cannot do.
 */
const digestMemo = new Map<string, string>();

function sha256File(file: string, st: fs.Stats = fs.statSync(file)): string {
  const stamp = memoStamp(file, st);
  const known = digestMemo.get(stamp);
  if (known) return known;
  const digest = hashFile(file);
  filesRead++;
  digestMemo.set(stamp, digest);
  return digest;
}

let filesRead = 0;
let filesKeyed = 0;

/**
 * Files this process has read to hash (memo misses) and files treeDigest has digested (read,
 * remembered or on record), so far. A key computed after a pack that told every digest
 * (rememberFileDigest) reads none and keys exactly the files packed.
 */
export function digestCounters(): { readonly read: number; readonly keyed: number } {
  return { read: filesRead, keyed: filesKeyed };
}

function memoStamp(file: string, st: fs.Stats): string {
  return `${file}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/**
 * Tells this process the SHA-256 (hex) of a file's content, read by someone else (a pack worker
 * that read the bytes anyway), so a key computed afterwards takes it instead of reading the file
 * again. `st` is the lstat taken before the bytes were read: a later change moves ctime, so the
 * digest is never used for other bytes.
 */
export function rememberFileDigest(file: string, st: fs.Stats, sha256Hex: string): void {
  digestMemo.set(memoStamp(file, st), sha256Hex);
}

/**
 * One read buffer for every file hashed: reading each file into a buffer of its own (190 MB
 * over 24,000 files for a cold key) leaves that much garbage for the collector and grows the
 * process by it.
 */
let readBuffer: Buffer | undefined;

function hashFile(file: string): string {
  const h = createHash('sha256');
  readBuffer ??= Buffer.allocUnsafeSlow(1024 * 1024);
  const fd = fs.openSync(file, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, readBuffer, 0, readBuffer.length, null);
      if (n === 0) break;
      h.update(readBuffer.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Executable bit plus SHA-256 of one file (never its path or mtime). */
export function fileDigest(file: string): string {
  const st = fs.statSync(file);
  return `x${isExecutable(st.mode) ? 1 : 0}:${sha256File(file, st)}`;
}

export function optionalFileDigest(file: string): string | null {
  return fs.existsSync(file) ? fileDigest(file) : null;
}

export function optionalTreeDigest(dir: string): string | null {
  return fs.existsSync(dir) ? treeDigest(dir) : null;
}

/** A directory's tree digest or a file's digest, whichever the path is. */
export function pathDigest(p: string): string {
  return fs.statSync(p).isDirectory() ? treeDigest(p) : fileDigest(p);
}

/**
 * Names never part of a layer's inputs: version-control metadata and interpreter caches change
 * without the content changing. (The ZIP writer's default excludes drop them, and more.)
 */
const IGNORED_NAMES = new Set(['.git', '.hg', '.svn', '__pycache__', '.DS_Store']);
function ignoredForKey(name: string): boolean {
  return IGNORED_NAMES.has(name) || name.endsWith('.pyc');
}

/**
 * Digest of a directory that becomes (part of) the layer root: what the ZIP writer would leave
 * out (default and user excludes) does not count, so editing a .env never forces a rebuild.
 */
export function layerTreeDigest(root: string, excludes: readonly string[]): string {
  const matcher = new ExcludeMatcher(excludes);
  const scope = codeIdentity();
  return treeDigest(root, (rel, isDir) => matcher.match(rel, isDir) !== undefined,
    scope === null ? null : hashText(`${scope}\0excludes\0${JSON.stringify(excludes)}`));
}

/** The cache directory whose digest records treeDigest uses while a key is computed for it. */
let recordsCacheDir: string | undefined;

/**
 * Runs `fn` (a key computation) with treeDigest keeping its digest records in `cacheDir`'s, so a
 * layer with its own cache directory keeps all its state there. Keys are synchronous, so the
 * setting cannot leak into another computation.
 */
export function withDigestRecords<T>(cacheDir: string | undefined, fn: () => T): T {
  const saved = recordsCacheDir;
  recordsCacheDir = cacheDir;
  try {
    return fn();
  } finally {
    recordsCacheDir = saved;
  }
}

type Skip = (relPath: string, isDirectory: boolean) => boolean;
const noSkip: Skip = () => false;

/**
 * SHA-256 over the sorted relative paths, executable bits and contents of a directory tree.
 * `skip` leaves paths out (relative, '/'-separated); VCS metadata and bytecode never count.
 * `scope` names what `skip` decides (the same scope, the same decisions): with it, a directory
 * whose stamps are unchanged since the last walk is not listed and matched again. Without it
 * (a `skip` of unknown identity) every directory is listed.
 */
export function treeDigest(root: string, skip: Skip = noSkip, scope?: string | null): string {
  const absRoot = path.resolve(root);
  const index = DigestIndex.open(digestIndexDir(recordsCacheDir ?? defaultCacheDir()), absRoot);
  const scopeId = scope !== undefined ? scope : skip === noSkip ? noSkipScope() : null;
  let walk = new TreeWalk(absRoot, skip, index.loaded, scopeId, true);
  try {
    walk.run();
  } catch (e) {
    if (e !== STALE_LISTING) throw e;
    // A reused listing named an entry that is gone or of another kind: list everything instead.
    walk = new TreeWalk(absRoot, skip, index.loaded, scopeId, false);
    walk.run();
  }
  const out = walk.out;
  const old = index.loaded;
  const tree = old?.tree && walk.streamSame && out.length === old.n ? old.tree : streamDigest(out);
  if (!out.unchanged || old?.tree !== tree || old?.scope !== scopeId) out.write(index.file, absRoot, scopeId, tree, old !== undefined);
  return tree;
}

/** Thrown inside a walk when a reused directory listing turns out not to describe the directory. */
const STALE_LISTING = new Error('stale directory listing');

/**
 * One walk of a tree against its record: each directory whose stamps match is taken from the
 * record (its entries are only lstat'ed), each file whose stamps match keeps its digest; the
 * rest is listed, matched and hashed. The result is the new record, in walk order.
 */
class TreeWalk {
  public readonly out: RecordBuilder;
  /** The entries so far give the same hashed stream as the record's, entry for entry. */
  public streamSame = true;
  private readonly prefix: string;
  private readonly now = Date.now();
  private readonly trustListings: boolean;

  constructor(
    private readonly root: string,
    private readonly skip: Skip,
    private readonly old: TreeRecord | undefined,
    scope: string | null,
    trust: boolean,
  ) {
    this.out = new RecordBuilder(old);
    this.prefix = root.endsWith(path.sep) ? root : root + path.sep;
    this.trustListings = trust && scope !== null && old?.scope === scope;
  }

  public run(): void {
    // The root may be a symlink to the tree: stat, not lstat. Stamps are taken before listing,
    // so a change during the walk shows as a stamp that differs next time.
    const st = fs.statSync(this.root);
    const old = this.old;
    if (old && this.trustListings && old.matches(0, st) && old.isListed(0)) {
      const k = this.out.reuse(0);
      this.fromRecord(0);
      this.out.close(k);
    } else {
      const k = this.out.add(ROOT, '', st, this.now);
      this.listed('', this.root);
      this.out.close(k);
    }
  }

  private abs(rel: string): string {
    return this.prefix + (path.sep === '/' ? rel : rel.split('/').join(path.sep));
  }

  /** The entries of directory `i` as recorded (its stamps matched). */
  private fromRecord(i: number): void {
    const old = this.old!;
    const end = old.ends[i];
    for (let c = i + 1; c < end;) {
      const next = old.kind(c) === DIR ? old.ends[c] : c + 1;
      this.entry(old.rels[c], c, true);
      c = next;
    }
  }

  /** The entries of a directory listed now: sorted in code-unit order, ignored names and excludes left out. */
  private listed(rel: string, abs: string): void {
    const names = fs.readdirSync(abs).sort();
    for (const name of names) {
      if (ignoredForKey(name)) continue;
      const childRel = rel ? `${rel}/${name}` : name;
      this.entry(childRel, this.old?.indexOf(childRel) ?? -1, false);
    }
  }

  private entry(rel: string, oldIndex: number, fromRecord: boolean): void {
    const abs = this.abs(rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch (e) {
      if (fromRecord) throw STALE_LISTING;
      // Gone between the listing and now: not part of the tree.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const kind = st.isDirectory() ? DIR : st.isFile() ? FILE : st.isSymbolicLink() ? LINK : -1;
    const old = this.old;
    if (fromRecord) {
      if (kind !== old!.kind(oldIndex)) throw STALE_LISTING;
    } else {
      // Sockets, FIFOs and devices never count.
      if (kind < 0 || this.skip(rel, kind === DIR)) return;
      if (oldIndex >= 0 && old!.kind(oldIndex) !== kind) oldIndex = -1;
    }
    const same = oldIndex >= 0 && old!.matches(oldIndex, st);
    if (kind === FILE) filesKeyed++;
    const out = this.out;
    if (kind === DIR) {
      const reuse = same && this.trustListings && old!.isListed(oldIndex);
      const k = reuse ? out.reuse(oldIndex) : out.add(DIR, rel, st, this.now);
      this.compare(k);
      if (reuse) this.fromRecord(oldIndex);
      else this.listed(rel, abs);
      out.close(k);
    } else if (same) {
      this.compare(out.reuse(oldIndex));
    } else if (kind === FILE) {
      this.compare(out.add(FILE, rel, st, this.now, sha256File(abs, st), isExecutable(st.mode)));
    } else {
      this.compare(out.add(LINK, rel, st, this.now, fs.readlinkSync(abs)));
    }
  }

  /** Keeps `streamSame` up to date with new entry `k`. */
  private compare(k: number): void {
    const out = this.out;
    if (!this.streamSame || out.isOriginal(k)) return;
    const old = this.old;
    const kind = out.kind(k);
    if (!old || k >= old.n || old.kind(k) !== kind || old.rels[k] !== out.rel(k)) {
      this.streamSame = false;
    } else if (kind === FILE) {
      this.streamSame = old.isExecutable(k) === out.isExecutable(k) && old.digest(k) === out.digest(k);
    } else if (kind === LINK) {
      this.streamSame = old.target(k) === out.target(k);
    }
  }
}

/** The hashed stream of a walk: one part per entry after the root, in walk order. */
function streamDigest(out: RecordBuilder): string {
  const h = createHash('sha256');
  // The hashed stream is the same as one update per entry; batching only saves calls.
  let pending: string[] = [];
  for (let k = 1; k < out.length; k++) {
    const kind = out.kind(k);
    const rel = out.rel(k);
    pending.push(kind === DIR ? `D\0${rel}\0`
      : kind === FILE ? `F\0${rel}\0${out.isExecutable(k) ? 1 : 0}\0${out.digest(k)}\0`
        : `L\0${rel}\0${out.target(k)}\0`);
    if (pending.length >= 512) {
      h.update(pending.join(''));
      pending = [];
    }
  }
  h.update(pending.join(''));
  return h.digest('hex');
}

/**
 * What decides the entries a walk keeps, as one identity: the code of this module (ignored names,
 * the stream) and of the exclude matcher (rules and how they match). A layersmith whose code
 * differs lists every directory again instead of trusting listings filtered by other rules.
 * Null when the code cannot be read (a bundled build): listings are then never reused.
 */
let codeId: string | null | undefined;
function codeIdentity(): string | null {
  if (codeId === undefined) {
    try {
      const h = createHash('sha256');
      for (const f of [__filename, require.resolve('./zip/excludes')]) h.update(fs.readFileSync(f)).update('\0');
      codeId = h.digest('hex');
    } catch {
      codeId = null;
    }
  }
  return codeId;
}

function noSkipScope(): string | null {
  const id = codeIdentity();
  return id === null ? null : hashText(`${id}\0all`);
}

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isExecutable(mode: number): boolean {
  return (mode & 0o111) !== 0;
}

/** Code-unit order, the same on every machine and locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted at every level and undefined members dropped. */
export function canonicalJson(value: Json | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(cmp);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}
