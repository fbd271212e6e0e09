import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError } from '../core';
import { tempPath } from '../engine/atomic';

/** Output directories already found writable in this process (one probe per directory). */
const writable = new Set<string>();

/**
 * Fails before a layer is built when the framework could not stage its ZIP into the output
 * directory: otherwise the build runs for nothing and the framework stops on a bare
 * `ENOENT ... asset.<hash>-building` that names neither the layer nor the fix. The probe is a
 * directory under the project's temp-name scheme, removed at once (the sweeper knows the name if
 * the process dies in between).
 */
export function assertWritableOutdir(constructPath: string, outdir: string, fix: string): void {
  const dir = path.resolve(outdir);
  if (writable.has(dir)) return;
  const probe = tempPath(path.join(dir, '.layersmith-probe'));
  try {
    fs.mkdirSync(probe);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new LayersmithBuildError('ASSEMBLY_NOT_WRITABLE',
      `${constructPath}: the output directory ${dir} is not writable (${reason}: could not create a directory in it), `
      + `so the layer's ZIP cannot be staged there; nothing was built. Fix: ${fix}`,
      { constructPath, path: dir });
  }
  fs.rmdirSync(probe);
  writable.add(dir);
}
