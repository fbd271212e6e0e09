import { indexManifest, type StackRule } from '../context';
import { sample } from '../findings';
import type { ArchitectureId, Finding, LayerManifest, NativeBinary } from '../model';

const ID = 'LS-NATIVE-BINARY';

/** CPU names as native binaries report them, per function architecture. */
const CPU_FOR_ARCH: Readonly<Record<ArchitectureId, NativeBinary['cpu']>> = { x86_64: 'x86_64', arm64: 'arm64' };

/**
 * Native binaries of one layer that cannot run on any of `architectures` (Linux only; an ELF with
 * an unknown OS ABI is taken as Linux, since Linux toolchains leave it at 0 = System V).
 */
export function nativeFindings(
  manifest: LayerManifest, layerName: string, architectures: readonly ArchitectureId[], platformName: string,
): Finding[] {
  const index = indexManifest(manifest);
  const key = `natives:${architectures.join(',')}`;
  const memo = index.memo.get(key) as Map<string, NativeBinary[]> | undefined;
  const bad = memo ?? new Map<string, NativeBinary[]>();
  if (!memo) {
    const cpus = new Set(architectures.map((a) => CPU_FOR_ARCH[a]));
    for (const n of manifest.natives) {
      const osOk = n.os === 'linux' || (n.os === 'unknown' && n.format === 'elf');
      if (osOk && cpus.has(n.cpu)) continue;
      const k = `${n.os}/${n.cpu}`;
      const list = bad.get(k);
      if (list) list.push(n);
      else bad.set(k, [n]);
    }
    index.memo.set(key, bad);
  }
  const findings: Finding[] = [];
  const target = architectures.map((a) => `linux/${a}`).join(' or ');
  for (const [k, list] of bad) {
    findings.push({
      ruleId: ID,
      severity: 'error',
      layer: layerName,
      message: `Layer ${layerName} holds ${list.length} native binar${list.length === 1 ? 'y' : 'ies'} built for ${k} `
        + `(${sample(list.map((n) => n.path))}); ${platformName} runs ${target}.`,
      fix: `Rebuild the layer for ${target} (pip --platform manylinux2014_${architectures[0] === 'arm64' ? 'aarch64' : 'x86_64'} `
        + `--only-binary=:all:, npm --os=linux --cpu=${architectures[0] === 'arm64' ? 'arm64' : 'x64'}), or remove the binaries.`,
      data: { target: k, count: list.length, paths: list.slice(0, 20).map((n) => n.path), runsOn: [...architectures] },
    });
  }
  return findings;
}

/** Native binaries whose OS or CPU cannot run on the function. */
export const NATIVE_BINARY: StackRule = {
  id: ID,
  description: 'Every native binary in the stack is built for Linux on the function\'s architecture.',
  check(ctx) {
    const arch = ctx.input.function.architecture;
    return ctx.layers.flatMap((l) => (l.manifest
      ? nativeFindings(l.manifest, l.displayName, [arch], ctx.platform.displayName)
      : []));
  },
};
