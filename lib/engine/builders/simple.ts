import * as fs from 'fs';
import * as path from 'path';
import type { CommandSourceSpec, CustomRuntimeSourceSpec, DirectorySourceSpec } from '../api';
import { BuildContext, BuildOutput, toolEnv } from './context';
import { runCommand } from './exec';

/** The directory is the layer root: packed in place, nothing copied. */
export async function buildDirectory(spec: DirectorySourceSpec): Promise<BuildOutput> {
  return { root: spec.path };
}

/** bootstrap (0755) at the root, plus the optional directory's contents. */
export async function buildCustomRuntime(spec: CustomRuntimeSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  await ctx.step('stage bootstrap', () => {
    if (spec.dir) fs.cpSync(spec.dir, ctx.staging, { recursive: true, verbatimSymlinks: true });
    const dest = path.join(ctx.staging, 'bootstrap');
    fs.rmSync(dest, { recursive: true, force: true });
    fs.copyFileSync(spec.bootstrap, dest);
    fs.chmodSync(dest, 0o755);
  });
  return { root: ctx.staging };
}

export const OUTPUT_PLACEHOLDER = '{output}';

/** The user's command fills the output directory ({output} in argv, LAYERSMITH_OUTPUT in env). */
export async function buildCommand(spec: CommandSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const argv = spec.command.map((a) => a.split(OUTPUT_PLACEHOLDER).join(ctx.staging));
  await ctx.step(`run ${spec.command[0]}`, () => runCommand(argv, {
    cwd: spec.cwd,
    env: toolEnv({ ...(spec.environment ?? {}), LAYERSMITH_OUTPUT: ctx.staging }),
    purpose: 'LayerSource.command',
  }));
  if (fs.readdirSync(ctx.staging).length === 0) {
    throw new Error(`LayerSource.command: '${spec.command.join(' ')}' exited 0 but wrote nothing into the output directory. Fix: write the layer root into the directory given as ${OUTPUT_PLACEHOLDER} or $LAYERSMITH_OUTPUT.`);
  }
  return { root: ctx.staging };
}
