import * as path from 'path';
import type { CommonSourceSpec } from '../api';
import { fileDigest } from '../digest';
import { extractZip } from '../inspect';
import { commonSpec, existingFile, type LayerSourceOptions, type SourceKind } from './kind';

export interface ZipSourceSpec extends CommonSourceSpec {
  readonly kind: 'zip';
  /** Absolute path of an existing layer ZIP (validated, then re-packed reproducibly). */
  readonly path: string;
}

export function zipSpec(file: string, options: LayerSourceOptions = {}): ZipSourceSpec {
  return { kind: 'zip', path: existingFile(file, 'LayerSource.fromZip', 'file'), ...commonSpec(options, 'LayerSource.fromZip') };
}

/** An existing ZIP: extracting it validates every entry (paths, links, sizes, CRCs). */
export const zipKind: SourceKind<ZipSourceSpec> = {
  kind: 'zip',
  keyInputs: (spec) => ({ zip: fileDigest(spec.path) }),
  anchorCandidates: (spec) => [path.dirname(spec.path)],
  build: async (spec, ctx) => {
    await ctx.step('extract and validate zip', () => extractZip(spec.path, ctx.staging));
    return { root: ctx.staging };
  },
};
