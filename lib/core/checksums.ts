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

/**
 * Slicing-by-8 tables, each split into 32-bit halves so the hot loop avoids BigInt: T[k][n] is
 * the CRC of byte n followed by k zero bytes, so eight input bytes cost eight lookups and one
 * step instead of eight dependent steps.
 */
const SLICES = 8;
const TABLE_HI: Int32Array[] = [];
const TABLE_LO: Int32Array[] = [];
for (let k = 0; k < SLICES; k++) {
  // Signed 32-bit halves: XOR of int32 values stays an int32, so the loop needs no conversions.
  TABLE_HI.push(new Int32Array(256));
  TABLE_LO.push(new Int32Array(256));
}
for (let n = 0; n < 256; n++) {
  let c = BigInt(n);
  for (let k = 0; k < 8; k++) {
    c = (c & 1n) ? (c >> 1n) ^ CRC64_POLY_REFLECTED : c >> 1n;
  }
  TABLE_HI[0][n] = Number(c >> 32n);
  TABLE_LO[0][n] = Number(c & 0xFFFFFFFFn);
}
for (let k = 1; k < SLICES; k++) {
  for (let n = 0; n < 256; n++) {
    // T[k][n] = (T[k-1][n] >>> 8) ^ T[0][T[k-1][n] & 0xFF], over 64 bits.
    const hi = TABLE_HI[k - 1][n];
    const lo = TABLE_LO[k - 1][n];
    const idx = lo & 0xFF;
    TABLE_LO[k][n] = ((lo >>> 8) | ((hi & 0xFF) << 24)) ^ TABLE_LO[0][idx];
    TABLE_HI[k][n] = (hi >>> 8) ^ TABLE_HI[0][idx];
  }
}
const [H0, H1, H2, H3, H4, H5, H6, H7] = TABLE_HI;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const [L0, L1, L2, L3, L4, L5, L6, L7] = TABLE_LO;

/**
 * Inputs from this size on go through a WebAssembly version of the same slicing-by-8 loop. It
 * holds the 64-bit CRC in one register (the JS loop needs two 32-bit halves and twice the table
 * lookups), and WebAssembly is compiled before its first call, where a JS loop runs interpreted
 * until V8 optimizes it: the first CRC of a few-MB ZIP in a fresh process took 11-80 ms in JS and
 * takes a few ms here. Smaller inputs stay in JS (a call into WebAssembly copies the bytes).
 */
const WASM_MIN_BYTES = 4096;

/** Layout of the module's memory: the CRC in and out, the eight tables, then a chunk of input. */
const W_STATE = 0;
const W_TABLES = 256;
const W_INPUT = W_TABLES + SLICES * 256 * 8;
const W_CHUNK = 256 * 1024;
const W_PAGES = Math.ceil((W_INPUT + W_CHUNK) / 65536);

/** Unsigned LEB128 (wasm's encoding of sizes, indices and memory offsets). */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7F;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (wasm's encoding of i32.const and i64.const immediates), for 0 <= n < 2^31. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7F;
    n >>= 7;
    if (n === 0 && (b & 0x40) === 0) return [...out, b];
    out.push(b | 0x80);
  }
}

/**
 * The module, assembled here: one function `update(len)` that reads the CRC at W_STATE, runs
 * over `len` bytes at W_INPUT (eight bytes per step through the slicing tables, then byte by
 * byte) and writes the CRC back; and its memory, exported for the tables and the input.
 */
function crc64WasmModule(): Uint8Array {
  const I32_CONST = 0x41;
  const I64_CONST = 0x42;
  const LOCAL_GET = 0x20;
  const LOCAL_SET = 0x21;
  const I64_LOAD = 0x29;
  const I64_LOAD8_U = 0x31;
  const I64_STORE = 0x37;
  const I64_XOR = 0x85;
  const I64_SHR_U = 0x88;
  const I32_WRAP_I64 = 0xA7;
  const I32_ADD = 0x6A;
  const I32_SUB = 0x6B;
  const I32_AND = 0x71;
  const I32_SHL = 0x74;
  const I32_LT_U = 0x49;
  const I32_GE_U = 0x4F;
  const BLOCK = 0x02;
  const LOOP = 0x03;
  const BR = 0x0C;
  const BR_IF = 0x0D;
  const END = 0x0B;
  const VOID = 0x40;
  // Locals: 0 len (param), 1 crc and 2 x (i64), 3 p and 4 end (i32).
  const [LEN, CRC, X, P, ENDP] = [0, 1, 2, 3, 4];
  // T[t][byte of i64 value on the stack]: the byte index (shifted by 3 for 8-byte entries) is the address.
  const lookup = (t: number, shift: number) => [
    LOCAL_GET, X, ...(shift ? [I64_CONST, ...sleb(shift), I64_SHR_U] : []), I32_WRAP_I64,
    ...(shift < 56 ? [I32_CONST, ...sleb(0xFF), I32_AND] : []), I32_CONST, 3, I32_SHL,
    I64_LOAD, 3, ...uleb(W_TABLES + t * 2048),
  ];
  const slice8: number[] = [...lookup(7, 0)];
  for (let k = 1; k < 8; k++) slice8.push(...lookup(7 - k, 8 * k), I64_XOR);
  const body = [
    2, 2, 0x7E, 2, 0x7F,
    I32_CONST, ...sleb(W_STATE), I64_LOAD, 3, 0, LOCAL_SET, CRC,
    I32_CONST, ...sleb(W_INPUT), LOCAL_SET, P,
    LOCAL_GET, P, LOCAL_GET, LEN, I32_ADD, LOCAL_SET, ENDP,
    BLOCK, VOID, LOOP, VOID,
    LOCAL_GET, ENDP, LOCAL_GET, P, I32_SUB, I32_CONST, 8, I32_LT_U, BR_IF, 1,
    LOCAL_GET, P, I64_LOAD, 0, 0, LOCAL_GET, CRC, I64_XOR, LOCAL_SET, X,
    ...slice8, LOCAL_SET, CRC,
    LOCAL_GET, P, I32_CONST, 8, I32_ADD, LOCAL_SET, P,
    BR, 0, END, END,
    BLOCK, VOID, LOOP, VOID,
    LOCAL_GET, P, LOCAL_GET, ENDP, I32_GE_U, BR_IF, 1,
    // crc = T0[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    LOCAL_GET, CRC, LOCAL_GET, P, I64_LOAD8_U, 0, 0, I64_XOR, I32_WRAP_I64, I32_CONST, ...sleb(0xFF), I32_AND, I32_CONST, 3, I32_SHL,
    I64_LOAD, 3, ...uleb(W_TABLES), LOCAL_GET, CRC, I64_CONST, 8, I64_SHR_U, I64_XOR, LOCAL_SET, CRC,
    LOCAL_GET, P, I32_CONST, 1, I32_ADD, LOCAL_SET, P,
    BR, 0, END, END,
    I32_CONST, ...sleb(W_STATE), LOCAL_GET, CRC, I64_STORE, 3, 0,
    END,
  ];
  const name = (s: string) => [s.length, ...Buffer.from(s, 'latin1')];
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, 0x7F, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, ...uleb(W_PAGES)]),
    ...section(7, [2, ...name('update'), 0, 0, ...name('memory'), 2, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/** The part of the WebAssembly JS API used here (its types come with the DOM lib, which this project does not compile with). */
declare const WebAssembly: {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: Record<string, unknown> };
} | undefined;

interface Crc64Wasm {
  readonly update: (len: number) => void;
  readonly bytes: Uint8Array;
  readonly state: DataView;
}

/** The module, instantiated once; undefined where WebAssembly is missing (node --jitless) or on a big-endian host. */
let wasm: Crc64Wasm | null | undefined = null;
function crc64Wasm(): Crc64Wasm | undefined {
  if (wasm !== null) return wasm;
  wasm = undefined;
  if (!LITTLE_ENDIAN || typeof WebAssembly !== 'object' || !WebAssembly) return undefined;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(crc64WasmModule()));
    const memory = instance.exports.memory as { readonly buffer: ArrayBuffer };
    const state = new DataView(memory.buffer);
    for (let k = 0; k < SLICES; k++) {
      for (let n = 0; n < 256; n++) {
        state.setInt32(W_TABLES + (k * 256 + n) * 8, TABLE_LO[k][n], true);
        state.setInt32(W_TABLES + (k * 256 + n) * 8 + 4, TABLE_HI[k][n], true);
      }
    }
    wasm = { update: instance.exports.update as (len: number) => void, bytes: new Uint8Array(memory.buffer), state };
  } catch {
    wasm = undefined;
  }
  return wasm;
}

/** Incremental CRC-64/XZ. Feed chunks with `update`, read with `digestDecimal`. */
export class Crc64 {
  private hi = -1;
  private lo = -1;

  public update(data: Uint8Array): this {
    const w = data.length >= WASM_MIN_BYTES ? crc64Wasm() : undefined;
    if (!w) return this.updateJs(data);
    w.state.setInt32(W_STATE, this.lo, true);
    w.state.setInt32(W_STATE + 4, this.hi, true);
    for (let i = 0; i < data.length; i += W_CHUNK) {
      const chunk = data.subarray(i, i + W_CHUNK);
      w.bytes.set(chunk, W_INPUT);
      w.update(chunk.length);
    }
    this.lo = w.state.getInt32(W_STATE, true);
    this.hi = w.state.getInt32(W_STATE + 4, true);
    return this;
  }

  /** The same CRC in JavaScript, for small inputs and where WebAssembly is not available. */
  public updateJs(data: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    const n = data.length;
    let i = 0;
    if (LITTLE_ENDIAN && n >= 64) {
      // Whole 32-bit words through an aligned Int32Array view: one load per four bytes.
      while ((data.byteOffset + i) % 4 !== 0) {
        const idx = (lo ^ data[i]) & 0xFF;
        lo = L0[idx] ^ ((lo >>> 8) | ((hi & 0xFF) << 24));
        hi = H0[idx] ^ (hi >>> 8);
        i++;
      }
      const words = new Int32Array(data.buffer, data.byteOffset + i, ((n - i) >>> 3) << 1);
      for (let w = 0; w < words.length; w += 2) {
        const a = lo ^ words[w];
        const b = hi ^ words[w + 1];
        lo = L7[a & 0xFF] ^ L6[(a >>> 8) & 0xFF] ^ L5[(a >>> 16) & 0xFF] ^ L4[a >>> 24]
          ^ L3[b & 0xFF] ^ L2[(b >>> 8) & 0xFF] ^ L1[(b >>> 16) & 0xFF] ^ L0[b >>> 24];
        hi = H7[a & 0xFF] ^ H6[(a >>> 8) & 0xFF] ^ H5[(a >>> 16) & 0xFF] ^ H4[a >>> 24]
          ^ H3[b & 0xFF] ^ H2[(b >>> 8) & 0xFF] ^ H1[(b >>> 16) & 0xFF] ^ H0[b >>> 24];
      }
      i += words.length * 4;
    }
    for (; i < n; i++) {
      const idx = (lo ^ data[i]) & 0xFF;
      // crc = table[idx] ^ (crc >>> 8) over 64 bits held as two 32-bit halves.
      lo = L0[idx] ^ ((lo >>> 8) | ((hi & 0xFF) << 24));
      hi = H0[idx] ^ (hi >>> 8);
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

/** Whether large inputs go through WebAssembly here (tests use it to know which path they cover). */
export function crc64UsesWasm(): boolean {
  return crc64Wasm() !== undefined;
}

/** CRC-64/XZ of a buffer as an unsigned decimal string (FC `code.checksum`). */
export function crc64Decimal(data: Uint8Array): string {
  return new Crc64().update(data).digestDecimal();
}

/** Base64 SHA-256 of a buffer (AWS `CodeSha256`). */
export function sha256Base64(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}
