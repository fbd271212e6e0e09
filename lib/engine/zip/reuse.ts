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
 * level and zlib, so the record is used only when level and zlib version match, and only for
 * entries written whole (streamed big files are always compressed again). The previous ZIP is
 * checked against the SHA-256 the record saved before any byte of it is used.
 */

const FORMAT = 1;

/** sha256 (hex) of the content, method, crc32, uncompressed size, compressed size, data offset */
type Slot = [string, number, number, number, number, number];

interface ReuseRecordFile {
  readonly format: number;
  readonly zlib: string;
  readonly level: number;
  /** Absolute path of the ZIP the offsets point into. */
  readonly zip: string;
  /** Its size and base64 SHA-256, checked before use. */
  readonly zipSize: number;
  readonly zipSha256: string;
  readonly entries: Record<string, Slot>;
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
    if (rec.format !== FORMAT || rec.zlib !== process.versions.zlib || rec.level !== level || !rec.entries) return undefined;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(rec.zip);
    } catch {
      return undefined;
    }
    if (bytes.length !== rec.zipSize || createHash('sha256').update(bytes).digest('base64') !== rec.zipSha256) return undefined;
    return new ReuseSource(rec, bytes);
  }

  private constructor(private readonly rec: ReuseRecordFile, private readonly bytes: Buffer) {}

  /** Number of entries on record. */
  public get size(): number {
    return Object.keys(this.rec.entries).length;
  }

  /** The previous compressed entry of `name` when its content had digest `sha256` (hex). */
  public take(name: string, sha256: string, uncompressedSize: number): ReusedEntry | undefined {
    const slot = Object.prototype.hasOwnProperty.call(this.rec.entries, name) ? this.rec.entries[name] : undefined;
    if (!slot || slot[0] !== sha256 || slot[3] !== uncompressedSize) return undefined;
    const [, method, crc32, usize, csize, offset] = slot;
    if ((method !== 0 && method !== 8) || offset + csize > this.bytes.length) return undefined;
    return { method, crc32, uncompressedSize: usize, data: this.bytes.subarray(offset, offset + csize) };
  }
}

/** Collects the entries of the build in progress, to become the next build's record. */
export class ReuseRecorder {
  private readonly entries: Record<string, Slot> = {};
  private count = 0;

  constructor(private readonly level: number) {}

  /** Entries recorded so far. */
  public get size(): number {
    return this.count;
  }

  public add(
    name: string, sha256: string, method: number, crc32: number, uncompressedSize: number, compressedSize: number, dataOffset: number,
  ): void {
    this.entries[name] = [sha256, method, crc32 >>> 0, uncompressedSize, compressedSize, dataOffset];
    this.count++;
  }

  /** Writes the record for the committed ZIP (errors ignored: the record only saves work). */
  public save(file: string, zipPath: string, zipSize: number, zipSha256: string): void {
    const rec: ReuseRecordFile = {
      format: FORMAT, zlib: process.versions.zlib, level: this.level, zip: path.resolve(zipPath), zipSize, zipSha256, entries: this.entries,
    };
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, JSON.stringify(rec));
    } catch {
      // unwritable cache: the next rebuild compresses everything
    }
  }
}
