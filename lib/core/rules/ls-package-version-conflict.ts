import type { IndexedPackage, StackRule } from '../context';
import type { Finding } from '../model';

const ID = 'LS-PACKAGE-VERSION-CONFLICT';

/** One package at different versions in two layers of a stack. */
export const PACKAGE_VERSION_CONFLICT: StackRule = {
  id: ID,
  description: 'Each package (Python dist, Node package, jar, gem, Composer package) has one version across the stack.',
  check(ctx) {
    const seen = new Map<string, { layer: string; index: number; pkg: IndexedPackage }[]>();
    ctx.layers.forEach((layer, i) => {
      const index = ctx.index(layer);
      if (!index) return;
      for (const [key, pkg] of index.packages) {
        const list = seen.get(key);
        if (list) list.push({ layer: layer.displayName, index: i, pkg });
        else seen.set(key, [{ layer: layer.displayName, index: i, pkg }]);
      }
    });
    const findings: Finding[] = [];
    for (const holders of seen.values()) {
      if (holders.length < 2 || new Set(holders.map((h) => h.pkg.version)).size < 2) continue;
      const { ecosystem, name } = holders[0].pkg;
      const winner = ctx.platform.precedence === 'last-wins' ? holders[holders.length - 1] : holders[0];
      const where = holders.map((h) => `${h.pkg.version} in ${h.layer} (${h.pkg.path})`).join(', ');
      const effect = ecosystem === 'java'
        ? 'both jars end up on the classpath and the JVM loads classes from whichever comes first'
        : `files shared by both copies come from ${winner.layer} (${ctx.platform.precedence}), files only one copy has remain, so the function may load a mix`;
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
