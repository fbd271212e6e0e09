import * as fs from 'fs';
import { serializeError } from '../core/errors';
import type { BuildOptions, BuildTarget, SourceSpec } from './api';
import { buildWithKey } from './engine';

/**
 * Child-process side of `buildLayerSync`: reads `{ spec, target, inputKey, options }` from the JSON file in
 * argv[2], builds, and writes `{ artifact }` or `{ error }` to the file in argv[3]. Progress goes
 * to the inherited stderr.
 */
interface WorkerRequest {
  readonly spec: SourceSpec;
  readonly target: BuildTarget;
  /** Input key the parent computed from the same spec and target. */
  readonly inputKey: string;
  readonly options?: BuildOptions;
}

async function main(): Promise<void> {
  const [inFile, outFile] = process.argv.slice(2);
  try {
    const req = JSON.parse(fs.readFileSync(inFile, 'utf8')) as WorkerRequest;
    const artifact = await buildWithKey(req.spec, req.target, req.inputKey, req.options);
    fs.writeFileSync(outFile, JSON.stringify({ artifact }));
  } catch (e) {
    fs.writeFileSync(outFile, JSON.stringify({ error: serializeError(e) }));
  }
}

void main();
