import * as fs from 'fs';
import * as zlib from 'zlib';

/**
 * The one raw ZIP builder of the tests: it writes exactly what it is told, including what a real
 * writer must refuse (bad names, duplicates, encryption flags, lying sizes or CRCs, unknown
 * methods), so every rejection path of the reader has a fixture.
 */
export interface RawEntry {
  readonly name: string | Buffer;
  readonly data?: string | Buffer;
  /** 0 store, 8 deflate, anything else is written as given. @default 8 for non-empty data, else 0 */
  readonly method?: number;
  /** The entry's bytes as written, instead of `data` deflated (method 8) or as is (any other). */
  readonly compressed?: Buffer;
  /** Unix mode with type bits. @default 0o100644 (0o040755 when the name ends with '/') */
  readonly unixMode?: number;
  /** General purpose flags (0x0800: UTF-8 names, 0x0001: encrypted). @default 0 */
  readonly flags?: number;
  /** Override the CRC-32 written (to make a bad one). */
  readonly crc32?: number;
  /** Override the uncompressed size written (0xFFFFFFFF: a zip64 extra field may hold `zip64Size`). */
  readonly uncompressedSize?: number;
  /** A zip64 extra field in the central record declaring this uncompressed size. */
  readonly zip64Size?: number;
}

export function rawZip(entries: readonly RawEntry[], opts: { forceZip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name, 'utf8');
    const data = Buffer.from(e.data ?? '');
    const method = e.method ?? (data.length > 0 ? 8 : 0);
    const stored = e.compressed ?? (method === 8 ? zlib.deflateRawSync(data) : data);
    const crc = e.crc32 ?? zlib.crc32(data);
    const usize = e.uncompressedSize ?? data.length;
    const isDir = name.toString().endsWith('/');
    const mode = e.unixMode ?? (isDir ? 0o040755 : 0o100644);
    const flags = e.flags ?? 0;
    const extra = Buffer.alloc(e.zip64Size === undefined ? 0 : 12);
    if (e.zip64Size !== undefined) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(8, 2);
      extra.writeBigUInt64LE(BigInt(e.zip64Size), 4);
    }
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(0x21, 12);
    lh.writeUInt32LE(crc >>> 0, 14);
    lh.writeUInt32LE(stored.length, 18);
    lh.writeUInt32LE(usize >>> 0, 22);
    lh.writeUInt16LE(name.length, 26);
    locals.push(lh, name, stored);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(0x21, 14);
    ch.writeUInt32LE(crc >>> 0, 16);
    ch.writeUInt32LE(stored.length, 20);
    ch.writeUInt32LE(usize >>> 0, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt16LE(extra.length, 30);
    ch.writeUInt32LE(((mode << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, name, extra);
    offset += 30 + name.length + stored.length;
  }
  const cd = Buffer.concat(central);
  const end: Buffer[] = [];
  if (opts.forceZip64) {
    const r = Buffer.alloc(56);
    r.writeUInt32LE(0x06064b50, 0);
    r.writeBigUInt64LE(44n, 4);
    r.writeUInt16LE(45, 12);
    r.writeUInt16LE(45, 14);
    r.writeBigUInt64LE(BigInt(entries.length), 24);
    r.writeBigUInt64LE(BigInt(entries.length), 32);
    r.writeBigUInt64LE(BigInt(cd.length), 40);
    r.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    end.push(r, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.forceZip64 ? 0xFFFF : entries.length, 8);
  eocd.writeUInt16LE(opts.forceZip64 ? 0xFFFF : entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(opts.forceZip64 ? 0xFFFFFFFF : offset, 16);
  return Buffer.concat([...locals, cd, ...end, eocd]);
}

/** {@link rawZip} written to `out`; returns `out`. */
export function writeRawZip(out: string, entries: readonly RawEntry[], opts: { forceZip64?: boolean } = {}): string {
  fs.writeFileSync(out, rawZip(entries, opts));
  return out;
}
