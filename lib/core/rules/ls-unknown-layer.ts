import type { StackRule } from '../context';
import type { Finding } from '../model';

const ID = 'LS-UNKNOWN-LAYER';

/** A layer known only by ARN: say what could not be checked. */
export const UNKNOWN_LAYER: StackRule = {
  id: ID,
  description: 'Layers known only by ARN are reported with the checks that could not run on them.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const layer of ctx.layers) {
      if (layer.manifest) continue;
      const skipped = ['size budget', 'layout', 'shadowed files', 'package versions', 'native binaries'];
      if (!layer.compatibleRuntimes || layer.compatibleRuntimes.length === 0) skipped.push('runtime compatibility');
      if (!layer.compatibleArchitectures || layer.compatibleArchitectures.length === 0) skipped.push('architecture compatibility');
      findings.push({
        ruleId: ID,
        severity: 'info',
        layer: layer.displayName,
        message: `Layer ${layer.displayName} is known only by ARN${layer.arn ? ` (${layer.arn})` : ''}, so these checks could not run on it: `
          + `${skipped.join(', ')}.`,
        fix: 'Build the layer with layersmith in this app, or declare its compatible runtimes and architectures, to have it checked.',
        data: { arn: layer.arn, skipped },
      });
    }
    return findings;
  },
};
