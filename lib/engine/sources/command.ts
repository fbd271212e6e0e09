import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError, LayersmithValidationError } from '../../core/errors';
import type { CommonSourceSpec } from '../api';
import { BuildContext, BuildOutput, toolEnv } from '../builders/context';
import { runCommand } from '../builders/exec';
import { cmp, pathDigest } from '../digest';
import { commonSpec, existingDir, existingPath, type LayerSourceOptions, type SourceKind } from './kind';

export interface CommandSourceSpec extends CommonSourceSpec {
  readonly kind: 'command';
  /** argv; the placeholder `{output}` is replaced by the output directory. */
  readonly command: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  /** Absolute files/directories whose contents the cache key covers. */
  readonly inputs: readonly string[];
  /** Extra environment variables (LAYERSMITH_OUTPUT is always set). */
  readonly environment?: Readonly<Record<string, string>>;
}

/** Options of `LayerSource.command`. */
export interface CommandSourceOptions extends LayerSourceOptions {
  /**
   * argv of the command (no shell). `{output}` in any argument is replaced by the directory the
   * command must fill with the layer root; LAYERSMITH_OUTPUT holds the same path.
   */
  readonly command: string[];
  /**
   * Working directory of the command.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Files and directories (relative: against `cwd`) whose contents decide whether the layer is
   * rebuilt: the cache key covers them and nothing else the command reads.
   */
  readonly inputs: string[];
  /**
   * Extra environment variables for the command.
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/** Validates `LayerSource.command` options and resolves their paths. */
export function commandSpec(options: CommandSourceOptions): CommandSourceSpec {
  const where = 'LayerSource.command';
  if (!options.command || options.command.length === 0 || !options.command[0]) {
    throw new LayersmithValidationError('EMPTY_COMMAND',
      `${where}: 'command' is empty. Fix: give an argv such as ['make', 'layer', 'OUT={output}'].`);
  }
  if (!options.inputs || options.inputs.length === 0) {
    throw new LayersmithValidationError('NO_INPUTS',
      `${where}: 'inputs' is empty, so the cache could never see a change. Fix: list the files or directories the command reads.`);
  }
  const cwd = existingDir(options.cwd ?? process.cwd(), where, 'cwd');
  return {
    kind: 'command',
    command: [...options.command],
    cwd,
    inputs: options.inputs.map((i) => existingPath(path.resolve(cwd, i), where, 'inputs')),
    ...(options.environment ? { environment: { ...options.environment } } : {}),
    ...commonSpec(options, where),
  };
}

/** The declared inputs are all the key sees: the command may read anything, the user says what counts. */
export const commandKind: SourceKind<CommandSourceSpec> = {
  kind: 'command',
  keyInputs: (spec) => ({
    // Arguments under cwd are made relative: two checkouts at different paths share a key.
    command: spec.command.map((a) => relativeTo(spec.cwd, a)),
    environment: spec.environment ? { ...spec.environment } : null,
    inputs: [...spec.inputs]
      .map((i) => ({ path: path.relative(spec.cwd, i).split(path.sep).join('/'), digest: pathDigest(i) }))
      .sort((a, b) => cmp(a.path, b.path)),
  }),
  anchorCandidates: (spec) => [spec.cwd],
  build: (spec, ctx) => buildCommand(spec, ctx),
};

function relativeTo(cwd: string, arg: string): string {
  const prefix = cwd.endsWith(path.sep) ? cwd : cwd + path.sep;
  return arg.split(prefix).join('./');
}

export const OUTPUT_PLACEHOLDER = '{output}';

/** The user's command fills the output directory ({output} in argv, LAYERSMITH_OUTPUT in env). */
export async function buildCommand(spec: CommandSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const argv = spec.command.map((a) => a.split(OUTPUT_PLACEHOLDER).join(ctx.staging));
  await ctx.step(`run ${spec.command[0]}`, () => runCommand(argv, {
    tmpDir: path.join(ctx.work, 'tmp'),
    cwd: spec.cwd,
    env: toolEnv({ ...(spec.environment ?? {}), LAYERSMITH_OUTPUT: ctx.staging }),
    purpose: 'LayerSource.command',
  }));
  if (fs.readdirSync(ctx.staging).length === 0) {
    throw new LayersmithBuildError('EMPTY_OUTPUT',
      `LayerSource.command: '${spec.command.join(' ')}' exited 0 but wrote nothing into the output directory. Fix: write `
      + `the layer root into the directory given as ${OUTPUT_PLACEHOLDER} or $LAYERSMITH_OUTPUT.`);
  }
  return { root: ctx.staging };
}
