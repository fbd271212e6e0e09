import * as fs from 'fs';
import * as zlib from 'zlib';
import { compareEntryNames, entryNameProblem } from '../entry-name';
import { ZipErrorCode, ZipInspectionError } from './errors';

/**
 * A central-directory ZIP reader: it reads the end records and the central directory in one
 * read each, and touches entry data only when asked. Listing a 20,000-entry ZIP through
 * yauzl costs two small reads and a stream per entry; this reader's single pass is what brings
 * inspection close to `unzip -l` (see BENCHMARKS.md). The records are kept in columns (typed
 * arrays and an array of names): a 20,000-entry ZIP then costs 20,000 strings, not 20,000 objects
 * more for the collector to copy; `entry(k)` and `entries` build objects when asked.
 */

const MAX_U16 = 0xFFFF;
const MAX_U32 = 0xFFFFFFFF;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
export const TYPE_FILE = 0;
export const TYPE_DIRECTORY = 1;
export const TYPE_SYMLINK = 2;
/** CentralEntry.type by the numbers in ZipReader.types. */
export const TYPE_NAMES: readonly CentralEntry['type'][] = ['file', 'directory', 'symlink'];
/** A gzip member header (RFC 1952): deflate, no flags, no time, unknown OS. */
const GZIP_HEADER = Buffer.from([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF]);
/** Local extra fields are usually empty or a few timestamps; read this much past the name. */
const LOCAL_EXTRA_GUESS = 64;

/**
 * Buffer's own decoder without `toString`'s argument handling (it runs once per entry). Node has
 * had it on every Buffer since v0.x; it is not in @types/node.
 */
interface Utf8Sliceable {
  utf8Slice(start: number, end: number): string;
}

/** One central directory record. */
export interface CentralEntry {
  /** Name as stored (directories end with '/'). */
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  /** Length of the name in bytes (the local header usually repeats it). */
  readonly nameLength: number;
  readonly type: 'file' | 'directory' | 'symlink';
  /** Permission bits (0o7777). */
  readonly mode: number;
}

/** Limits applied while reading. */
export interface ReadLimits {
  readonly maxUnzippedBytes: number;
  readonly maxRatio: number;
}

export class ZipReader {
  /**
   * Opens the file and reads and validates its central directory. A file of at most
   * `preloadMaxBytes` is read whole in one call and every later read is a slice of it: the
   * caller checksums the whole file anyway, and one read beats a syscall per entry it inspects.
   */
  public static open(file: string, limits: ReadLimits, preloadMaxBytes = 0): ZipReader {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new ZipInspectionError('NOT_A_ZIP', file, `layersmith: cannot open ${file}: ${(e as Error).message}.`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      const reader = new ZipReader(file, fd, size);
      if (size > 0 && size <= preloadMaxBytes) reader.whole = reader.read(0, size);
      reader.readCentralDirectory(limits);
      return reader;
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Entry names in central directory order; the other columns below are indexed alike. */
  public names: string[] = [];
  /** Each entry's type: TYPE_FILE, TYPE_DIRECTORY or TYPE_SYMLINK. */
  public types = new Uint8Array(0);
  /** Permission bits (0o7777), defaulted as in CentralEntry.mode. */
  public modes = new Uint16Array(0);
  public compressedSizes = new Float64Array(0);
  public uncompressedSizes = new Float64Array(0);
  private flagsColumn = new Uint16Array(0);
  private methods = new Uint16Array(0);
  private crcs = new Uint32Array(0);
  private offsets = new Float64Array(0);
  private nameLengths = new Uint16Array(0);
  /** Central directory indices in UTF-8 byte order of the names; undefined when they already are in that order. */
  public sortedOrder?: number[];
  private materialized?: CentralEntry[];
  /** The whole file, when it was small enough to preload. */
  public whole?: Buffer;
  /** Sum of declared uncompressed sizes. */
  public unzippedSize = 0;
  /** Every name is ASCII, so JavaScript string order is UTF-8 byte order. */
  public asciiNames = true;
  /** Where entry data must end: the start of the central directory. */
  private dataEnd = 0;

  private constructor(public readonly file: string, private readonly fd: number, public readonly size: number) {}

  /** Every entry, in central directory order (built on first use: inspection reads the columns). */
  public get entries(): CentralEntry[] {
    if (!this.materialized) this.materialized = this.names.map((_, k) => this.entry(k));
    return this.materialized;
  }

  /** The entry at central directory index k. */
  public entry(k: number): CentralEntry {
    if (this.materialized) return this.materialized[k];
    return {
      name: this.names[k],
      flags: this.flagsColumn[k],
      method: this.methods[k],
      crc32: this.crcs[k],
      compressedSize: this.compressedSizes[k],
      uncompressedSize: this.uncompressedSizes[k],
      localHeaderOffset: this.offsets[k],
      nameLength: this.nameLengths[k],
      type: TYPE_NAMES[this.types[k]],
      mode: this.modes[k],
    };
  }

  public close(): void {
    fs.closeSync(this.fd);
  }

  private fail(code: ZipErrorCode, message: string, entry?: string): never {
    throw new ZipInspectionError(code, this.file, message, entry);
  }

  private read(position: number, length: number): Buffer {
    const whole = this.whole;
    if (whole) {
      if (position + length > whole.length) {
        this.fail('TRUNCATED',
          `layersmith: ${this.file} is truncated: needed ${length} bytes at offset ${position} but the file is ${this.size} bytes. `
          + 'Re-download or rebuild the ZIP.');
      }
      return whole.subarray(position, position + length);
    }
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(this.fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) {
      this.fail('TRUNCATED',
        `layersmith: ${this.file} is truncated: needed ${length} bytes at offset ${position} but the file is ${this.size} bytes. `
        + 'Re-download or rebuild the ZIP.');
    }
    return buf;
  }

  private readCentralDirectory(limits: ReadLimits): void {
    const file = this.file;
    const startsLikeZip = () => this.size >= 4 && this.read(0, 4).readUInt32LE(0) === 0x04034b50;
    if (this.size < 22) {
      if (startsLikeZip()) this.truncated('the end of central directory record is missing');
      this.fail('NOT_A_ZIP',
        `layersmith: ${file} is not a ZIP file (${this.size} bytes, no end of central directory record). Point the layer at a .zip file.`);
    }
    // The end record is in the last 22 + 65,535 (max comment) bytes.
    const tailLength = Math.min(this.size, 22 + MAX_U16);
    const tailStart = this.size - tailLength;
    const tail = this.read(tailStart, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50 && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      if (startsLikeZip()) this.truncated('the end of central directory record is missing');
      this.fail('NOT_A_ZIP', `layersmith: ${file} is not a ZIP file (no end of central directory record). Point the layer at a .zip file.`);
    }
    const eocdPos = tailStart + eocd;
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    let cdLimit = eocdPos;
    if (count === MAX_U16 || cdSize === MAX_U32 || cdOffset === MAX_U32) {
      if (eocdPos < 20) this.truncated('the zip64 end of central directory locator is missing');
      const loc = this.read(eocdPos - 20, 20);
      if (loc.readUInt32LE(0) === 0x07064b50) {
        const z64Pos = Number(loc.readBigUInt64LE(8));
        if (z64Pos + 56 > eocdPos) this.truncated('the zip64 end of central directory record points past the end record');
        const z = this.read(z64Pos, 56);
        if (z.readUInt32LE(0) !== 0x06064b50) this.truncated('the zip64 end of central directory record is missing');
        count = Number(z.readBigUInt64LE(32));
        cdSize = Number(z.readBigUInt64LE(40));
        cdOffset = Number(z.readBigUInt64LE(48));
        cdLimit = z64Pos;
      }
    }
    if (cdOffset + cdSize > cdLimit) {
      this.truncated(`the central directory claims bytes ${cdOffset}-${cdOffset + cdSize} but only ${cdLimit} bytes precede the end record`);
    }
    this.dataEnd = cdOffset;
    const cd = this.read(cdOffset, cdSize);
    this.readRecords(cd, count);
    const { names, asciiNames, unzippedSize: total } = this;
    const sorted = sortNames(names, asciiNames);
    this.sortedOrder = sorted.order;
    if (sorted.repeated || fileAndDirectory(names, sorted.order, asciiNames)) this.throwFirstDuplicate(count);
    if (total > limits.maxUnzippedBytes) {
      this.fail('ZIP_BOMB_TOTAL',
        `layersmith: ${this.file} would unzip to ${total} bytes, more than the limit of ${limits.maxUnzippedBytes}. `
        + 'If the layer is really this big, raise maxUnzippedBytes; otherwise the ZIP is a zip bomb or broken.');
    }
    const ratio = this.size > 0 ? total / this.size : 0;
    if (ratio > limits.maxRatio) {
      this.fail('ZIP_BOMB_RATIO',
        `layersmith: ${this.file} would unzip to ${total} bytes from ${this.size} (ratio ${ratio.toFixed(1)}, limit ${limits.maxRatio}). `
        + 'Real layers compress far less; raise maxRatio only if you trust this ZIP.');
    }
  }

  /**
   * Fills the columns from the central directory's records, checking each. The loop has a
   * function of its own: V8 optimizes a small function early and keeps it, where a loop inside a
   * big one runs unoptimized again on every call until on-stack replacement catches up.
   */
  private readRecords(cd: Buffer, count: number): void {
    // One column per field: no object per entry, and typed arrays live outside the GC heap.
    const names: string[] = new Array(count);
    const types = new Uint8Array(count);
    const modes = new Uint16Array(count);
    const flagsColumn = new Uint16Array(count);
    const methods = new Uint16Array(count);
    const crcs = new Uint32Array(count);
    const compressedSizes = new Float64Array(count);
    const uncompressedSizes = new Float64Array(count);
    const offsets = new Float64Array(count);
    const nameLengths = new Uint16Array(count);
    this.names = names;
    this.types = types;
    this.modes = modes;
    this.flagsColumn = flagsColumn;
    this.methods = methods;
    this.crcs = crcs;
    this.compressedSizes = compressedSizes;
    this.uncompressedSizes = uncompressedSizes;
    this.offsets = offsets;
    this.nameLengths = nameLengths;
    let p = 0;
    let total = 0;
    let asciiNames = true;
    // Duplicates are found after the loop, from the sorted names. A record failing a check here
    // must still lose to a duplicate before it, as when each record was checked in turn.
    const fail = (k: number, thrower: () => never): never => {
      this.throwFirstDuplicate(k);
      return thrower();
    };
    for (let k = 0; k < count; k++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) {
        fail(k, () => this.truncated(`central directory record ${k + 1} of ${count} is missing or damaged`));
      }
      // Plain byte arithmetic: Buffer's readUInt*LE methods check bounds on every call, and this
      // loop runs once per entry (the record was bounds-checked above).
      const madeBy = cd[p + 4] | (cd[p + 5] << 8);
      const flags = cd[p + 8] | (cd[p + 9] << 8);
      const method = cd[p + 10] | (cd[p + 11] << 8);
      const crc32 = (cd[p + 16] | (cd[p + 17] << 8) | (cd[p + 18] << 16) | (cd[p + 19] << 24)) >>> 0;
      let compressedSize = (cd[p + 20] | (cd[p + 21] << 8) | (cd[p + 22] << 16) | (cd[p + 23] << 24)) >>> 0;
      let uncompressedSize = (cd[p + 24] | (cd[p + 25] << 8) | (cd[p + 26] << 16) | (cd[p + 27] << 24)) >>> 0;
      const nameLen = cd[p + 28] | (cd[p + 29] << 8);
      const extraLen = cd[p + 30] | (cd[p + 31] << 8);
      const commentLen = cd[p + 32] | (cd[p + 33] << 8);
      const externalAttr = (cd[p + 38] | (cd[p + 39] << 8) | (cd[p + 40] << 16) | (cd[p + 41] << 24)) >>> 0;
      let localHeaderOffset = (cd[p + 42] | (cd[p + 43] << 8) | (cd[p + 44] << 16) | (cd[p + 45] << 24)) >>> 0;
      const end = p + 46 + nameLen + extraLen + commentLen;
      if (end > cd.length) fail(k, () => this.truncated(`central directory record ${k + 1} of ${count} runs past the directory`));
      // Bit 11 says UTF-8; tools that do not set it still mostly write UTF-8 (or ASCII).
      const name = (cd as unknown as Utf8Sliceable).utf8Slice(p + 46, p + 46 + nameLen);
      if (name.length !== nameLen) asciiNames = false;
      // Decoding replaces invalid bytes with U+FFFD; only then compare with the raw bytes.
      if (name.includes('\uFFFD') && !Buffer.from(name, 'utf8').equals(cd.subarray(p + 46, p + 46 + nameLen))) {
        fail(k, () => this.notUtf8(cd.subarray(p + 46, p + 46 + nameLen), flags));
      }
      if (uncompressedSize === MAX_U32 || compressedSize === MAX_U32 || localHeaderOffset === MAX_U32) {
        let x = p + 46 + nameLen;
        const xEnd = x + extraLen;
        while (x + 4 <= xEnd) {
          const id = cd.readUInt16LE(x);
          const len = cd.readUInt16LE(x + 2);
          if (id === 0x0001) {
            let q = x + 4;
            const take = () => {
              if (q + 8 > x + 4 + len) fail(k, () => this.truncated(`the zip64 extra field of ${JSON.stringify(name)} is too short`, name));
              const v = Number(cd.readBigUInt64LE(q));
              q += 8;
              return v;
            };
            if (uncompressedSize === MAX_U32) uncompressedSize = take();
            if (compressedSize === MAX_U32) compressedSize = take();
            if (localHeaderOffset === MAX_U32) localHeaderOffset = take();
            break;
          }
          x += 4 + len;
        }
      }
      p = end;

      const problem = entryNameProblem(name);
      if (problem) fail(k, () => this.nameProblem(problem, name));
      if (flags & 0x0001) {
        fail(k, () => this.fail('ENCRYPTED',
          `layersmith: ${this.file} entry ${JSON.stringify(name)} is encrypted (general purpose flag bit 0); `
          + 'a layer must be readable by the platform. Re-create the ZIP without a password.', name));
      }
      if (method !== 0 && method !== 8) {
        fail(k, () => this.fail('UNSUPPORTED_METHOD',
          `layersmith: ${this.file} entry ${JSON.stringify(name)} uses compression method ${method}; `
          + 'Lambda and FC read only stored (0) and deflate (8). Re-create the ZIP with deflate.', name));
      }

      const unixHost = madeBy >> 8 === 3;
      const unixMode = unixHost ? externalAttr >>> 16 : 0;
      const fmt = unixMode & S_IFMT;
      const isDir = name.endsWith('/') || fmt === S_IFDIR || (!unixHost && (externalAttr & 0x10) !== 0);
      const type = isDir ? TYPE_DIRECTORY : fmt === S_IFLNK ? TYPE_SYMLINK : TYPE_FILE;
      let mode = unixMode & 0o7777;
      if (mode === 0) mode = type === TYPE_DIRECTORY ? 0o755 : type === TYPE_SYMLINK ? 0o777 : 0o644;
      total += uncompressedSize;
      names[k] = name;
      types[k] = type;
      modes[k] = mode;
      flagsColumn[k] = flags;
      methods[k] = method;
      crcs[k] = crc32;
      compressedSizes[k] = compressedSize;
      uncompressedSizes[k] = uncompressedSize;
      offsets[k] = localHeaderOffset;
      nameLengths[k] = nameLen;
    }
    this.unzippedSize = total;
    this.asciiNames = asciiNames;
  }

  /**
   * Throws DUPLICATE_ENTRY for the first of the first `k` records (central directory order) whose
   * path, ignoring a trailing '/', an earlier record already had. Returns when there is none.
   */
  private throwFirstDuplicate(k: number): void {
    const seen = new Map<string, string>();
    for (let j = 0; j < k; j++) {
      const name = this.names[j];
      const key = name.endsWith('/') ? name.slice(0, -1) : name;
      const previous = seen.get(key);
      if (previous !== undefined) {
        this.fail('DUPLICATE_ENTRY',
          `layersmith: ${this.file} holds ${JSON.stringify(name)} twice (also as ${JSON.stringify(previous)}); `
          + 'which copy lands in /opt would depend on the extractor. Re-create the ZIP with one entry per path.', name);
      }
      seen.set(key, name);
    }
  }

  private notUtf8(raw: Buffer, flags: number): never {
    const bytes = [...raw].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    this.fail('NAME_NOT_UTF8',
      `layersmith: ${this.file} has an entry name that is not valid UTF-8 (bytes ${bytes}; UTF-8 flag ${flags & 0x0800 ? 'set' : 'not set'}); `
      + 'Lambda and FC extract names as UTF-8, so the file would land under a garbled name. '
      + 'Re-create the ZIP with UTF-8 names (Info-ZIP zip 3 or Python zipfile write them).');
  }

  private truncated(what: string, entry?: string): never {
    this.fail('TRUNCATED', `layersmith: ${this.file} is truncated or damaged: ${what}. Re-download or rebuild the ZIP.`, entry);
  }

  private nameProblem(problem: NonNullable<ReturnType<typeof entryNameProblem>>, name: string): never {
    const shown = JSON.stringify(name);
    const where = `layersmith: ${this.file} entry ${shown}`;
    switch (problem) {
      case 'ABSOLUTE_PATH':
        this.fail('ABSOLUTE_PATH',
          `${where} is an absolute path; layer entries must be relative to /opt. Re-create the ZIP from inside the layer root.`, name);
      case 'DOT_DOT':
        this.fail('DOT_DOT',
          `${where} has a '..' segment and would be written outside /opt. Re-create the ZIP without parent-directory paths.`, name);
      case 'BACKSLASH':
        this.fail('BACKSLASH',
          `${where} contains a backslash; ZIP paths use '/' and Linux would create a file with a backslash in its name. `
          + 'Re-create the ZIP with a tool that writes \'/\' separators.', name);
      case 'NUL_BYTE':
        this.fail('NUL_BYTE', `${where} contains a NUL byte, which no file system accepts. Re-create the ZIP.`, name);
      default:
        this.fail('EMPTY_SEGMENT', `${where} has an empty or '.' path segment. Re-create the ZIP with clean relative paths.`, name);
    }
  }

  /** Offset of the entry's data, after its local header. */
  public dataOffset(e: CentralEntry): number {
    const h = this.read(e.localHeaderOffset, 30);
    if (h.readUInt32LE(0) !== 0x04034b50) {
      this.truncated(`the local header of ${JSON.stringify(e.name)} at offset ${e.localHeaderOffset} is missing`, e.name);
    }
    const start = e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
    if (start + e.compressedSize > this.dataEnd) {
      this.truncated(`the data of ${JSON.stringify(e.name)} (${e.compressedSize} bytes at ${start}) runs into the central directory`, e.name);
    }
    return start;
  }

  /**
   * The first `maxBytes` uncompressed bytes of an entry (all of it when it is smaller), read
   * without inflating the rest.
   */
  public readHead(e: CentralEntry, maxBytes: number): Buffer {
    const start = this.dataOffset(e);
    if (e.method === 0) return this.read(start, Math.min(e.compressedSize, maxBytes));
    // Deflate never shrinks below ~1/1032, but headers need only the first bytes: read a window
    // and inflate what it yields.
    const window = Math.min(e.compressedSize, Math.max(8192, maxBytes));
    const raw = this.read(start, window);
    try {
      return zlib.inflateRawSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, maxBytes);
    } catch (err) {
      this.badData(e, `it does not inflate (${(err as Error).message})`);
    }
  }

  /** The whole uncompressed content of a small entry, checked against its size and CRC. */
  public readWhole(e: CentralEntry): Buffer {
    const raw = this.readRaw(e);
    let data: Buffer;
    if (e.method === 0) {
      data = raw;
    } else {
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(e.uncompressedSize, 1) + 1 });
      } catch (err) {
        this.badData(e, `it does not inflate (${(err as Error).message})`);
      }
    }
    this.check(e, data.length, zlib.crc32(data));
    return data;
  }

  /**
   * The whole contents of many small entries, or undefined when any of them cannot be read this
   * way (the caller then reads them one by one with readWhole, which names the precise error).
   * Deflated entries become the members of one gzip stream, each with the CRC-32 and size the
   * central directory declares as its trailer, so one zlib call inflates and verifies them all;
   * inflating each on its own costs a zlib handle and its buffers per entry.
   */
  public readWholeMany(list: readonly CentralEntry[]): Buffer[] | undefined {
    try {
      const out: Buffer[] = new Array(list.length);
      const raws: Buffer[] = new Array(list.length);
      let inLength = 0;
      let outLength = 0;
      for (let i = 0; i < list.length; i++) {
        const e = list[i];
        if (e.method !== 8) continue;
        if (e.uncompressedSize > MAX_U32) return undefined;
        raws[i] = this.whole ? this.wholeRaw(e) : this.readRaw(e);
        inLength += GZIP_HEADER.length + raws[i].length + 8;
        outLength += e.uncompressedSize;
      }
      if (inLength > 0) {
        const gz = Buffer.allocUnsafe(inLength);
        let p = 0;
        for (let i = 0; i < list.length; i++) {
          const raw = raws[i];
          if (!raw) continue;
          gz.set(GZIP_HEADER, p);
          gz.set(raw, p + GZIP_HEADER.length);
          p += GZIP_HEADER.length + raw.length;
          gz.writeUInt32LE(list[i].crc32, p);
          gz.writeUInt32LE(list[i].uncompressedSize, p + 4);
          p += 8;
        }
        const all = zlib.gunzipSync(gz, { maxOutputLength: outLength + 1 });
        if (all.length !== outLength) return undefined;
        let q = 0;
        for (let i = 0; i < list.length; i++) {
          if (!raws[i]) continue;
          out[i] = all.subarray(q, q + list[i].uncompressedSize);
          q += list[i].uncompressedSize;
        }
      }
      for (let i = 0; i < list.length; i++) {
        if (!raws[i]) out[i] = this.readWhole(list[i]);
      }
      return out;
    } catch {
      return undefined;
    }
  }

  /** The stored bytes of an entry of the preloaded file; the checks of dataOffset, without its errors (readWholeMany's caller names those). */
  private wholeRaw(e: CentralEntry): Buffer {
    const whole = this.whole!;
    const h = e.localHeaderOffset;
    if (h + 30 > whole.length || whole[h] !== 0x50 || whole[h + 1] !== 0x4B || whole[h + 2] !== 0x03 || whole[h + 3] !== 0x04) {
      throw new Error('no local header');
    }
    const start = h + 30 + (whole[h + 26] | (whole[h + 27] << 8)) + (whole[h + 28] | (whole[h + 29] << 8));
    if (start + e.compressedSize > this.dataEnd) throw new Error('data runs into the central directory');
    return whole.subarray(start, start + e.compressedSize);
  }

  /**
   * The stored bytes of an entry. One read covers the local header and the data when the local
   * extra field is no longer than LOCAL_EXTRA_GUESS (the usual case); otherwise a second read.
   */
  private readRaw(e: CentralEntry): Buffer {
    const guess = Math.min(30 + e.nameLength + LOCAL_EXTRA_GUESS + e.compressedSize, this.dataEnd - e.localHeaderOffset);
    if (guess < 30) this.dataOffset(e);
    const buf = this.read(e.localHeaderOffset, guess);
    if (buf.readUInt32LE(0) !== 0x04034b50) this.dataOffset(e);
    const start = 30 + buf.readUInt16LE(26) + buf.readUInt16LE(28);
    if (start + e.compressedSize <= buf.length) return buf.subarray(start, start + e.compressedSize);
    return this.read(this.dataOffset(e), e.compressedSize);
  }

  /** Streams an entry's uncompressed bytes through `sink`, verifying size and CRC at the end. */
  public async stream(e: CentralEntry, sink: (chunk: Buffer) => void | Promise<void>): Promise<void> {
    const start = this.dataOffset(e);
    if (e.compressedSize === 0) {
      this.check(e, 0, 0);
      return;
    }
    const source = fs.createReadStream('', { fd: this.fd, autoClose: false, start, end: start + e.compressedSize - 1, highWaterMark: 1024 * 1024 });
    const chunks: AsyncIterable<Buffer> = e.method === 0 ? source : source.pipe(zlib.createInflateRaw());
    let size = 0;
    let crc = 0;
    try {
      for await (const chunk of chunks) {
        size += chunk.length;
        if (size > e.uncompressedSize) {
          source.destroy();
          this.badData(e, `it inflates past its declared size of ${e.uncompressedSize} bytes`);
        }
        crc = zlib.crc32(chunk, crc);
        await sink(chunk);
      }
    } catch (err) {
      if (err instanceof ZipInspectionError) throw err;
      this.badData(e, `it does not inflate (${(err as Error).message})`);
    }
    this.check(e, size, crc);
  }

  private check(e: CentralEntry, size: number, crc: number): void {
    if (size !== e.uncompressedSize) {
      this.badData(e, `it holds ${size} bytes but the central directory says ${e.uncompressedSize}`);
    }
    if ((crc >>> 0) !== (e.crc32 >>> 0)) {
      const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
      this.badData(e, `its CRC-32 is ${hex(crc)} but the central directory says ${hex(e.crc32)}`);
    }
  }

  private badData(e: CentralEntry, what: string): never {
    this.fail('BAD_CRC', `layersmith: ${this.file} entry ${JSON.stringify(e.name)} is corrupt: ${what}. Re-download or rebuild the ZIP.`, e.name);
  }
}

/**
 * Central directory indices in UTF-8 byte order of their names (undefined when the names already
 * are in that order: ZIPs layersmith writes, one comparison per entry to check), and whether a
 * name occurs twice. A comparison sort compares every two neighbours of its result, so equal
 * names meet in the comparator. JavaScript's `<` on strings is UTF-16 code unit order, the same
 * for ASCII names.
 */
function sortNames(names: readonly string[], ascii: boolean): { order?: number[]; repeated: boolean } {
  const n = names.length;
  if (ascii && strictlyIncreasing(names)) return { repeated: false };
  let repeated = false;
  // A plain array: V8 sorts those with a comparator several times faster than typed arrays.
  const order: number[] = new Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (ascii) {
    order.sort((a, b) => {
      const x = names[a];
      const y = names[b];
      if (x < y) return -1;
      if (x > y) return 1;
      repeated = true;
      return 0;
    });
  } else {
    order.sort((a, b) => {
      const c = compareEntryNames(names[a], names[b]);
      if (c === 0) repeated = true;
      return c;
    });
  }
  return { order, repeated };
}

/** Whether the names are in strictly increasing JavaScript string order (a loop of its own, for V8 to optimize early). */
function strictlyIncreasing(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) {
    if (!(names[i - 1] < names[i])) return false;
  }
  return true;
}

/**
 * Whether a file and a directory share a path ('a' and 'a/' are the same path on disk): each
 * directory's path without its '/' is looked up in the sorted names by binary search (hashing
 * every name into a set costs more: most names are hashed for nothing).
 */
function fileAndDirectory(names: readonly string[], order: readonly number[] | undefined, ascii: boolean): boolean {
  const n = names.length;
  for (let k = 0; k < n; k++) {
    const name = names[k];
    if (name.charCodeAt(name.length - 1) !== 0x2F) continue;
    const key = name.slice(0, -1);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = order ? names[order[mid]] : names[mid];
      if (x === key) return true;
      if (ascii ? x < key : compareEntryNames(x, key) < 0) lo = mid + 1;
      else hi = mid;
    }
  }
  return false;
}

/** True when a symlink entry's target is absolute or climbs out of the layer root. */
export function symlinkEscapes(name: string, target: string): boolean {
  if (target.startsWith('/') || /^[A-Za-z]:/.test(target) || target.includes('\\')) return true;
  const parts = name.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return true;
      parts.pop();
    } else {
      parts.push(seg);
    }
  }
  return false;
}
