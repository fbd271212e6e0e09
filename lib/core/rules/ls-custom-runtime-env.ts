import type { StackRule } from '../context';

const ID = 'LS-CUSTOM-RUNTIME-ENV';

/** Env vars that make a layer directory visible to a process that does not search it by itself. */
const ENV_FOR_DIR: ReadonlyArray<readonly [string, string]> = [
  ['python/', 'PYTHONPATH=/opt/python'],
  ['nodejs/node_modules/', 'NODE_PATH=/opt/nodejs/node_modules'],
  ['java/lib/', 'CLASSPATH=/opt/java/lib/*'],
  ['php/', 'PHP include_path with /opt/php'],
  ['lib/', 'LD_LIBRARY_PATH=/opt/lib'],
  ['bin/', 'PATH=/opt/bin:$PATH'],
];

/** FC custom runtimes add no layer paths: tell the user which env vars to set. */
export const CUSTOM_RUNTIME_ENV: StackRule = {
  id: ID,
  description: 'Functions on a runtime that adds no layer paths are told which environment variables to set.',
  check(ctx) {
    const rt = ctx.runtime;
    if (!rt || !rt.envHint || !rt.supportsLayers || ctx.layers.length === 0) return [];
    const needed: string[] = [];
    let unknown = 0;
    for (const layer of ctx.layers) {
      const index = ctx.index(layer);
      if (!index) {
        unknown++;
        continue;
      }
      for (const [dir, env] of ENV_FOR_DIR) {
        if (needed.includes(env)) continue;
        for (const f of index.files) {
          if (f.startsWith(dir)) {
            needed.push(env);
            break;
          }
        }
      }
    }
    const specific = needed.length > 0 ? `Set ${needed.join(', ')} in the function's environment variables.` : '';
    const generic = unknown > 0 || needed.length === 0 ? rt.envHint : '';
    return [{
      ruleId: ID,
      severity: 'info',
      message: `Runtime ${rt.id} does not add layer directories under /opt to any search path; the ${ctx.layers.length} attached layer(s) are `
        + 'invisible unless the function\'s environment points at them.',
      fix: [specific, generic].filter(Boolean).join(' '),
      data: { runtime: rt.id, env: needed, unknownLayers: unknown },
    }];
  },
};
