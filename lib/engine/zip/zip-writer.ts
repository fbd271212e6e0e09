import { createHash, Hash } from 'crypto';
import { promises as fs } from 'fs';
import { Crc64 } from '../../core/checksums';
import { LayersmithPackError } from '../../core/errors';

/**
 * A small ZIP container writer for entries whose bytes are already compressed (by the worker
 * pool) or that are streamed through a deflater in order (big files).
 *
 * Why our own: archiver (and yazl) compress each entry themselves, one at a time, on the main
 * thread; per-entry overhead makes a node_modules layer several times slower than `zip -r -X`
 * (see BENCHMARKS.md). Here entries are compressed in parallel elsewhere and this writer only
 * lays out bytes: local headers, data, data descriptors for streamed entries, the central
 * directory and, when needed, the zip64 end records.
 *
 * Everything that could vary between machines is fixed: the DOS timestamp (FIXED_DOS_DATE /
 * FIXED_DOS_TIME), "version made by" (Unix, 4.5), no extra fields except zip64 sizes, no
 * comments. The SHA-256 and CRC-64/XZ of the output are computed while writing.
 */

/** 1980-01-01, the earliest DOS date: ((year - 1980) << 9) | (month << 5) | day. */
export const FIXED_DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** 00:00:00. */
export const FIXED_DOS_TIME = 0;

const MADE_BY_UNIX_45 = (3 << 8) | 45;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const MAX_U32 = 0xFFFFFFFF;
const MAX_U16 = 0xFFFF;

/**
 * Streamed entries at least this big get a zip64 local header up front, since their compressed
 * size is only known afterwards and deflate can grow incompressible data slightly.
 */
const ZIP64_STREAM_THRESHOLD = 0xF0000000;

/** What the central directory needs to know about one written entry. */
interface WrittenEntry {
  readonly name: Buffer;
  readonly flags: number;
  readonly method: number;
  readonly versionNeeded: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly externalAttr: number;
  readonly offset: number;
}

/** One entry as handed to the writer. */
export interface ZipEntryInput {
  /** Entry name, already validated (directories end with '/'). */
  readonly name: string;
  /** Unix mode including the file type bits (S_IFREG, S_IFDIR, S_IFLNK). */
  readonly unixMode: number;
}

/** The result of a finished archive. */
export interface ZipWriteSummary {
  readonly size: number;
  readonly sha256: string;
  readonly crc64: string;
  readonly entryCount: number;
}

const S_IFDIR = 0o040000;

function externalAttributes(unixMode: number): number {
  // High 16 bits: Unix mode; low bits: MS-DOS directory flag for directories.
  return ((unixMode << 16) | ((unixMode & 0o170000) === S_IFDIR ? 0x10 : 0)) >>> 0;
}

function encodeName(name: string): { buf: Buffer; flags: number } {
  const buf = Buffer.from(name, 'utf8');
  // Set the UTF-8 flag only when it matters, as Info-ZIP does.
  return { buf, flags: buf.length === name.length ? 0 : FLAG_UTF8 };
}

/** Writes one ZIP file sequentially; call `finish()` or `abort()` exactly once. */
export class ZipFileWriter {
  /** Opens (creates or truncates) the target file. */
  public static async open(filePath: string): Promise<ZipFileWriter> {
    const handle = await fs.open(filePath, 'w', 0o644);
    return new ZipFileWriter(handle);
  }

  private offset = 0;
  private readonly entries: WrittenEntry[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly sha: Hash = createHash('sha256');
  private readonly crc64 = new Crc64();

  private constructor(private readonly handle: fs.FileHandle) {}

  /** Number of entries written so far. */
  public get entryCount(): number {
    return this.entries.length;
  }

  /** Bytes written so far (the offset of the next record). */
  public get bytesWritten(): number {
    return this.offset;
  }

  /**
   * Adds an entry whose data is complete: stored or raw-deflated bytes plus the CRC-32 and size
   * of the uncompressed data. Buffered; written by `flush()` (called automatically past 4 MiB).
   */
  public async addComplete(entry: ZipEntryInput, method: 0 | 8, crc32: number, uncompressedSize: number, data: Uint8Array): Promise<void> {
    const { buf: name, flags } = encodeName(entry.name);
    const compressedSize = data.length;
    if (compressedSize >= MAX_U32 || uncompressedSize >= MAX_U32) {
      // Complete entries come from bounded batches; big files take the streamed path.
      throw new LayersmithPackError('INTERNAL_ENTRY_TOO_BIG',
        `layersmith: internal error: entry ${entry.name} is too big for addComplete (${uncompressedSize} bytes); stream it.`);
    }
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(method === 8 ? 20 : 10, 4);
    header.writeUInt16LE(flags, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(FIXED_DOS_TIME, 10);
    header.writeUInt16LE(FIXED_DOS_DATE, 12);
    header.writeUInt32LE(crc32 >>> 0, 14);
    header.writeUInt32LE(compressedSize, 18);
    header.writeUInt32LE(uncompressedSize, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(0, 28);
    this.entries.push({
      name,
      flags,
      method,
      versionNeeded: method === 8 ? 20 : 10,
      crc32: crc32 >>> 0,
      compressedSize,
      uncompressedSize,
      externalAttr: externalAttributes(entry.unixMode),
      offset: this.offset,
    });
    this.push(header);
    this.push(name);
    if (data.length > 0) this.push(data);
    if (this.pendingBytes >= 4 * 1024 * 1024) await this.flush();
  }

  /**
   * Adds an entry whose raw-deflated bytes arrive as a stream (big files), followed by a data
   * descriptor. `uncompressedSize` is the size expected from stat; `chunks` yields the deflated
   * bytes, and `result()` gives the CRC-32 and the size actually read once the stream ends.
   * Returns where the entry's data starts in the file and how many deflated bytes it has.
   */
  public async addStreamed(
    entry: ZipEntryInput,
    uncompressedSize: number,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    result: () => { crc32: number; uncompressedSize: number },
  ): Promise<{ dataOffset: number; compressedSize: number }> {
    const { buf: name, flags: nameFlags } = encodeName(entry.name);
    const flags = nameFlags | FLAG_DATA_DESCRIPTOR;
    const zip64 = uncompressedSize >= ZIP64_STREAM_THRESHOLD;
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(flags, 6);
    header.writeUInt16LE(8, 8);
    header.writeUInt16LE(FIXED_DOS_TIME, 10);
    header.writeUInt16LE(FIXED_DOS_DATE, 12);
    // CRC and sizes follow in the data descriptor.
    header.writeUInt32LE(0, 14);
    header.writeUInt32LE(zip64 ? MAX_U32 : 0, 18);
    header.writeUInt32LE(zip64 ? MAX_U32 : 0, 22);
    header.writeUInt16LE(name.length, 26);
    const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
    }
    header.writeUInt16LE(extra.length, 28);
    const offset = this.offset;
    this.push(header);
    this.push(name);
    if (extra.length > 0) this.push(extra);
    const dataOffset = this.offset;
    let compressedSize = 0;
    for await (const chunk of chunks) {
      compressedSize += chunk.length;
      this.push(chunk);
      if (this.pendingBytes >= 4 * 1024 * 1024) await this.flush();
    }
    const done = result();
    if (!zip64 && (compressedSize >= MAX_U32 || done.uncompressedSize >= MAX_U32)) {
      throw new LayersmithPackError('FILE_CHANGED',
        `layersmith: ${entry.name} grew past 4 GiB while it was packed (stat said ${uncompressedSize} bytes); rebuild from a stable directory.`);
    }
    const descriptor = Buffer.alloc(zip64 ? 24 : 16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(done.crc32 >>> 0, 4);
    if (zip64) {
      descriptor.writeBigUInt64LE(BigInt(compressedSize), 8);
      descriptor.writeBigUInt64LE(BigInt(done.uncompressedSize), 16);
    } else {
      descriptor.writeUInt32LE(compressedSize, 8);
      descriptor.writeUInt32LE(done.uncompressedSize, 12);
    }
    this.push(descriptor);
    this.entries.push({
      name,
      flags,
      method: 8,
      versionNeeded: zip64 ? 45 : 20,
      crc32: done.crc32 >>> 0,
      compressedSize,
      uncompressedSize: done.uncompressedSize,
      externalAttr: externalAttributes(entry.unixMode),
      offset,
    });
    return { dataOffset, compressedSize };
  }

  /** Writes buffered records to the file. */
  public async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const bufs = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    let i = 0;
    // writev takes at most IOV_MAX (1024) buffers per call on Linux.
    while (i < bufs.length) {
      const slice = bufs.slice(i, i + 1024);
      const total = slice.reduce((n, b) => n + b.length, 0);
      const { bytesWritten } = await this.handle.writev(slice);
      if (bytesWritten !== total) {
        throw new LayersmithPackError('SHORT_WRITE', `layersmith: short write to the ZIP (${bytesWritten} of ${total} bytes); is the disk full?`);
      }
      i += 1024;
    }
  }

  /** Writes the central directory and end records, closes the file and returns the checksums. */
  public async finish(): Promise<ZipWriteSummary> {
    const cdOffset = this.offset;
    for (const e of this.entries) {
      const needsSize64 = e.uncompressedSize >= MAX_U32 || e.compressedSize >= MAX_U32;
      const needsOffset64 = e.offset >= MAX_U32;
      const extraFields: bigint[] = [];
      if (needsSize64) {
        extraFields.push(BigInt(e.uncompressedSize), BigInt(e.compressedSize));
      }
      if (needsOffset64) extraFields.push(BigInt(e.offset));
      const extra = Buffer.alloc(extraFields.length > 0 ? 4 + 8 * extraFields.length : 0);
      if (extraFields.length > 0) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(8 * extraFields.length, 2);
        extraFields.forEach((v, k) => extra.writeBigUInt64LE(v, 4 + 8 * k));
      }
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(MADE_BY_UNIX_45, 4);
      h.writeUInt16LE(extraFields.length > 0 ? 45 : e.versionNeeded, 6);
      h.writeUInt16LE(e.flags, 8);
      h.writeUInt16LE(e.method, 10);
      h.writeUInt16LE(FIXED_DOS_TIME, 12);
      h.writeUInt16LE(FIXED_DOS_DATE, 14);
      h.writeUInt32LE(e.crc32, 16);
      h.writeUInt32LE(needsSize64 ? MAX_U32 : e.compressedSize, 20);
      h.writeUInt32LE(needsSize64 ? MAX_U32 : e.uncompressedSize, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt16LE(extra.length, 30);
      h.writeUInt16LE(0, 32);
      h.writeUInt16LE(0, 34);
      h.writeUInt16LE(0, 36);
      h.writeUInt32LE(e.externalAttr, 38);
      h.writeUInt32LE(needsOffset64 ? MAX_U32 : e.offset, 42);
      this.push(h);
      this.push(e.name);
      if (extra.length > 0) this.push(extra);
      if (this.pendingBytes >= 4 * 1024 * 1024) await this.flush();
    }
    const cdSize = this.offset - cdOffset;
    const count = this.entries.length;
    const zip64 = count >= MAX_U16 || cdSize >= MAX_U32 || cdOffset >= MAX_U32;
    if (zip64) {
      const eocd64Offset = this.offset;
      const r = Buffer.alloc(56);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(MADE_BY_UNIX_45, 12);
      r.writeUInt16LE(45, 14);
      r.writeUInt32LE(0, 16);
      r.writeUInt32LE(0, 20);
      r.writeBigUInt64LE(BigInt(count), 24);
      r.writeBigUInt64LE(BigInt(count), 32);
      r.writeBigUInt64LE(BigInt(cdSize), 40);
      r.writeBigUInt64LE(BigInt(cdOffset), 48);
      this.push(r);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeUInt32LE(0, 4);
      loc.writeBigUInt64LE(BigInt(eocd64Offset), 8);
      loc.writeUInt32LE(1, 16);
      this.push(loc);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, MAX_U16), 8);
    end.writeUInt16LE(Math.min(count, MAX_U16), 10);
    end.writeUInt32LE(Math.min(cdSize, MAX_U32), 12);
    end.writeUInt32LE(Math.min(cdOffset, MAX_U32), 16);
    end.writeUInt16LE(0, 20);
    this.push(end);
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    return { size: this.offset, sha256: this.sha.digest('base64'), crc64: this.crc64.digestDecimal(), entryCount: count };
  }

  /** Closes the file without finishing it (the caller removes it). */
  public async abort(): Promise<void> {
    this.pending = [];
    await this.handle.close().catch(() => undefined);
  }

  private push(buf: Uint8Array): void {
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    this.sha.update(b);
    this.crc64.update(b);
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.offset += b.length;
  }
}
