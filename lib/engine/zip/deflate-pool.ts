import { Worker } from 'worker_threads';
import { LayersmithPackError } from '../../core/errors';

/**
 * Worker threads that read and raw-deflate many small files per message. Batching is the point:
 * per-entry overhead (a message, a stream, a callback per file) is what makes a node_modules
 * layer slow, not deflate itself.
 *
 * The worker is plain JavaScript evaluated from a string, so it runs the same from the compiled
 * library and from ts-jest (which cannot load a .ts worker file).
 */
const WORKER_SOURCE = `
const { parentPort } = require('worker_threads');
const fs = require('fs');
const zlib = require('zlib');
const crypto = require('crypto');
// One read buffer per worker, reused for every file: allocating a buffer per file churns the
// allocator and inflates RSS far beyond what is live.
let scratch = Buffer.allocUnsafeSlow(1024 * 1024);
// Compressed bytes of the current batch collect here; only an exact-size copy is sent, so the
// main thread receives (and must collect) no more than the ZIP's own bytes.
let collect = Buffer.allocUnsafeSlow(1024 * 1024);
function readWhole(file, expected) {
  const fd = fs.openSync(file, 'r');
  try {
    // One byte more than listed reveals a file that grew.
    if (scratch.length < expected + 1) scratch = Buffer.allocUnsafeSlow(expected + 1);
    let got = 0;
    for (;;) {
      const n = fs.readSync(fd, scratch, got, expected + 1 - got, got);
      if (n === 0) break;
      got += n;
      if (got > expected) return { changed: fs.fstatSync(fd).size };
    }
    return got === expected ? { data: scratch.subarray(0, got) } : { changed: got };
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.on('message', (m) => {
  const n = m.paths.length;
  const meta = new Float64Array(n * 4);
  // SHA-256 of the very bytes compressed, when the caller keys the layer after packing.
  const digests = m.hash ? new Array(n) : undefined;
  let out = collect;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let read;
    try {
      read = readWhole(m.paths[i], m.sizes[i]);
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: { index: i, code: e.code || 'READ_FAILED', message: e.message } });
      return;
    }
    if (read.changed !== undefined) {
      const message = 'size was ' + m.sizes[i] + ' bytes when listed and ' + read.changed + ' when read';
      parentPort.postMessage({ id: m.id, error: { index: i, code: 'FILE_CHANGED', message } });
      return;
    }
    const raw = read.data;
    if (digests) digests[i] = crypto.createHash('sha256').update(raw).digest('hex');
    let method = 0;
    let stored = raw;
    if (raw.length > 0 && m.level > 0) {
      const d = zlib.deflateRawSync(raw, { level: m.level });
      // Store what deflate cannot shrink, as Info-ZIP does.
      if (d.length < raw.length) { method = 8; stored = d; }
    }
    if (total + stored.length > out.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, total + stored.length));
      out.copy(bigger, 0, 0, total);
      out = bigger;
      collect = bigger;
    }
    stored.copy(out, total);
    meta[i * 4] = method;
    meta[i * 4 + 1] = zlib.crc32(raw);
    meta[i * 4 + 2] = raw.length;
    meta[i * 4 + 3] = stored.length;
    total += stored.length;
  }
  const data = new ArrayBuffer(total);
  new Uint8Array(data).set(out.subarray(0, total));
  parentPort.postMessage({ id: m.id, meta, data, digests }, [data, meta.buffer]);
});
`;

/** One compressed file of a batch. */
export interface DeflatedFile {
  readonly method: 0 | 8;
  readonly crc32: number;
  readonly uncompressedSize: number;
  readonly data: Uint8Array;
  /** SHA-256 (hex) of the uncompressed bytes, when the pool was asked to hash. */
  readonly sha256?: string;
}

/** A file the worker could not read as listed. */
export class BatchFileError extends Error {
  constructor(public readonly index: number, public readonly code: string, message: string) {
    super(message);
  }
}

interface WorkerReply {
  readonly id: number;
  readonly meta?: Float64Array;
  readonly data?: ArrayBuffer;
  readonly digests?: string[];
  readonly error?: { index: number; code: string; message: string };
}

interface Job {
  readonly id: number;
  readonly paths: readonly string[];
  readonly sizes: readonly number[];
  readonly resolve: (r: DeflatedFile[]) => void;
  readonly reject: (e: Error) => void;
}

/** A fixed set of deflate workers fed from a FIFO queue. */
export class DeflatePool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  private nextId = 0;
  private closed = false;

  /** `hash`: workers also return each file's SHA-256 (hex) of the bytes they read. */
  constructor(workers: number, private readonly level: number, private readonly hash = false) {
    for (let i = 0; i < workers; i++) {
      // Small heaps: a worker holds one batch at a time, and default young generations cost RSS.
      const w = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 128 } });
      w.on('message', (msg) => this.onMessage(w, msg));
      w.on('error', (err) => this.onFailure(w, err));
      w.on('exit', (code) => {
        if (!this.closed) {
          this.onFailure(w, new LayersmithPackError('DEFLATE_WORKER_EXITED', `layersmith: a deflate worker exited with code ${code}`));
        }
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Reads and compresses the files; resolves with one result per path, in order. */
  public run(paths: readonly string[], sizes: readonly number[]): Promise<DeflatedFile[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, paths, sizes, resolve, reject });
      this.pump();
    });
  }

  /** Stops every worker; pending jobs are rejected. */
  public async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new LayersmithPackError('PACK_CANCELLED', 'layersmith: pack cancelled'));
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(w, job);
      w.postMessage({ id: job.id, paths: job.paths, sizes: job.sizes, level: this.level, hash: this.hash });
    }
  }

  private onMessage(w: Worker, msg: WorkerReply): void {
    const job = this.running.get(w);
    this.running.delete(w);
    this.idle.push(w);
    if (job) {
      if (msg.error) {
        job.reject(new BatchFileError(msg.error.index, msg.error.code, msg.error.message));
      } else {
        const meta = msg.meta!;
        const data = new Uint8Array(msg.data!);
        const out: DeflatedFile[] = [];
        let offset = 0;
        for (let i = 0; i < job.paths.length; i++) {
          const len = meta[i * 4 + 3];
          out.push({
            method: meta[i * 4] === 8 ? 8 : 0,
            crc32: meta[i * 4 + 1],
            uncompressedSize: meta[i * 4 + 2],
            data: data.subarray(offset, offset + len),
            sha256: msg.digests?.[i],
          });
          offset += len;
        }
        job.resolve(out);
      }
    }
    this.pump();
  }

  private onFailure(w: Worker, err: Error): void {
    const job = this.running.get(w);
    this.running.delete(w);
    if (job) job.reject(err);
    this.closed = true;
    for (const queued of this.queue.splice(0)) queued.reject(err);
  }
}
