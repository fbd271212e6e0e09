import { parseLayerVersionArn } from '../arn';
import type { StackRule } from '../context';
import type { Finding } from '../model';

const ID = 'LS-LAYER-ARN';

/** A layer ARN that is not a layer version ARN of the function's platform. */
export const LAYER_ARN: StackRule = {
  id: ID,
  description: 'Every layer ARN is a versioned layer ARN of the function\'s platform.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const layer of ctx.layers) {
      if (!layer.arn) continue;
      try {
        parseLayerVersionArn(layer.arn, ctx.input.platform);
      } catch (e) {
        findings.push({
          ruleId: ID,
          severity: 'error',
          layer: layer.displayName,
          message: `Layer ${layer.displayName}: ${(e as Error).message}`,
          fix: `Reference a layer version ARN of ${ctx.platform.displayName} (${ctx.platform.arnFormat}).`,
          data: { arn: layer.arn },
        });
      }
    }
    return findings;
  },
};
