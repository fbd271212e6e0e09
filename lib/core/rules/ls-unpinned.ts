import type { Finding, LayerManifest } from '../model';

const ID = 'LS-UNPINNED';

/** Canonical package name (PEP 503) of a requirement line, for matching installed versions. */
function requirementName(req: string): string {
  return (/^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req)?.[1] ?? req).toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * A warning for a layer built from requirements that are not pinned (no `==`, no lockfile): the
 * next build installs whatever the index then offers, so the layer changes without any input
 * changing. The manifest's build record lists them; the fix names the versions this build got.
 */
export function unpinnedFindings(manifest: LayerManifest, layerName: string): Finding[] {
  const unpinned = manifest.build?.unpinned ?? [];
  if (unpinned.length === 0) return [];
  const installed = new Map(manifest.packages.filter((p) => p.ecosystem === 'python').map((p) => [p.name, p.version]));
  const pins = unpinned.map((r) => {
    const name = requirementName(r);
    const version = installed.get(name);
    return version ? `${name}==${version}` : undefined;
  }).filter((p): p is string => p !== undefined);
  return [{
    ruleId: ID,
    severity: 'warning',
    layer: layerName,
    message: `Layer ${layerName} installs ${unpinned.length} requirement${unpinned.length === 1 ? '' : 's'} without an exact pin or a lockfile `
      + `(${unpinned.join(', ')}): the layer will change whenever the package index does, with no change in your code.`,
    fix: `Pin each with == ${pins.length > 0 ? `(this build installed ${pins.join(', ')}) ` : ''}or build from a lockfile (uv.lock, poetry.lock, `
      + 'Pipfile.lock).',
    data: { unpinned: [...unpinned], installed: pins },
  }];
}
