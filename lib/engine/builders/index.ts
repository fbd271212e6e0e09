import type { SourceSpec } from '../api';
import type { BuildContext, BuildOutput } from './context';
import { buildJava } from './java';
import { buildNode } from './node';
import { buildPhp } from './php';
import { buildPython } from './python';
import { buildRuby } from './ruby';
import { buildCommand, buildCustomRuntime, buildDirectory } from './simple';
import { buildZip } from './zip-source';

export * from './context';
export * from './exec';
export { pipInstallArgs, pipPlatformTags } from './python';
export { npmCiArgs } from './node';
export { mavenCopyArgs } from './java';
export { COMPOSER_INSTALL_ARGS } from './php';
export { OUTPUT_PLACEHOLDER } from './simple';

/** Runs the builder of a spec's kind into ctx.staging; returns the directory to pack. */
export function runBuilder(spec: SourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  switch (spec.kind) {
    case 'directory': return buildDirectory(spec);
    case 'zip': return buildZip(spec, ctx);
    case 'python': return buildPython(spec, ctx);
    case 'node': return buildNode(spec, ctx);
    case 'java': return buildJava(spec, ctx);
    case 'php': return buildPhp(spec, ctx);
    case 'ruby': return buildRuby(spec, ctx);
    case 'customRuntime': return buildCustomRuntime(spec, ctx);
    case 'command': return buildCommand(spec, ctx);
    default: {
      const never: never = spec;
      return Promise.reject(new Error(`buildLayer: unknown source kind in ${JSON.stringify(never)}`));
    }
  }
}
