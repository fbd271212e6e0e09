import * as fs from 'fs';
import * as path from 'path';
import { crc64Decimal } from '../../../lib/core/checksums';
import { inspectZip } from '../../../lib/engine/inspect';
import { ZipReader } from '../../../lib/engine/inspect/zip-reader';
import { tempDir } from '../zip/helpers';
import { rawZip } from '../zip/raw-zip';

// inspectZip reads small ZIPs whole and skips sorting when the central directory is already in
// order; these tests hold both shortcuts to the slow paths' answers.

let dir: string;
beforeEach(() => {
  dir = tempDir('layersmith-test-inspect-fast-');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const LIMITS = { maxUnzippedBytes: 1e9, maxRatio: 1e6 };

describe('inspectZip entry order', () => {
  test('GIVEN a ZIP listing entries out of order with non-ASCII names WHEN inspected THEN entries come in UTF-8 byte order', async () => {
    // GIVEN (U+FFFD sorts before U+1F600 in UTF-8 bytes but after it in UTF-16 code units)
    const names = ['b.txt', '\u{1F600}.txt', 'a.txt', '\uFFFD.txt', '\u00E9.txt'];
    const zip = path.join(dir, 'unsorted.zip');
    fs.writeFileSync(zip, rawZip(names.map((name) => ({ name, data: Buffer.from(name) }))));
    // WHEN
    const m = await inspectZip(zip);
    // THEN
    const want = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(m.entries.map((e) => e.path)).toEqual(want);
    expect(want.indexOf('\uFFFD.txt')).toBeLessThan(want.indexOf('\u{1F600}.txt'));
  });

  test('GIVEN a ZIP with ASCII names out of order WHEN inspected THEN they are sorted', async () => {
    // GIVEN
    const zip = path.join(dir, 'ascii.zip');
    fs.writeFileSync(zip, rawZip(['z/', 'z/b.py', 'a.py', 'z/a.py'].map((name) => ({ name, data: name.endsWith('/') ? undefined : Buffer.from(name) }))));
    // WHEN
    const m = await inspectZip(zip);
    // THEN
    expect(m.entries.map((e) => e.path)).toEqual(['a.py', 'z/', 'z/a.py', 'z/b.py']);
  });
});

describe('ZipReader preloading', () => {
  test('GIVEN one ZIP WHEN opened preloaded and from the file THEN entries, sizes and entry contents agree', () => {
    // GIVEN
    const zip = path.join(dir, 'layer.zip');
    const entries = Array.from({ length: 50 }, (_, i) => ({ name: `python/m${i}.py`, data: Buffer.from(`x = ${i}\n`.repeat(i + 1)) }));
    fs.writeFileSync(zip, rawZip(entries));
    // WHEN
    const preloaded = ZipReader.open(zip, LIMITS, 1 << 30);
    const streamed = ZipReader.open(zip, LIMITS, 0);
    try {
      // THEN
      expect(preloaded.whole?.length).toBe(fs.statSync(zip).size);
      expect(streamed.whole).toBeUndefined();
      expect(preloaded.entries).toEqual(streamed.entries);
      expect(preloaded.unzippedSize).toBe(entries.reduce((n, e) => n + e.data.length, 0));
      for (let i = 0; i < entries.length; i++) {
        expect(preloaded.readWhole(preloaded.entries[i]).equals(entries[i].data)).toBe(true);
        expect(streamed.readWhole(streamed.entries[i]).equals(entries[i].data)).toBe(true);
      }
    } finally {
      preloaded.close();
      streamed.close();
    }
  });

  test('GIVEN a preloaded ZIP whose central directory points past the end WHEN opened THEN it is TRUNCATED', () => {
    // GIVEN
    const b = rawZip([{ name: 'a.txt', data: Buffer.from('hello') }]);
    b.writeUInt32LE(0xFFFFFF, b.length - 6);
    const zip = path.join(dir, 'past.zip');
    fs.writeFileSync(zip, b);
    // WHEN / THEN
    expect(() => ZipReader.open(zip, LIMITS, 1 << 30)).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  test('GIVEN data in odd lengths and offsets WHEN CRC-64 is computed in chunks THEN it equals the bytewise definition', () => {
    // GIVEN a bytewise reference CRC-64/XZ (reflected poly, init and xorout all ones)
    const poly = 0xC96C5795D7870F42n;
    const reference = (data: Uint8Array): string => {
      let c = 0xFFFFFFFFFFFFFFFFn;
      for (const byte of data) {
        c ^= BigInt(byte);
        for (let k = 0; k < 8; k++) c = (c & 1n) ? (c >> 1n) ^ poly : c >> 1n;
      }
      return (c ^ 0xFFFFFFFFFFFFFFFFn).toString(10);
    };
    const big = Buffer.alloc(3000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 7) & 0xFF;
    // WHEN / THEN (offsets 0-6 cover every alignment of the word loop)
    for (let off = 0; off < 7; off++) {
      for (const len of [0, 1, 7, 8, 63, 64, 65, 200, 2991]) {
        const slice = big.subarray(off, off + len);
        expect(crc64Decimal(slice)).toBe(reference(slice));
      }
    }
  });
});
