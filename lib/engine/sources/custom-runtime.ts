import * as fs from 'fs';
import * as path from 'path';
import type { CommonSourceSpec } from '../api';
import type { BuildContext, BuildOutput } from '../builders/context';
import { fileDigest, layerTreeDigest } from '../digest';
import { commonSpec, excludesOf, existingDir, existingFile, type LayerSourceOptions, type SourceKind } from './kind';

export interface CustomRuntimeSourceSpec extends CommonSourceSpec {
  readonly kind: 'customRuntime';
  /** Absolute path of the bootstrap executable (placed at the layer root, mode 0755). */
  readonly bootstrap: string;
  /** Absolute path of a directory whose contents are added at the layer root (bin/, lib/...). */
  readonly dir?: string;
}

/** Options of `LayerSource.customRuntime`. */
export interface CustomRuntimeSourceOptions extends LayerSourceOptions {
  /** The bootstrap executable, placed at the layer root with mode 0755. */
  readonly bootstrap: string;
  /**
   * A directory whose contents are added at the layer root (bin/, lib/, ...).
   * @default - only the bootstrap
   */
  readonly dir?: string;
}

/** Validates `LayerSource.customRuntime` options and resolves their paths. */
export function customRuntimeSpec(options: CustomRuntimeSourceOptions): CustomRuntimeSourceSpec {
  const where = 'LayerSource.customRuntime';
  return {
    kind: 'customRuntime',
    bootstrap: existingFile(options.bootstrap, where, 'bootstrap'),
    ...(options.dir !== undefined ? { dir: existingDir(options.dir, where, 'dir') } : {}),
    ...commonSpec(options, where),
  };
}

/** The bootstrap file and the directory copied next to it (minus what the ZIP leaves out). */
export const customRuntimeKind: SourceKind<CustomRuntimeSourceSpec> = {
  kind: 'customRuntime',
  keyInputs: (spec) => ({
    bootstrap: fileDigest(spec.bootstrap),
    dir: spec.dir ? layerTreeDigest(spec.dir, excludesOf(spec)) : null,
  }),
  anchorCandidates: (spec) => [spec.dir, path.dirname(spec.bootstrap)],
  build: (spec, ctx) => buildCustomRuntime(spec, ctx),
};

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

