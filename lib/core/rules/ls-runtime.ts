import type { StackRule } from '../context';

const UNKNOWN_ID = 'LS-UNKNOWN-RUNTIME';
const DEPRECATED_ID = 'LS-DEPRECATED-RUNTIME';

/** The function runtime is not one the platform accepts (AWS), or one layersmith does not list (FC). */
export const UNKNOWN_RUNTIME: StackRule = {
  id: UNKNOWN_ID,
  description: 'The function runtime is a valid identifier on the platform.',
  check(ctx) {
    const id = ctx.input.function.runtime;
    if (ctx.runtimeError) {
      return [{
        ruleId: UNKNOWN_ID,
        severity: 'error',
        message: `${ctx.runtimeError} Runtime-dependent checks (layout, runtime compatibility) did not run.`,
        fix: 'Use a runtime identifier from the list.',
        data: { runtime: id },
      }];
    }
    if (ctx.runtime && !ctx.runtime.known) {
      return [{
        ruleId: UNKNOWN_ID,
        severity: 'info',
        message: `Runtime ${id} is not one layersmith lists for ${ctx.platform.displayName}; it was checked as a ${ctx.runtime.family} runtime `
          + `(searching ${ctx.runtime.searchPaths.length ? ctx.runtime.searchPaths.join(', ') : 'no layer directories'}).`,
        fix: 'If FC accepts this id, nothing to do; otherwise use a listed runtime.',
        data: { runtime: id, family: ctx.runtime.family },
      }];
    }
    return [];
  },
};

/** The function runtime is deprecated: new functions and updates may be refused. */
export const DEPRECATED_RUNTIME: StackRule = {
  id: DEPRECATED_ID,
  description: 'The function runtime is not deprecated on the platform.',
  check(ctx) {
    if (!ctx.runtime?.deprecated) return [];
    return [{
      ruleId: DEPRECATED_ID,
      severity: 'warning',
      message: `Runtime ${ctx.runtime.id} is deprecated on ${ctx.platform.displayName}: creating or updating functions on it can be refused.`,
      fix: `Move to a current ${ctx.runtime.family} runtime and rebuild the layers for it.`,
      data: { runtime: ctx.runtime.id },
    }];
  },
};
