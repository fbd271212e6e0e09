import * as zlib from 'zlib';

/**
 * A tiny raw ZIP builder for tests: it writes exactly what it is told, including what a real
 * writer must refuse (bad names, duplicates, encryption flags, lying sizes or CRCs), so every
 * rejection path of the reader has a fixture.
 */
export interface RawEntry {
  readonly name: string | Buffer;
  readonly data?: Buffer;
  /** 0 store, 8 deflate. Default 8 for non-empty data. */
  readonly method?: number;
  /** Unix mode with type bits. Default 0o100644 (0o040755 when the name ends with '/'). */
  readonly unixMode?: number;
  readonly flags?: number;
  /** Override the CRC written (to make a bad one). */
  readonly crc32?: number;
  /** Override the uncompressed size written in the central directory. */
  readonly uncompressedSize?: number;
}

export function rawZip(entries: readonly RawEntry[], opts: { forceZip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name, 'utf8');
    const data = e.data ?? Buffer.alloc(0);
    const method = e.method ?? (data.length > 0 ? 8 : 0);
    const stored = method === 8 ? zlib.deflateRawSync(data) : data;
    const crc = e.crc32 ?? zlib.crc32(data);
    const usize = e.uncompressedSize ?? data.length;
    const isDir = name.toString().endsWith('/');
    const mode = e.unixMode ?? (isDir ? 0o040755 : 0o100644);
    const flags = e.flags ?? 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(0x21, 12);
    lh.writeUInt32LE(crc >>> 0, 14);
    lh.writeUInt32LE(stored.length, 18);
    lh.writeUInt32LE(usize, 22);
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
    ch.writeUInt32LE(usize, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(((mode << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, name);
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
