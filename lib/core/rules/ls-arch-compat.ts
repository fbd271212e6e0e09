import type { StackRule } from '../context';
import type { Finding } from '../model';

const ID = 'LS-ARCH-COMPAT';

/** Function architecture the platform or a layer does not support. */
export const ARCH_COMPAT: StackRule = {
  id: ID,
  description: 'The platform runs the function architecture and every layer declares it when it declares any.',
  check(ctx) {
    const arch = ctx.input.function.architecture;
    const supported = ctx.platform.supportedArchitectures;
    const findings: Finding[] = [];
    if (!supported.includes(arch)) {
      findings.push({
        ruleId: ID,
        severity: 'error',
        message: `Function architecture ${arch} is not available on ${ctx.platform.displayName}, which runs ${supported.join(', ')}.`,
        fix: `Use architecture ${supported[0]} and layers built for it.`,
        data: { architecture: arch, supported: [...supported] },
      });
    }
    for (const layer of ctx.layers) {
      const declared = layer.compatibleArchitectures;
      if (!declared || declared.length === 0 || declared.includes(arch)) continue;
      findings.push({
        ruleId: ID,
        severity: 'error',
        message: `Layer ${layer.displayName} declares architectures ${declared.join(', ')}, but the function runs on ${arch}.`,
        fix: `Build the layer for ${arch} (and add it to compatibleArchitectures), or run the function on ${declared[0]}.`,
        layer: layer.displayName,
        data: { architecture: arch, compatibleArchitectures: [...declared] },
      });
    }
    return findings;
  },
};
