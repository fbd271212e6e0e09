import type { ZipSourceSpec } from '../api';
import { extractZip } from '../inspect';
import type { BuildContext, BuildOutput } from './context';

/** An existing ZIP: extracting it validates every entry (paths, links, sizes, CRCs). */
export async function buildZip(spec: ZipSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  await ctx.step('extract and validate zip', () => extractZip(spec.path, ctx.staging));
  return { root: ctx.staging };
}
