import type { StackRule } from '../context';
import { formatBytes } from '../platforms';

const ID = 'LS-UNZIPPED-BUDGET';

/** Function code plus every layer, unzipped, over the platform budget. */
export const UNZIPPED_BUDGET: StackRule = {
  id: ID,
  description: 'Function code plus all layers, unzipped, fits the platform budget.',
  check(ctx) {
    const limit = ctx.platform.limits.maxUnzippedBytes;
    const code = ctx.input.function.codeSize ?? 0;
    let layersBytes = 0;
    let unknown = 0;
    for (const l of ctx.layers) {
      if (l.manifest) layersBytes += l.manifest.zip.unzippedSize;
      else unknown++;
    }
    const used = code + layersBytes;
    if (used <= limit) return [];
    const unconfirmed = ctx.platform.unconfirmed.includes('maxUnzippedBytes')
      ? ' (an unconfirmed default; set limits.maxUnzippedBytes if your account allows more)'
      : '';
    const codeNote = ctx.input.function.codeSize === undefined ? ' + function code (unknown)' : ` + function code ${formatBytes(code)}`;
    const unknownNote = unknown > 0 ? `; ${unknown} layer(s) known only by ARN are not counted` : '';
    return [{
      ruleId: ID,
      severity: 'error',
      message: `Unzipped size ${formatBytes(used)} (layers ${formatBytes(layersBytes)}${codeNote}) exceeds the ${ctx.platform.displayName} limit of ${formatBytes(limit)}${unconfirmed} by ${formatBytes(used - limit)}${unknownNote}.`,
      fix: 'Drop unused packages or files from the layers (tests, docs, caches), split the function, or use a container image.',
      data: { usedBytes: used, limitBytes: limit, codeBytes: code, layersBytes, unknownLayers: unknown },
    }];
  },
};
