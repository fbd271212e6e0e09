import type { StackRule } from '../context';
import type { Finding } from '../model';

const ID = 'LS-RUNTIME-COMPAT';

/** A layer declaring compatible runtimes that exclude the function's runtime. */
export const RUNTIME_COMPAT: StackRule = {
  id: ID,
  description: 'Each layer declares the function runtime among its compatible runtimes (and the runtime can attach layers).',
  check(ctx) {
    const rt = ctx.runtime;
    const fnRuntime = ctx.input.function.runtime;
    if (!rt) return [];
    if (!rt.supportsLayers) {
      return ctx.layers.length === 0 ? [] : [{
        ruleId: ID,
        severity: 'error',
        message: `Runtime ${fnRuntime} cannot attach layers on ${ctx.platform.displayName}, but ${ctx.layers.length} layer(s) are attached.`,
        fix: 'Copy the layer content into the container image, or use a built-in or custom.debian runtime.',
        data: { runtime: fnRuntime, layers: ctx.layers.length },
      }];
    }
    const findings: Finding[] = [];
    // FC rejects the attachment ("InvalidArgument: runtime: X is not supported by layer", FC FAQ
    // "Layer configuration error"). Lambda only filters layer lists by CompatibleRuntimes, but the
    // declaration is all layersmith knows of what the layer was built for, so both fail synth and
    // the fix is one list entry.
    for (const layer of ctx.layers) {
      const declared = layer.compatibleRuntimes;
      if (!declared || declared.length === 0 || declared.includes(fnRuntime)) continue;
      findings.push({
        ruleId: ID,
        severity: 'error',
        message: `Layer ${layer.displayName} declares compatible runtimes ${declared.join(', ')}, which do not include the function runtime `
          + `${fnRuntime}`
          + (ctx.input.platform === 'alicloud'
            ? '; Function Compute rejects the function ("runtime is not supported by layer").'
            : '; Lambda would deploy it, but the layer says it was built for other runtimes.'),
        fix: `Build the layer for ${fnRuntime} and add it to compatibleRuntimes, or use a layer built for ${fnRuntime}.`,
        layer: layer.displayName,
        data: { runtime: fnRuntime, compatibleRuntimes: [...declared] },
      });
    }
    return findings;
  },
};
