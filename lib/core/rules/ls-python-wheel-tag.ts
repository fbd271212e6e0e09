import { indexManifest, type StackRule } from '../context';
import type { ArchitectureId, Finding, LayerManifest } from '../model';

const ID = 'LS-PYTHON-WHEEL-TAG';

const WHEEL_ARCH: Readonly<Record<ArchitectureId, string>> = { x86_64: 'x86_64', arm64: 'aarch64' };

/**
 * Why a wheel tag set cannot be installed for CPython `version` on Linux (glibc) `arch`, or null
 * when one of its tags fits. Tags follow PEP 425: python-abi-platform, each part possibly a
 * '.'-separated set.
 */
export function wheelIncompatibility(tags: readonly string[], version: string, arch: ArchitectureId): string | null {
  const [major, minor] = version.split('.').map(Number);
  const reasons: string[] = [];
  for (const tag of tags) {
    const parts = tag.split('-');
    if (parts.length !== 3) continue;
    const [pys, abis, plats] = parts.map((p) => p.split('.'));
    const reason = combos(pys, abis, plats, major, minor, arch);
    if (reason === null) return null;
    reasons.push(`${tag}: ${reason}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : null;
}

function combos(pys: string[], abis: string[], plats: string[], major: number, minor: number, arch: ArchitectureId): string | null {
  const platReason = platformReason(plats, arch);
  if (platReason) return platReason;
  for (const py of pys) {
    for (const abi of abis) {
      if (pythonFits(py, abi, major, minor)) return null;
    }
  }
  return `built for ${pys.join('/')} (ABI ${abis.join('/')}), not CPython ${major}.${minor}`;
}

function platformReason(plats: string[], arch: ArchitectureId): string | null {
  const want = WHEEL_ARCH[arch];
  if (plats.includes('any')) return null;
  if (plats.some((p) => (p.startsWith('manylinux') || p.startsWith('linux_')) && p.endsWith(`_${want}`))) return null;
  if (plats.some((p) => p.startsWith('musllinux'))) return `built for musl libc (${plats.join('/')}); the function runs glibc Linux`;
  return `built for ${plats.join('/')}, not Linux ${want}`;
}

function pythonFits(py: string, abi: string, major: number, minor: number): boolean {
  const m = /^(py|cp)(\d)(\d*)$/.exec(py);
  if (!m) return false;
  const [, impl, pmaj, pmin] = m;
  if (Number(pmaj) !== major) return false;
  if (impl === 'py') return pmin === '' || Number(pmin) <= minor;
  // cpXY: exact unless the stable ABI (abi3) or no ABI is used, which any later minor can load.
  if (abi === 'abi3' || abi === 'none') return pmin === '' || Number(pmin) <= minor;
  return Number(pmin) === minor && abi.startsWith(`cp${major}${minor}`);
}

/** Wheel-tag findings for one layer and one Python runtime version and architecture. */
export function wheelTagFindings(manifest: LayerManifest, layerName: string, version: string, arch: ArchitectureId): Finding[] {
  const index = indexManifest(manifest);
  const key = `wheels:${version}:${arch}`;
  let bad = index.memo.get(key) as { path: string; reason: string }[] | undefined;
  if (!bad) {
    bad = [];
    for (const w of manifest.wheelTags) {
      const reason = wheelIncompatibility(w.tags, version, arch);
      if (reason) bad.push({ path: w.path, reason });
    }
    index.memo.set(key, bad);
  }
  return bad.map((b) => ({
    ruleId: ID,
    severity: 'error' as const,
    layer: layerName,
    message: `Layer ${layerName} holds a wheel that CPython ${version} on Linux ${arch} cannot load: ${b.path} (${b.reason}).`,
    fix: `Rebuild the layer for Python ${version} on ${arch} (pip --python-version ${version} --platform manylinux2014_${WHEEL_ARCH[arch]} `
      + '--only-binary=:all:).',
    data: { path: b.path, python: version, architecture: arch },
  }));
}

/** Python wheels built for another Python version, libc, OS or CPU than the function's. */
export const PYTHON_WHEEL_TAG: StackRule = {
  id: ID,
  description: 'Every installed Python wheel matches the function\'s Python version, glibc Linux and architecture.',
  check(ctx) {
    const rt = ctx.runtime;
    if (!rt || rt.family !== 'python' || !rt.version || !/^\d+\.\d+$/.test(rt.version)) return [];
    const version = rt.version;
    return ctx.layers.flatMap((l) => (l.manifest
      ? wheelTagFindings(l.manifest, l.displayName, version, ctx.input.function.architecture)
      : []));
  },
};
