import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Crc64, crc64Decimal, crc64UsesWasm, sha256Base64 } from '../../lib/core/checksums';

describe('CRC-64/XZ (FC code.checksum)', () => {
  test('matches the catalogued check value for "123456789"', () => {
    expect(crc64Decimal(Buffer.from('123456789', 'ascii'))).toBe('11051210869376104954');
  });

  test('empty input is 0 (init and xorout cancel)', () => {
    expect(crc64Decimal(Buffer.alloc(0))).toBe('0');
  });

  test('incremental updates equal one pass over the concatenation', () => {
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31 + 7) & 0xff));
    const split = new Crc64().update(data.subarray(0, 4097)).update(data.subarray(4097)).digestDecimal();
    expect(split).toBe(crc64Decimal(data));
  });

  test('a single flipped bit changes the value', () => {
    const a = Buffer.from('layer-bytes');
    const b = Buffer.from(a);
    b[3] ^= 0x01;
    expect(crc64Decimal(a)).not.toBe(crc64Decimal(b));
  });
});

describe('SHA-256 base64 (AWS CodeSha256)', () => {
  test('matches the known digest of "abc"', () => {
    // FIPS 180-2 test vector ba7816bf...f20015ad, base64-encoded.
    expect(sha256Base64(Buffer.from('abc'))).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });
});

describe('CRC-64/XZ in WebAssembly (inputs of 4 KiB and more)', () => {
  const poly = 0xC96C5795D7870F42n;
  const bytewise = (data: Uint8Array): string => {
    let c = 0xFFFFFFFFFFFFFFFFn;
    for (const byte of data) {
      c ^= BigInt(byte);
      for (let k = 0; k < 8; k++) c = (c & 1n) ? (c >> 1n) ^ poly : c >> 1n;
    }
    return (c ^ 0xFFFFFFFFFFFFFFFFn).toString(10);
  };
  const data = Buffer.alloc(600_011);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;

  test('WebAssembly is what large inputs use on this Node', () => {
    expect(crc64UsesWasm()).toBe(true);
  });

  test('around the 4 KiB switch and the 256 KiB chunk, at every alignment, it equals the bytewise definition and the JS loop', () => {
    for (let off = 0; off < 8; off++) {
      for (const len of [4095, 4096, 4097, 4103, 70_001]) {
        const slice = data.subarray(off, off + len);
        expect(crc64Decimal(slice)).toBe(bytewise(slice));
      }
      for (const len of [262_143, 262_144, 262_145, 600_000]) {
        const slice = data.subarray(off, off + len);
        expect(crc64Decimal(slice)).toBe(new Crc64().updateJs(slice).digestDecimal());
      }
    }
  });

  test('mixed small (JS) and large (WebAssembly) updates equal one pass', () => {
    const crc = new Crc64().update(data.subarray(0, 10)).update(data.subarray(10, 300_000)).update(data.subarray(300_000, 300_100))
      .update(data.subarray(300_100));
    expect(crc.digestDecimal()).toBe(new Crc64().updateJs(data).digestDecimal());
  });

  test('two instances updated in turn keep their own state', () => {
    const a = new Crc64();
    const b = new Crc64();
    a.update(data.subarray(0, 5000));
    b.update(data.subarray(5000, 20_000));
    a.update(data.subarray(5000, 20_000));
    expect(a.digestDecimal()).toBe(crc64Decimal(data.subarray(0, 20_000)));
    expect(b.digestDecimal()).toBe(crc64Decimal(data.subarray(5000, 20_000)));
  });

  test('without WebAssembly (node --jitless) the JS loop gives the same value', () => {
    // GIVEN a child Node without WebAssembly
    const file = path.join(os.tmpdir(), `layersmith-test-crc64-${process.pid}.bin`);
    fs.writeFileSync(file, data);
    try {
      const script = `const c = require(${JSON.stringify(path.resolve(__dirname, '../../lib/core/checksums'))});`
        + `process.stdout.write(JSON.stringify([typeof WebAssembly, c.crc64UsesWasm(), c.crc64Decimal(require('fs').readFileSync(${JSON.stringify(file)}))]));`;
      // WHEN
      const out = JSON.parse(execFileSync(process.execPath, ['--jitless', '-e', script], { encoding: 'utf8' }));
      // THEN
      expect(out).toEqual(['undefined', false, crc64Decimal(data)]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
