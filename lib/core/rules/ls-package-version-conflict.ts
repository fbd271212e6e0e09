import { conflictingPackages, type IndexedPackage, type ManifestIndex, type StackRule } from '../context';
import type { Finding } from '../model';

const ID = 'LS-PACKAGE-VERSION-CONFLICT';

/** One package at different versions in two layers of a stack. */
export const PACKAGE_VERSION_CONFLICT: StackRule = {
  id: ID,
  description: 'Each package (Python dist, Node package, jar, gem, Composer package) has one version across the stack.',
  check(ctx) {
    const indexes: (ManifestIndex | undefined)[] = ctx.layers.map((l) => ctx.index(l));
    // Conflicts are found per pair of manifests (cached), then every holder of a conflicting package is listed.
    const keys = new Set<string>();
    for (let i = 0; i < indexes.length; i++) {
      const a = indexes[i];
      if (!a) continue;
      for (let j = i + 1; j < indexes.length; j++) {
        const b = indexes[j];
        if (b && ctx.layers[i].layerId !== ctx.layers[j].layerId) for (const k of conflictingPackages(a, b)) keys.add(k);
      }
    }
    const findings: Finding[] = [];
    for (const key of [...keys].sort()) {
      const holders: { layer: string; pkg: IndexedPackage }[] = [];
      indexes.forEach((ix, i) => {
        const pkg = ix?.packages.get(key);
        if (pkg) holders.push({ layer: ctx.layers[i].displayName, pkg });
      });
      const { ecosystem, name } = holders[0].pkg;
      const winner = ctx.platform.precedence === 'last-wins' ? holders[holders.length - 1] : holders[0];
      const where = holders.map((h) => `${h.pkg.version} in ${h.layer} (${h.pkg.path})`).join(', ');
      const effect = ecosystem === 'java'
        ? 'both jars end up on the classpath and the JVM loads classes from whichever comes first'
        : `files shared by both copies come from ${winner.layer} (${ctx.platform.precedence}), files only one copy has remain, so the function may `
          + 'load a mix';
      findings.push({
        ruleId: ID,
        severity: 'warning',
        layer: winner.layer,
        message: `${ecosystem} package ${name} is at ${holders.length} places with different versions: ${where}; ${effect}.`,
        fix: `Pin ${name} to one version in every layer, or keep it in a single layer.`,
        data: { ecosystem, name, versions: holders.map((h) => ({ layer: h.layer, version: h.pkg.version, path: h.pkg.path })), winner: winner.layer },
      });
    }
    return findings;
  },
};
