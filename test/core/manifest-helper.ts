import type { LayerManifest, ManifestEntry, NativeBinary, PackageRecord, StackLayer, WheelTagRecord } from '../../lib/core';

/** What a test says about a layer; everything else gets neutral defaults. */
export interface TestLayer {
  files?: readonly string[];
  /** Size of each file in bytes. */
  fileSize?: number;
  /** Override the manifest's unzipped size (budget boundaries). */
  unzippedSize?: number;
  zippedSize?: number;
  natives?: readonly Partial<NativeBinary>[];
  packages?: readonly PackageRecord[];
  wheelTags?: readonly WheelTagRecord[];
}

/** A layer manifest for tests: entries sorted, directories derived from the files. */
export function manifest(spec: TestLayer = {}): LayerManifest {
  const files = [...(spec.files ?? [])].sort();
  const size = spec.fileSize ?? 10;
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/') + '/');
  }
  const entries: ManifestEntry[] = [
    ...[...dirs].map((d) => ({ path: d, size: 0, compressedSize: 0, mode: 0o755, type: 'directory' as const })),
    ...files.map((f) => ({ path: f, size, compressedSize: Math.ceil(size / 2), mode: 0o644, type: 'file' as const })),
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
  const natives: NativeBinary[] = (spec.natives ?? []).map((n, i) => ({
    path: n.path ?? `lib/native${i}.so`, format: n.format ?? 'elf', os: n.os ?? 'linux', cpu: n.cpu ?? 'x86_64', detail: n.detail,
  }));
  return {
    schemaVersion: 1,
    zip: {
      sha256: 'AAAA',
      crc64: '0',
      zippedSize: spec.zippedSize ?? files.length * Math.ceil(size / 2),
      unzippedSize: spec.unzippedSize ?? files.length * size,
      entryCount: entries.length,
    },
    entries,
    natives,
    wheelTags: spec.wheelTags ?? [],
    packages: spec.packages ?? [],
    excluded: [],
  };
}

/** A stack layer named `name` (layerId and displayName) with a manifest from `layer`. */
export function layer(name: string, spec: TestLayer & Partial<StackLayer> = {}): StackLayer {
  const { files, fileSize, unzippedSize, zippedSize, natives, packages, wheelTags, ...rest } = spec;
  return {
    layerId: name,
    displayName: name,
    manifest: manifest({ files, fileSize, unzippedSize, zippedSize, natives, packages, wheelTags }),
    ...rest,
  };
}

/** A layer known only by ARN. */
export function arnLayer(arn: string, extra: Partial<StackLayer> = {}): StackLayer {
  const unversioned = arn.replace(/:\d+$/, '').replace(/\/versions\/\d+$/, '');
  return { layerId: unversioned, displayName: arn, arn, ...extra };
}
