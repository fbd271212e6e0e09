import { createHash, type Hash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as nodePath from 'path';
import { pipeline, type TransformOptions } from 'stream';
import * as zlib from 'zlib';
import { LayersmithPackError } from '../../core/errors';
import type { ExcludedFile } from '../../core/model';
import { tempPath } from '../atomic';
import { sortByEntryName, validateEntryName } from '../entry-name';
import { removeOnSignal } from '../signal-cleanup';
import { pausePoint } from '../test-pause';
import { BatchFileError, DeflatedFile, DeflatePool } from './deflate-pool';
import { ExcludeMatcher } from './excludes';
import { STREAMED_DEFLATE, type ReusedEntry, type ReuseRecorder, type ReuseSource } from './reuse';
import { ZipFileWriter } from './zip-writer';

/** Options of `packDirectory`. */
export interface PackOptions {
  /**
   * Glob patterns, relative to the root, left out on top of the default excludes (see
   * `ExcludeMatcher` for the glob rules).
   * @default []
   */
  readonly excludes?: readonly string[];
  /**
   * Apply the default excludes (.git, .env*, .npmrc, .pypirc, .aws/, keys and credentials,
   * __pycache__, *.pyc, .DS_Store).
   * @default true
   */
  readonly useDefaultExcludes?: boolean;
  /**
   * Number of deflate worker threads.
   * @default os.availableParallelism()
   */
  readonly workers?: number;
  /**
   * Deflate level 0-9 (0 stores every entry uncompressed).
   * @default 6
   */
  readonly level?: number;
  /**
   * Called after each group of entries is written, with entries written and entries in total.
   * @default no progress callback
   */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Reuse compressed entries of the previous build of the same layer (see ./reuse.ts): files
   * whose content digest matches the previous entry's are copied, not compressed again. The
   * output is the same bytes either way.
   * @default every file is compressed
   */
  readonly reuse?: PackReuse;
  /**
   * Called with the SHA-256 (hex) of every regular file's bytes exactly as they went into the ZIP,
   * and the lstat taken before they were read. Setting it makes the deflate workers hash what
   * they read, so a key computed after the pack reads no file again (engine.ts, first builds).
   * @default files are not hashed
   */
  readonly onFileDigest?: (absPath: string, st: fs.Stats, sha256Hex: string) => void;
}

/** How `packDirectory` reuses a previous build's entries. */
export interface PackReuse {
  /**
   * The previous build's entries.
   * @default none (nothing reused, but `recorder` still collects)
   */
  readonly previous?: ReuseSource;
  /** SHA-256 (hex) of a file's bytes when already known without reading it (a digest record), else undefined. */
  readonly contentDigest: (relPath: string, st: fs.Stats) => string | undefined;
  /**
   * Collects every entry whose digest is known, for the next build.
   * @default nothing collected
   */
  readonly recorder?: ReuseRecorder;
}

/** What `packDirectory` wrote. */
export interface PackResult {
  /** Absolute path of the ZIP. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the ZIP bytes (AWS `CodeSha256`). */
  readonly sha256: string;
  /** CRC-64/XZ of the ZIP bytes, unsigned decimal (FC `code.checksum`). */
  readonly crc64: string;
  /** ZIP file size in bytes. */
  readonly zippedSize: number;
  /** Sum of entry sizes (files, plus the target text of symlinks). */
  readonly unzippedSize: number;
  /** Entries in the ZIP (files, directories and symlinks). */
  readonly entryCount: number;
  /** Paths left out, in path order, each with its reason. */
  readonly excluded: ExcludedFile[];
  /** Entries copied from the previous build instead of compressed (0 without `reuse`). */
  readonly reusedEntries: number;
}

/** Why a directory could not be packed. */
export type PackErrorCode =
  | 'NOT_A_DIRECTORY'
  | 'SYMLINK_ESCAPE'
  | 'SYMLINK_LOOP'
  | 'BAD_ENTRY_NAME'
  | 'UNSUPPORTED_FILE_TYPE'
  | 'FILE_CHANGED'
  | 'READ_FAILED'
  | 'BAD_OPTION';

/** A directory that cannot become a layer ZIP as it is. */
export class ZipPackError extends LayersmithPackError {
  constructor(
    /** Which rule the input broke. */
    public override readonly code: PackErrorCode,
    /** The file or directory at fault (absolute). */
    public override readonly path: string,
    message: string,
  ) {
    super(code, message, { path });
  }
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** Files at least this big are streamed through a deflater (libuv pool) instead of read whole by a worker, which bounds worker memory. */
const STREAM_THRESHOLD = 4 * 1024 * 1024;
/** A worker batch closes at this many files or bytes, whichever comes first. */
const BATCH_MAX_FILES = 256;
const BATCH_MAX_BYTES = 1024 * 1024;

interface PlannedEntry {
  /** ZIP entry name ('/'-separated; directories end with '/'). */
  readonly name: string;
  readonly absPath: string;
  readonly kind: 'file' | 'directory' | 'symlink';
  /** Normalised Unix mode with type bits. */
  readonly unixMode: number;
  readonly size: number;
  readonly linkTarget?: string;
  /** lstat of a file (for digest records). */
  readonly st?: fs.Stats;
}

/**
 * Packs a directory into a byte-for-byte reproducible layer ZIP.
 *
 * Reproducibility: entries sorted by the UTF-8 bytes of their path; every timestamp is
 * 1980-01-01 00:00 (DOS); modes are normalised (directories 0755, files 0644, or 0755 when any
 * execute bit is set, symlinks 0777); no uid/gid, extended timestamps or other extra fields; no
 * comments. The same tree gives the same bytes on any machine, day and umask.
 *
 * Directories: every directory below the root gets its own entry, so empty directories survive
 * (some packages rely on them) and directory modes are explicit.
 *
 * Symlinks: a link whose target stays inside the root is stored as a symlink entry (mode
 * 0120777, the target text as data), as Info-ZIP `zip -y` does; Lambda and FC extract it as a
 * link under /opt. A link with an absolute target, or a relative one that leaves the root, is a
 * `ZipPackError` SYMLINK_ESCAPE naming the link and its target. Targets are checked lexically;
 * a dangling link inside the root is stored as it is.
 *
 * Excludes: the default excludes and `options.excludes`; every path left out is reported in
 * `excluded`, secret-looking ones with `secret: true`.
 *
 * The ZIP is written to a temporary file next to `outZip` and renamed into place at the end;
 * on any error the temporary file is removed and nothing is left at `outZip`.
 *
 * Files are read and compressed in parallel by worker threads, many files per message; files of
 * 16 MiB or more are streamed, so memory stays bounded whatever the layer size. zip64 records
 * are written when there are 65,535 entries or more, or an offset or size passes 4 GiB.
 */
export async function packDirectory(rootDir: string, outZip: string, options: PackOptions = {}): Promise<PackResult> {
  const root = nodePath.resolve(rootDir);
  const target = nodePath.resolve(outZip);
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new ZipPackError('BAD_OPTION', root,
      `layersmith: deflate level ${level} is not an integer from 0 to 9; pass level: 6 (the default) or another value in 0-9.`);
  }
  const workers = options.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ZipPackError('BAD_OPTION', root, `layersmith: workers=${workers} must be a positive integer; omit it to use one per CPU core.`);
  }
  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(root);
  } catch {
    throw new ZipPackError('NOT_A_DIRECTORY', root,
      `layersmith: layer root ${root} does not exist; build the layer content there first or point the source at the right directory.`);
  }
  if (!rootStat.isDirectory()) {
    throw new ZipPackError('NOT_A_DIRECTORY', root,
      `layersmith: layer root ${root} is not a directory; a directory source must name the folder that becomes /opt.`);
  }

  const matcher = new ExcludeMatcher(options.excludes ?? [], options.useDefaultExcludes ?? true);
  const excluded: ExcludedFile[] = [];
  // The workers start, and compress the first files, while the rest of the tree is listed.
  const pool = new DeflatePool(workers, level, options.onFileDigest !== undefined);
  const pipe = new EntryPipeline(pool, level, workers, options);
  try {
    const entries: PlannedEntry[] = [];
    // The walk lists entries in ZIP order (sorted by name bytes), so each is final when listed.
    walk(root, matcher, excluded, target, (e) => {
      entries.push(e);
      pipe.plan(e);
    });
    pipe.endPlan();
    refuseSymlinkLoops(root, entries);
    sortByEntryName(excluded, (e) => e.path);

    fs.mkdirSync(nodePath.dirname(target), { recursive: true });
    // Named by tempPath so the cache sweeper recognises it when a build is killed mid-pack.
    const temp = tempPath(target);
    const forgetTemp = removeOnSignal(temp);
    let writer: ZipFileWriter;
    try {
      writer = await ZipFileWriter.open(temp);
    } catch (err) {
      forgetTemp();
      fs.rmSync(temp, { force: true });
      throw err;
    }
    try {
      const { unzipped: unzippedSize, reused } = await pipe.write(writer, entries.length);
      const summary = await writer.finish();
      pausePoint('pack:written');
      fs.renameSync(temp, target);
      return {
        zipPath: target,
        sha256: summary.sha256,
        crc64: summary.crc64,
        zippedSize: summary.size,
        unzippedSize,
        entryCount: summary.entryCount,
        excluded,
        reusedEntries: reused,
      };
    } catch (err) {
      await writer.abort();
      fs.rmSync(temp, { force: true });
      throw err;
    } finally {
      forgetTemp();
    }
  } finally {
    pipe.stop();
    await pool.close();
  }
}

/**
 * Links that resolve to each other (a -> b -> a) never reach a file: every read of them under
 * /opt fails with ELOOP. Targets were checked to stay inside the root; follow each chain.
 */
function refuseSymlinkLoops(root: string, entries: readonly PlannedEntry[]): void {
  const targets = new Map<string, string>();
  for (const e of entries) {
    if (e.kind === 'symlink') targets.set(e.name, nodePath.posix.normalize(nodePath.posix.join(nodePath.posix.dirname(e.name), e.linkTarget!)));
  }
  for (const start of targets.keys()) {
    const chain = [start];
    const seen = new Set([start]);
    let at = start;
    while (targets.has(at)) {
      const next = targets.get(at)!;
      const text = entries.find((x) => x.name === at)!.linkTarget!;
      chain.push(text);
      if (seen.has(next)) {
        const abs = nodePath.join(root, ...start.split('/'));
        throw new ZipPackError('SYMLINK_LOOP', abs,
          `layersmith: symlinks in ${root} form a loop: ${chain.join(' -> ')} (starting at ${abs}); the link never reaches a file, `
          + 'so every read of it under /opt fails. Replace one link with the file it should point to, or exclude the links.');
      }
      seen.add(next);
      at = next;
    }
  }
}

function normalisedFileMode(mode: number): number {
  return S_IFREG | ((mode & 0o111) !== 0 ? 0o755 : 0o644);
}

/** A directory entry as listed, before it is judged. */
interface Listed {
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  /** lstat, when readdir gave no type. */
  readonly st?: fs.Stats;
  /** Sort key among siblings: the name, plus '/' for a directory. */
  readonly order: string;
}

function walk(root: string, matcher: ExcludeMatcher, excluded: ExcludedFile[], output: string, onEntry: (e: PlannedEntry) => void): void {
  const visit = (relDir: string, absDir: string): void => {
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(absDir, { withFileTypes: true });
    } catch (e) {
      throw new ZipPackError('READ_FAILED', absDir, `layersmith: cannot list ${absDir}: ${(e as Error).message}. Check its permissions.`);
    }
    const listed: Listed[] = [];
    for (const d of dirents) {
      let kind: 'file' | 'directory' | 'symlink' | 'other';
      let st: fs.Stats | undefined;
      if (d.isFile()) {kind = 'file';} else if (d.isDirectory()) {kind = 'directory';} else if (d.isSymbolicLink()) {kind = 'symlink';} else {
        // Some file systems report no type in readdir; ask lstat.
        st = fs.lstatSync(nodePath.join(absDir, d.name));
        kind = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'other';
      }
      // A directory's entries all start with "<name>/": ordering siblings by that key and
      // descending in place lists the whole tree sorted by entry name.
      listed.push({ name: d.name, kind, st, order: kind === 'directory' ? `${d.name}/` : d.name });
    }
    sortByEntryName(listed, (x) => x.order);
    for (const { name: base, kind, st: typeless } of listed) {
      const rel = relDir === '' ? base : `${relDir}/${base}`;
      const abs = nodePath.join(absDir, base);
      const nameProblem = validateEntryName(rel);
      if (nameProblem) {
        throw new ZipPackError('BAD_ENTRY_NAME', abs,
          `layersmith: ${abs} cannot go into a layer ZIP: ${nameProblem}. Rename it or add it to excludes.`);
      }
      if (abs === output) {
        // A previous build written inside the root must not end up inside the next one.
        excluded.push({ path: rel, reason: 'the output ZIP itself', secret: false });
        continue;
      }
      const skip = matcher.match(rel, kind === 'directory');
      if (skip) {
        excluded.push(skip);
        continue;
      }
      if (kind === 'directory') {
        onEntry({ name: `${rel}/`, absPath: abs, kind, unixMode: S_IFDIR | 0o755, size: 0 });
        visit(rel, abs);
      } else if (kind === 'file') {
        const st = typeless ?? fs.lstatSync(abs);
        onEntry({ name: rel, absPath: abs, kind, unixMode: normalisedFileMode(st.mode), size: st.size, st });
      } else if (kind === 'symlink') {
        const linkTarget = fs.readlinkSync(abs);
        const resolved = nodePath.posix.normalize(nodePath.posix.join(nodePath.posix.dirname(rel), linkTarget.split(nodePath.sep).join('/')));
        if (nodePath.isAbsolute(linkTarget) || nodePath.posix.isAbsolute(linkTarget) || resolved === '..' || resolved.startsWith('../')) {
          throw new ZipPackError('SYMLINK_ESCAPE', abs,
            `layersmith: symlink ${abs} points to ${linkTarget}, outside the layer root ${root}. `
            + 'A layer is extracted under /opt, so the link would dangle or reach into the function\'s file system. '
            + 'Copy the target into the layer and use a relative link, or exclude the link.');
        }
        onEntry({ name: rel, absPath: abs, kind, unixMode: S_IFLNK | 0o777, size: Buffer.byteLength(linkTarget), linkTarget });
      } else {
        throw new ZipPackError('UNSUPPORTED_FILE_TYPE', abs,
          `layersmith: ${abs} is not a regular file, directory or symlink (a socket, FIFO or device); remove it or add it to excludes.`);
      }
    }
  };
  visit('', root);
}

/** A run of consecutive entries written together: one worker batch, or one streamed big file. */
interface Unit {
  readonly entries: PlannedEntry[];
  readonly streamed: boolean;
}

/**
 * Groups entries into units as they are listed, compresses units ahead of the writer (bounded),
 * and writes them in order. Units are dispatched while the walk still lists the tree.
 */
class EntryPipeline {
  private readonly units: Unit[] = [];
  private current: PlannedEntry[] = [];
  private currentFiles = 0;
  private currentBytes = 0;
  /** Per unit: its batch compressing in the pool. */
  private readonly pending: Array<Promise<DeflatedFile[]> | undefined> = [];
  /** Per unit and file: its known content digest and, when the previous build had it, its entry. */
  private readonly known: Array<{ digests: (string | undefined)[]; taken: (ReusedEntry | undefined)[] } | undefined> = [];
  /** Per streamed unit: its known digest, and its previous entry or its deflate already running. */
  private readonly big: Array<{ digest?: string; taken?: ReusedEntry; started?: StartedStream } | undefined> = [];
  private dispatched = 0;
  private aheadBytes = 0;
  /** Bounded look-ahead, in units and in bytes: memory stays flat however large the layer is, yet
   * enough is compressed ahead that the workers keep busy while the writer waits on a big file. */
  private readonly minAhead: number;

  constructor(private readonly pool: DeflatePool, private readonly level: number, workers: number, private readonly options: PackOptions) {
    this.minAhead = workers * 2 + 2;
  }

  /** Adds the next entry in ZIP order. */
  public plan(e: PlannedEntry): void {
    if (e.kind === 'file' && e.size >= STREAM_THRESHOLD) {
      this.closeBatch();
      this.units.push({ entries: [e], streamed: true });
      this.dispatch(0);
      return;
    }
    this.current.push(e);
    if (e.kind === 'file') {
      this.currentFiles++;
      this.currentBytes += e.size;
      if (this.currentFiles >= BATCH_MAX_FILES || this.currentBytes >= BATCH_MAX_BYTES) {
        this.closeBatch();
        this.dispatch(0);
      }
    }
  }

  /** Every entry is planned. */
  public endPlan(): void {
    this.closeBatch();
  }

  /** Writes every unit in order; `total` is the number of entries (for progress). */
  public async write(writer: ZipFileWriter, total: number): Promise<{ unzipped: number; reused: number }> {
    const { onProgress, reuse, onFileDigest } = this.options;
    const units = this.units;
    let done = 0;
    let unzipped = 0;
    let reused = 0;
    for (let i = 0; i < units.length; i++) {
      this.dispatch(i);
      const unit = units[i];
      if (unit.streamed) {
        // A big file: its previous entry (same content digest) is copied in the same streamed
        // layout, with its data descriptor, so the bytes equal a fresh compression's.
        const e = unit.entries[0];
        const { digest, taken, started } = this.big[i]!;
        this.big[i] = undefined;
        const w = taken
          ? { ...(await writer.addStreamed(e, e.size, [taken.data], () => taken)), crc32: taken.crc32, uncompressedSize: taken.uncompressedSize }
          : await writeStreamed(e, writer, started!);
        const sha256 = digest ?? ('sha256' in w ? w.sha256 : undefined);
        if (sha256 !== undefined) {
          reuse?.recorder?.add(e.name, sha256, STREAMED_DEFLATE, w.crc32, w.uncompressedSize, w.compressedSize, w.dataOffset);
          onFileDigest?.(e.absPath, e.st!, sha256);
        }
        if (taken) reused++;
        unzipped += w.uncompressedSize;
      } else {
        const files = unit.entries.filter((e) => e.kind === 'file');
        const k2 = this.known[i];
        const compressed = k2 ? files.filter((_, k) => k2.taken[k] === undefined) : files;
        let results: DeflatedFile[] = [];
        if (compressed.length > 0) {
          try {
            results = await this.pending[i]!;
          } catch (e) {
            throw toPackError(e, compressed);
          }
        }
        this.pending[i] = undefined;
        this.known[i] = undefined;
        let k = 0;
        let r = 0;
        for (const e of unit.entries) {
          if (e.kind === 'directory') {
            await writer.addComplete(e, 0, 0, 0, new Uint8Array(0));
          } else if (e.kind === 'symlink') {
            const data = Buffer.from(e.linkTarget!);
            await writer.addComplete(e, 0, zlib.crc32(data), data.length, data);
            unzipped += data.length;
          } else {
            const taken = k2?.taken[k];
            const fresh = taken ? undefined : results[r++];
            const digest = k2?.digests[k] ?? fresh?.sha256;
            k++;
            const out = taken ?? fresh!;
            // Where this entry's data will start: after the 30-byte local header and the name.
            const dataOffset = writer.bytesWritten + 30 + Buffer.byteLength(e.name);
            await writer.addComplete(e, out.method, out.crc32, out.uncompressedSize, out.data);
            if (digest !== undefined) {
              reuse?.recorder?.add(e.name, digest, out.method, out.crc32, out.uncompressedSize, out.data.length, dataOffset);
              onFileDigest?.(e.absPath, e.st!, digest);
            }
            if (taken) reused++;
            unzipped += out.uncompressedSize;
          }
        }
      }
      this.aheadBytes -= unitBytes(unit);
      done += unit.entries.length;
      onProgress?.(done, total);
    }
    return { unzipped, reused };
  }

  /** Closes the files of big files still deflating ahead (after an error). */
  public stop(): void {
    for (const b of this.big) b?.started?.deflater.destroy();
  }

  private closeBatch(): void {
    if (this.current.length > 0) this.units.push({ entries: this.current, streamed: false });
    this.current = [];
    this.currentFiles = 0;
    this.currentBytes = 0;
  }

  /** Starts compressing the units after the writer's position `i`, as far as the look-ahead allows. */
  private dispatch(i: number): void {
    const { reuse, onFileDigest } = this.options;
    const units = this.units;
    for (; this.dispatched < units.length && this.roomAhead(i); this.dispatched++) {
      const at = this.dispatched;
      const u = units[at];
      this.aheadBytes += unitBytes(u);
      if (u.streamed) {
        const e = u.entries[0];
        const digest = reuse?.contentDigest(e.name, e.st!);
        const taken = digest !== undefined ? reuse?.previous?.take(e.name, digest, e.size, true) : undefined;
        this.big[at] = { digest, taken, started: taken ? undefined : startStreamed(e, this.level, onFileDigest !== undefined) };
        continue;
      }
      let files = u.entries.filter((e) => e.kind === 'file');
      if (reuse) {
        const digests = files.map((f) => reuse.contentDigest(f.name, f.st!));
        const taken = files.map((f, k) => (digests[k] !== undefined ? reuse.previous?.take(f.name, digests[k]!, f.size) : undefined));
        this.known[at] = { digests, taken };
        files = files.filter((_, k) => taken[k] === undefined);
      }
      if (files.length === 0) continue;
      const p = this.pool.run(files.map((f) => f.absPath), files.map((f) => f.size));
      // Failures are handled when the writer reaches this unit; do not let them float unhandled.
      p.catch(() => undefined);
      this.pending[at] = p;
    }
  }

  private roomAhead(i: number): boolean {
    return this.dispatched < i + MAX_AHEAD_UNITS && (this.dispatched < i + this.minAhead || this.aheadBytes < MAX_AHEAD_BYTES);
  }
}

/** At most this many units are compressed ahead of the writer... */
const MAX_AHEAD_UNITS = 64;
/** ... and, past the first few, at most this many uncompressed bytes. */
const MAX_AHEAD_BYTES = 32 * 1024 * 1024;

function unitBytes(u: Unit): number {
  let n = 0;
  for (const e of u.entries) n += e.size;
  return n;
}

function toPackError(e: unknown, files: readonly PlannedEntry[]): Error {
  if (e instanceof BatchFileError) {
    const file = files[e.index].absPath;
    if (e.code === 'FILE_CHANGED') {
      return new ZipPackError('FILE_CHANGED', file,
        `layersmith: ${file} changed while the layer was packed (${e.message}); wait for whatever writes it to finish and build again.`);
    }
    return new ZipPackError('READ_FAILED', file, `layersmith: cannot read ${file}: ${e.message}. Check its permissions or exclude it.`);
  }
  return e as Error;
}

/** A big file being read and deflated ahead of the writer. */
interface StartedStream {
  readonly deflater: zlib.DeflateRaw;
  readonly state: { crc: number; size: number; sha?: Hash; failure?: Error };
}

/**
 * Starts reading and deflating a big file. Its compressed bytes queue (up to STREAM_AHEAD_BYTES)
 * until the writer reaches it, so it compresses next to the workers instead of alone then.
 */
function startStreamed(e: PlannedEntry, level: number, hash: boolean): StartedStream {
  const state: StartedStream['state'] = { crc: 0, size: 0, sha: hash ? createHash('sha256') : undefined };
  const source = fs.createReadStream(e.absPath, { highWaterMark: 1024 * 1024 });
  source.on('data', (chunk) => {
    state.crc = zlib.crc32(chunk as Buffer, state.crc);
    state.sha?.update(chunk as Buffer);
    state.size += chunk.length;
  });
  // A transform's readable side takes the stream options (the types list only zlib's own).
  const deflateOptions: zlib.ZlibOptions & TransformOptions = { level, readableHighWaterMark: STREAM_AHEAD_BYTES };
  const deflater = zlib.createDeflateRaw(deflateOptions);
  pipeline(source, deflater, (err) => {
    if (err) state.failure = err;
  });
  return { deflater, state };
}

function sizeNow(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return -1;
  }
}

/** Compressed bytes of one big file that may wait for the writer. */
const STREAM_AHEAD_BYTES = 8 * 1024 * 1024;

async function writeStreamed(
  e: PlannedEntry, writer: ZipFileWriter, started: StartedStream,
): Promise<{ crc32: number; uncompressedSize: number; compressedSize: number; dataOffset: number; sha256?: string }> {
  const { deflater, state } = started;
  try {
    const placed = await writer.addStreamed(e, e.size, deflater, () => {
      // It was read ahead: a file still growing shows at its turn in the ZIP, as when read then.
      const now = state.size === e.size ? sizeNow(e.absPath) : state.size;
      if (state.size !== e.size || now !== e.size) {
        throw new ZipPackError('FILE_CHANGED', e.absPath,
          `layersmith: ${e.absPath} changed while the layer was packed (size was ${e.size} bytes when listed and ${now} when read); `
          + 'wait for whatever writes it to finish and build again.');
      }
      return { crc32: state.crc, uncompressedSize: state.size };
    });
    return { ...placed, crc32: state.crc >>> 0, uncompressedSize: state.size, sha256: state.sha?.digest('hex') };
  } catch (err) {
    if (err instanceof ZipPackError) throw err;
    const cause = state.failure ?? (err as Error);
    throw new ZipPackError('READ_FAILED', e.absPath, `layersmith: cannot read ${e.absPath}: ${cause.message}. Check its permissions or exclude it.`);
  }
}
