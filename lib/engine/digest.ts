import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { defaultCacheDir } from './cache-dir';
import { DigestIndex, digestIndexDir } from './digest-index';
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
  digestMemo.set(stamp, digest);
  return digest;
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
  return treeDigest(root, (rel, isDir) => matcher.match(rel, isDir) !== undefined);
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

/**
 * SHA-256 over the sorted relative paths, executable bits and contents of a directory tree.
 * `skip` leaves paths out (relative, '/'-separated); VCS metadata and bytecode never count.
 */
export function treeDigest(root: string, skip: (relPath: string, isDirectory: boolean) => boolean = () => false): string {
  const h = createHash('sha256');
  // Unchanged files (same size, mtime, ctime, inode, device as when last hashed) are not read.
  const index = DigestIndex.open(digestIndexDir(recordsCacheDir ?? defaultCacheDir()), path.resolve(root));
  const digestOf = (abs: string, relPath: string, st: fs.Stats): string => {
    const known = index.lookup(relPath, st);
    if (known) return known;
    const digest = sha256File(abs, st);
    index.record(relPath, st, digest);
    return digest;
  };
  // The hashed stream is the same as one update per entry; batching only saves calls.
  let pending: string[] = [];
  const feed = (part: string): void => {
    pending.push(part);
    if (pending.length >= 512) {
      h.update(pending.join(''));
      pending = [];
    }
  };
  const walk = (dir: string, rel: string): void => {
    // Entry types come with the listing, so only files (whose stamps the record needs) are lstat'ed.
    const ents = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => cmp(a.name, b.name));
    for (const ent of ents) {
      const name = ent.name;
      if (ignoredForKey(name)) continue;
      const abs = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      if (ent.isDirectory()) {
        if (skip(relPath, true)) continue;
        feed(`D\0${relPath}\0`);
        walk(abs, relPath);
      } else if (ent.isSymbolicLink()) {
        if (skip(relPath, false)) continue;
        feed(`L\0${relPath}\0${fs.readlinkSync(abs)}\0`);
      } else if (ent.isFile()) {
        if (skip(relPath, false)) continue;
        const st = fs.lstatSync(abs);
        feed(`F\0${relPath}\0${isExecutable(st.mode) ? 1 : 0}\0${digestOf(abs, relPath, st)}\0`);
      }
    }
  };
  walk(root, '');
  h.update(pending.join(''));
  index.save();
  return h.digest('hex');
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
