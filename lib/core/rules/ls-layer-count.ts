import type { StackRule } from '../context';

const ID = 'LS-LAYER-COUNT';

/** More layers than the platform allows on one function. */
export const LAYER_COUNT: StackRule = {
  id: ID,
  description: 'A function attaches no more layers than the platform allows.',
  check(ctx) {
    const max = ctx.platform.limits.maxLayersPerFunction;
    const count = ctx.layers.length;
    if (count <= max) return [];
    return [{
      ruleId: ID,
      severity: 'error',
      message: `${count} layers attached; ${ctx.platform.displayName} allows at most ${max} per function.`,
      fix: `Merge layers (one layer can hold several packages) or move content into the function code, to get to ${max} or fewer.`,
      data: { count, max },
    }];
  },
};
