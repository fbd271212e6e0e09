import { parseLayerVersionArn } from '../arn';
import type { StackRule } from '../context';
import type { Finding } from '../model';

const ID = 'LS-DUPLICATE-LAYER';

/** The same layer (any two versions of it) attached twice: both platforms reject it. */
export const DUPLICATE_LAYER: StackRule = {
  id: ID,
  description: 'A function attaches each layer at most once (any version counts).',
  check(ctx) {
    const positions = new Map<string, number[]>();
    ctx.layers.forEach((layer, i) => {
      const key = identity(layer.layerId, layer.arn, ctx.input.platform);
      const list = positions.get(key);
      if (list) list.push(i);
      else positions.set(key, [i]);
    });
    const findings: Finding[] = [];
    for (const [key, at] of positions) {
      if (at.length < 2) continue;
      const names = at.map((i) => `#${i + 1} ${ctx.layers[i].displayName}`);
      findings.push({
        ruleId: ID,
        severity: 'error',
        message: `Layer ${key} is attached ${at.length} times (${names.join(', ')}); ${ctx.platform.displayName} rejects the same layer twice on one `
          + 'function, even at different versions.',
        fix: 'Keep one entry for this layer, at the version the function needs.',
        layer: ctx.layers[at[0]].displayName,
        data: { layerId: key, positions: at.map((i) => i + 1) },
      });
    }
    return findings;
  },
};

function identity(layerId: string, arn: string | undefined, platform: 'aws' | 'alicloud'): string {
  if (!arn) return layerId;
  try {
    return parseLayerVersionArn(arn, platform).unversionedArn;
  } catch {
    return layerId;
  }
}
