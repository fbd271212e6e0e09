import { createHash } from 'crypto';

/**
 * Checksums the platforms use to identify layer code.
 *
 * - AWS Lambda `CodeSha256`: base64 of the SHA-256 of the ZIP bytes
 *   (Lambda API GetLayerVersion / LayerVersionContentOutput.CodeSha256).
 * - Alibaba FC `codeChecksum` / `code.checksum`: CRC-64/XZ (ECMA-182 polynomial 0x42F0E1EBA9EA3693,
 *   reflected, init and xorout all ones) of the ZIP bytes, as an unsigned decimal string
 *   (FC3 API CreateLayerVersion InputCodeLocation.checksum). Check value for ASCII "123456789":
 *   11051210869376104954.
 */

const CRC64_POLY_REFLECTED = 0xC96C5795D7870F42n;

/** Split 256-entry table into two 32-bit halves so the hot loop avoids BigInt. */
const CRC64_TABLE_HI = new Uint32Array(256);
const CRC64_TABLE_LO = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = BigInt(n);
  for (let k = 0; k < 8; k++) {
    c = (c & 1n) ? (c >> 1n) ^ CRC64_POLY_REFLECTED : c >> 1n;
  }
  CRC64_TABLE_HI[n] = Number(c >> 32n);
  CRC64_TABLE_LO[n] = Number(c & 0xFFFFFFFFn);
}

/** Incremental CRC-64/XZ. Feed chunks with `update`, read with `digestDecimal`. */
export class Crc64 {
  private hi = 0xFFFFFFFF;
  private lo = 0xFFFFFFFF;

  public update(data: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < data.length; i++) {
      const idx = (lo ^ data[i]) & 0xFF;
      // crc = table[idx] ^ (crc >>> 8) over 64 bits held as two 32-bit halves.
      const shiftedLo = ((lo >>> 8) | ((hi & 0xFF) << 24)) >>> 0;
      const shiftedHi = hi >>> 8;
      lo = (CRC64_TABLE_LO[idx] ^ shiftedLo) >>> 0;
      hi = (CRC64_TABLE_HI[idx] ^ shiftedHi) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** The final value (xorout all ones) as an unsigned decimal string, as FC expects it. */
  public digestDecimal(): string {
    const value = (BigInt((~this.hi) >>> 0) << 32n) | BigInt((~this.lo) >>> 0);
    return value.toString(10);
  }
}

/** CRC-64/XZ of a buffer as an unsigned decimal string (FC `code.checksum`). */
export function crc64Decimal(data: Uint8Array): string {
  return new Crc64().update(data).digestDecimal();
}

/** Base64 SHA-256 of a buffer (AWS `CodeSha256`). */
export function sha256Base64(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}
