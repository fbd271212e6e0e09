import type { StackRule } from '../context';
import type { Finding, PackageRecord } from '../model';
import { AWS_PYTHON_RUNTIME_SDKS, compareVersions } from '../runtime-sdks';

const ID = 'LS-RUNTIME-SHADOW';

const SDK = ['boto3', 'botocore'] as const;

/**
 * A layer's boto3/botocore hides the copy the AWS Python runtime ships: /opt/python (and its
 * site-packages) come before the runtime's own packages on sys.path, so the layer's copy is the
 * one every function using the layer imports. Half a pair, or an older copy, is then a problem.
 */
export const RUNTIME_SHADOW: StackRule = {
  id: ID,
  description: 'A layer shadowing the AWS Python runtime\'s boto3/botocore holds both, no older than the runtime ships.',
  check(ctx) {
    const rt = ctx.runtime;
    if (ctx.input.platform !== 'aws' || !rt || rt.family !== 'python') return [];
    const roots = rt.searchPaths;
    const held = new Map<string, { layer: string; pkg: PackageRecord }>();
    // Layers later in the list win on AWS, so the last holder is the copy the function imports.
    for (const layer of ctx.layers) {
      for (const pkg of layer.manifest?.packages ?? []) {
        if (pkg.ecosystem !== 'python' || !(SDK as readonly string[]).includes(pkg.name)) continue;
        if (!roots.some((r) => pkg.path.startsWith(`${r}/`) && !pkg.path.slice(r.length + 1, -1).includes('/'))) continue;
        held.set(pkg.name, { layer: layer.displayName, pkg });
      }
    }
    if (held.size === 0) return [];
    const findings: Finding[] = [];
    const shipped = AWS_PYTHON_RUNTIME_SDKS[rt.id];
    const precedence = 'the layer directories come before the runtime\'s own packages on sys.path';
    if (held.size === 1) {
      const [name, { layer, pkg }] = [...held][0];
      const other = name === 'boto3' ? 'botocore' : 'boto3';
      findings.push({
        ruleId: ID,
        severity: 'warning',
        layer,
        message: `Layer ${layer} holds ${name} ${pkg.version} but no ${other}; ${precedence}, so ${rt.id} functions import this ${name} `
          + `with the runtime's own ${other}, a pair that was never released together.`,
        fix: `Add ${other} at the matching version to the layer (pip install boto3==X pulls botocore), or remove ${name} from it.`,
        data: { runtime: rt.id, package: name, version: pkg.version, missing: other },
      });
    }
    if (shipped) {
      for (const name of SDK) {
        const h = held.get(name);
        if (!h || compareVersions(h.pkg.version, shipped[name]) >= 0) continue;
        findings.push({
          ruleId: ID,
          severity: 'warning',
          layer: h.layer,
          message: `Layer ${h.layer} holds ${name} ${h.pkg.version}, older than the ${name} `
            + `${shipped[name]}${shipped.unconfirmed ? ' (or newer; unconfirmed)' : ''} `
            + `the ${rt.id} runtime ships; ${precedence}, so every function using the layer gets the older SDK.`,
          fix: `Upgrade ${name} in the layer, or leave it out and use the runtime's copy.`,
          data: { runtime: rt.id, package: name, version: h.pkg.version, runtimeVersion: shipped[name], unconfirmed: shipped.unconfirmed },
        });
      }
    }
    return findings;
  },
};
