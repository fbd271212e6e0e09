import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../atomic';

/**
 * Compressed entries kept from the previous build of the same layer, so a rebuild deflates only
 * the files whose bytes changed. A record maps each entry name to the SHA-256 of its
 * uncompressed bytes and where its compressed bytes sit in the previous ZIP (still in the
 * cache). A file whose digest matches gets those bytes copied instead of compressed again.
 *
 * Output stays byte-identical to a cold build: deflate is deterministic for the same bytes,
 * level and zlib, so the record is used only when level and zlib version match, and an entry
 * only in the layout it was written in (whole, or streamed with a data descriptor for big
 * files). The previous ZIP is checked against the SHA-256 the record saved before any byte of
 * it is used.
 */

const FORMAT = 2;

/** Numbers stored per entry: method, crc32, uncompressed size, compressed size, data offset. */
const SLOT_WIDTH = 5;

/**
 * The method recorded for a big file's entry: deflated, but written streamed (local header
 * without sizes, then a data descriptor). Such bytes are only reused for a streamed entry again.
 */
export const STREAMED_DEFLATE = 0x108;

interface ReuseRecordFile {
  readonly format: number;
  readonly zlib: string;
  readonly level: number;
  /** Absolute path of the ZIP the offsets point into. */
  readonly zip: string;
  /** Its size and base64 SHA-256, checked before use. */
  readonly zipSize: number;
  readonly zipSha256: string;
  /** In columns (parsed much faster than one object per entry): names, SLOT_WIDTH numbers each, content SHA-256 (hex). */
  readonly names: string[];
  readonly slots: number[];
  readonly sha256: string[];
}

/** An entry taken from the previous ZIP, ready for `addComplete`. */
export interface ReusedEntry {
  readonly method: 0 | 8;
  readonly crc32: number;
  readonly uncompressedSize: number;
  readonly data: Uint8Array;
}

/** Where the record of one source identity lives in a cache directory. */
export function reuseRecordPath(cacheDir: string, identity: string): string {
  return path.join(cacheDir, 'reuse', `${createHash('sha256').update(identity).digest('hex').slice(0, 32)}.json`);
}

/** The previous build's entries, opened for reading. */
export class ReuseSource {
  /**
   * Opens the record at `file` when it was written for this `level` and this process's zlib, and
   * its ZIP is still there with the recorded size and SHA-256; otherwise undefined (a cold build).
   */
  public static open(file: string, level: number): ReuseSource | undefined {
    let rec: ReuseRecordFile;
    try {
      rec = JSON.parse(fs.readFileSync(file, 'utf8')) as ReuseRecordFile;
    } catch {
      return undefined;
    }
    if (rec.format !== FORMAT || rec.zlib !== process.versions.zlib || rec.level !== level) return undefined;
    const n = Array.isArray(rec.names) ? rec.names.length : -1;
    if (!Array.isArray(rec.sha256) || rec.sha256.length !== n || !Array.isArray(rec.slots) || rec.slots.length !== n * SLOT_WIDTH) return undefined;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(rec.zip);
    } catch {
      return undefined;
    }
    if (bytes.length !== rec.zipSize || createHash('sha256').update(bytes).digest('base64') !== rec.zipSha256) return undefined;
    const index = new Map<string, number>();
    for (let i = 0; i < n; i++) index.set(rec.names[i], i);
    return new ReuseSource(rec, index, bytes);
  }

  private constructor(private readonly rec: ReuseRecordFile, private readonly index: Map<string, number>, private readonly bytes: Buffer) {}

  /** Number of entries on record. */
  public get size(): number {
    return this.index.size;
  }

  /**
   * The previous compressed entry of `name` when its content had digest `sha256` (hex), written
   * the same way (`streamed` for big files, whole otherwise).
   */
  public take(name: string, sha256: string, uncompressedSize: number, streamed = false): ReusedEntry | undefined {
    const i = this.index.get(name);
    if (i === undefined || this.rec.sha256[i] !== sha256) return undefined;
    const at = i * SLOT_WIDTH;
    const slots = this.rec.slots;
    const method = slots[at], crc32 = slots[at + 1], usize = slots[at + 2], csize = slots[at + 3], offset = slots[at + 4];
    const layoutMatches = streamed ? method === STREAMED_DEFLATE : method === 0 || method === 8;
    if (usize !== uncompressedSize || !layoutMatches || offset + csize > this.bytes.length) return undefined;
    return { method: streamed ? 8 : method as 0 | 8, crc32, uncompressedSize: usize, data: this.bytes.subarray(offset, offset + csize) };
  }
}

/** Collects the entries of the build in progress, to become the next build's record. */
export class ReuseRecorder {
  private readonly names: string[] = [];
  private readonly slots: number[] = [];
  private readonly sha256: string[] = [];

  constructor(private readonly level: number) {}

  /** Entries recorded so far. */
  public get size(): number {
    return this.names.length;
  }

  public add(
    name: string, sha256: string, method: number, crc32: number, uncompressedSize: number, compressedSize: number, dataOffset: number,
  ): void {
    this.names.push(name);
    this.slots.push(method, crc32 >>> 0, uncompressedSize, compressedSize, dataOffset);
    this.sha256.push(sha256);
  }

  /** Writes the record for the committed ZIP (errors ignored: the record only saves work). */
  public save(file: string, zipPath: string, zipSize: number, zipSha256: string): void {
    const rec: ReuseRecordFile = {
      format: FORMAT,
      zlib: process.versions.zlib,
      level: this.level,
      zip: path.resolve(zipPath),
      zipSize,
      zipSha256,
      names: this.names,
      slots: this.slots,
      sha256: this.sha256,
    };
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, JSON.stringify(rec));
    } catch {
      // unwritable cache: the next rebuild compresses everything
    }
  }
}
