import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget } from '../../../lib/engine/api';
import type { BuildContext } from '../../../lib/engine/builders/context';
import { makeTempDir } from '../../helpers';

/** A real BuildContext over fresh temp dirs; `steps` records the step names that ran. */
export function makeContext(target: BuildTarget): BuildContext & { steps: string[]; notes: string[] } {
  const base = makeTempDir('layersmith-builder-');
  const staging = path.join(base, 'layer');
  const work = path.join(base, 'work');
  fs.mkdirSync(staging);
  fs.mkdirSync(work);
  const steps: string[] = [];
  const notes: string[] = [];
  return {
    staging,
    work,
    target,
    steps,
    notes,
    step: async (name, fn) => {
      steps.push(name);
      return fn();
    },
    note: (m) => notes.push(m),
  };
}

export const AWS_PY312_X86: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };
