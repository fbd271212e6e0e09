import { indexManifest, type StackRule } from '../context';
import { sample } from '../findings';
import type { Finding, LayerManifest, NativeBinary, PlatformId } from '../model';
import { compareGlibc } from '../runtime-os';
import { AWS_RUNTIME_IDS, FC_RUNTIME_IDS, resolveRuntime, type RuntimeInfo } from '../runtimes';

const ID = 'LS-GLIBC';

/**
 * The newest-listed, still accepted runtime of the same family whose OS has at least `glibc`:
 * the runtime to suggest in the fix (undefined when none has it).
 */
export function runtimeWithGlibc(runtime: RuntimeInfo, glibc: string): RuntimeInfo | undefined {
  const ids = runtime.platform === 'aws' ? AWS_RUNTIME_IDS : FC_RUNTIME_IDS;
  return ids
    .map((id) => resolveRuntime(runtime.platform, id))
    .find((r) => r.family === runtime.family && !r.deprecated && r.supportsLayers && r.os && compareGlibc(r.os.glibc, glibc) >= 0);
}

const PLATFORM_NAMES: Readonly<Record<PlatformId, string>> = { aws: 'AWS Lambda', alicloud: 'Function Compute' };

/**
 * Native binaries of one layer that need a newer glibc (GLIBC_X.Y symbol versions, read from
 * `.gnu.version_r`) than the runtime's OS has: they fail at import time in the cloud. An OS
 * whose glibc is unconfirmed gives a warning instead of an error.
 */
export function glibcFindings(manifest: LayerManifest, layerName: string, runtime: RuntimeInfo): Finding[] {
  const os = runtime.os;
  if (!os || !manifest.glibc || compareGlibc(manifest.glibc, os.glibc) <= 0) return [];
  const index = indexManifest(manifest);
  const key = `glibc:${os.glibc}`;
  let bad = index.memo.get(key) as NativeBinary[] | undefined;
  if (!bad) {
    bad = manifest.natives
      .filter((n) => n.glibc && compareGlibc(n.glibc, os.glibc) > 0)
      .sort((a, b) => compareGlibc(b.glibc as string, a.glibc as string));
    index.memo.set(key, bad);
  }
  if (bad.length === 0) return [];
  const worst = bad[0].glibc as string;
  const where = `${runtime.id} on ${PLATFORM_NAMES[runtime.platform]} runs ${os.name} (glibc ${os.glibc}${os.confirmed ? '' : ', unconfirmed'})`;
  const other = runtimeWithGlibc(runtime, worst);
  const files = sample(bad.map((n) => `${n.path} needs GLIBC_${n.glibc}`));
  return [{
    ruleId: ID,
    severity: os.confirmed ? 'error' : 'warning',
    layer: layerName,
    message: `Layer ${layerName} holds ${bad.length} native binar${bad.length === 1 ? 'y' : 'ies'} needing a newer glibc than the function's OS: `
      + `${files}; ${where}, so loading fails at import time.`,
    fix: `Install a build made for glibc ${os.glibc} or older (a manylinux_2_${os.glibc.split('.')[1]} or manylinux2014 wheel, often an older `
      + 'release)'
      + `${other ? `, or run the function on ${other.id} (${other.os?.name}, glibc ${other.os?.glibc})` : ''}.`,
    data: { runtime: runtime.id, runtimeGlibc: os.glibc, neededGlibc: worst, paths: bad.slice(0, 20).map((n) => n.path) },
  }];
}

/** Native binaries that need a newer glibc than the function's runtime OS has. */
export const GLIBC: StackRule = {
  id: ID,
  description: 'No native binary in the stack needs a newer glibc (GLIBC_X.Y symbol versions) than the function\'s runtime OS has.',
  check(ctx) {
    const rt = ctx.runtime;
    if (!rt) return [];
    return ctx.layers.flatMap((l) => (l.manifest ? glibcFindings(l.manifest, l.displayName, rt) : []));
  },
};
