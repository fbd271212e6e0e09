import type { StackRule } from '../context';
import type { PackageEcosystem } from '../model';
import { formatBytes } from '../platforms';

const ID = 'LS-UNZIPPED-BUDGET';

/** Largest packages named in the message; `data.largestPackages` holds the same list. */
const MAX_PACKAGES_NAMED = 5;

/**
 * Function code plus every layer, unzipped, over the platform budget. The message says what to
 * cut: each layer's share, the largest packages across the stack and how many bytes must go.
 */
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
    const excess = used - limit;
    const unconfirmed = ctx.platform.unconfirmed.includes('maxUnzippedBytes')
      ? ' (an unconfirmed default; set limits.maxUnzippedBytes if your account allows more)'
      : '';
    const codeNote = ctx.input.function.codeSize === undefined ? ' + function code (unknown)' : ` + function code ${formatBytes(code)}`;
    const unknownNote = unknown > 0 ? `; ${unknown} layer(s) known only by ARN are not counted` : '';
    const shares = ctx.layers.filter((l) => l.manifest).map((l) => ({ layer: l.displayName, bytes: l.manifest!.zip.unzippedSize }));
    const packages: Array<{ layer: string; ecosystem: PackageEcosystem; name: string; version: string; bytes: number }> = [];
    for (const l of ctx.layers) {
      for (const p of l.manifest?.packages ?? []) {
        if (p.unzippedBytes === undefined) continue;
        packages.push({ layer: l.displayName, ecosystem: p.ecosystem, name: p.name, version: p.version, bytes: p.unzippedBytes });
      }
    }
    packages.sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const largest = packages.slice(0, MAX_PACKAGES_NAMED);
    const shareText = shares.map((s) => `${s.layer} ${formatBytes(s.bytes)} (${pct(s.bytes, used)})`).join(', ');
    const largestText = largest.length > 0
      ? ` Largest packages: ${largest.map((p) => `${p.name} ${p.version} ${formatBytes(p.bytes)} in ${p.layer}`).join(', ')}.`
      : '';
    return [{
      ruleId: ID,
      severity: 'error',
      message: `Unzipped size ${formatBytes(used)} (layers ${formatBytes(layersBytes)}${codeNote}) exceeds the ${ctx.platform.displayName} limit of `
        + `${formatBytes(limit)}${unconfirmed} by ${formatBytes(excess)}${unknownNote}.`
        + (shareText ? ` Layer shares: ${shareText}.` : '') + largestText + (shareText ? ` Cut at least ${formatBytes(excess)} to fit.` : ''),
      fix: 'Drop unused packages from the layers (the largest are named above), slim them (slim: true removes tests, docs, '
        + 'stubs and debug info, and checks every module still imports), split the function, or use a container image.',
      data: {
        usedBytes: used,
        limitBytes: limit,
        codeBytes: code,
        layersBytes,
        unknownLayers: unknown,
        excessBytes: excess,
        layerShares: shares,
        largestPackages: largest,
      },
    }];
  },
};

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '0%';
}
