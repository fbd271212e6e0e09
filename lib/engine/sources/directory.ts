import type { CommonSourceSpec } from '../api';
import { layerTreeDigest } from '../digest';
import { commonSpec, excludesOf, existingDir, type LayerSourceOptions, type SourceKind } from './kind';

export interface DirectorySourceSpec extends CommonSourceSpec {
  readonly kind: 'directory';
  /** Absolute path; the directory is the layer root as it appears in /opt. */
  readonly path: string;
}

/** Options of `LayerSource.fromDirectory`. */
export interface DirectorySourceOptions extends LayerSourceOptions {}

export function directorySpec(dir: string, options: DirectorySourceOptions = {}): DirectorySourceSpec {
  return { kind: 'directory', path: existingDir(dir, 'LayerSource.fromDirectory', 'dir'), ...commonSpec(options, 'LayerSource.fromDirectory') };
}

/** The directory is the layer root: packed in place, nothing copied. */
export const directoryKind: SourceKind<DirectorySourceSpec> = {
  kind: 'directory',
  keyInputs: (spec) => ({ tree: layerTreeDigest(spec.path, excludesOf(spec)) }),
  anchorCandidates: (spec) => [spec.path],
  build: async (spec) => ({ root: spec.path }),
};
