import * as fs from 'fs';
import type { BuildOptions, BuildTarget, SourceSpec } from './api';
import { buildKeyAfterPack, buildWithKey } from './engine';
import { pausePoint } from './test-pause';
import { RESULT_MARKER } from './worker-protocol';
import { serializeError } from '../core/errors';

/**
 * Child-process side of `buildLayerSync`: reads `{ spec, target, inputKey, options }` as JSON from
 * stdin, builds, and writes RESULT_MARKER then `{ artifact }` or `{ error }` to stdout. Progress
 * goes to the inherited stderr. Given two file arguments (request, result), it uses those files
 * instead (for tests that run several workers by hand).
 */
interface WorkerRequest {
  readonly spec: SourceSpec;
  readonly target: BuildTarget;
  /** Input key the parent computed from the same spec and target; absent: key it after the pack (a first build). */
  readonly inputKey?: string;
  readonly options?: BuildOptions;
}

async function main(): Promise<void> {
  pausePoint('worker:start');
  const [inFile, outFile] = process.argv.slice(2);
  let result: string;
  try {
    const req = JSON.parse(fs.readFileSync(inFile ?? 0, 'utf8')) as WorkerRequest;
    const artifact = req.inputKey === undefined
      ? await buildKeyAfterPack(req.spec, req.target, req.options)
      : await buildWithKey(req.spec, req.target, req.inputKey, req.options);
    result = JSON.stringify({ artifact });
  } catch (e) {
    result = JSON.stringify({ error: serializeError(e) });
  }
  if (outFile) fs.writeFileSync(outFile, result);
  else writeAll(1, RESULT_MARKER + result);
  pausePoint('worker:result-written');
}

/**
 * Writes all of `text` to `fd`. One writeSync to a pipe may write only part (the result of a
 * 25,000-entry layer is megabytes) or fail with EAGAIN when the pipe is non-blocking and full.
 */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      // the reader has not drained the pipe yet
      Atomics.wait(nap, 0, 0, 2);
    }
  }
}

void main();
