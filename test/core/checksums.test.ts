import { Crc64, crc64Decimal, sha256Base64 } from '../../lib/core/checksums';

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
