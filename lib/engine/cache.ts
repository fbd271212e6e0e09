import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget, LayerArtifact, SourceSpec } from './api';
import { verifyCachedArtifact } from './cache-verify';
import { canonicalJson, withDigestRecords } from './digest';
import { sweepLeftoversOnce } from './leftovers';
import { describeSource } from './sources';
import { pausePoint } from './test-pause';
import type { LayerManifest } from '../core/model';

export { canonicalJson, treeDigest } from './digest';
export { defaultCacheDir } from './cache-dir';
export { STALE_TEMP_MS, sweepStaleTemps, writeFileAtomic } from './atomic';

/** The path repositories a composer.json names (loaded with the PHP kind, when first asked). */
export function composerPathRepositories(composerDir: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./sources/php') as typeof import('./sources/php')).composerPathRepositories(composerDir);
}

/**
 * Bumped whenever a builder changes what it puts in a layer for the same inputs, so artifacts
 * built by an older layout are never reused.
 */
export const BUILDER_FORMAT = 1;

/** The layersmith version that goes into every key and manifest. */
export const LAYERSMITH_VERSION: string = readOwnVersion();

/** `builder` field of manifests: version plus format. */
export const BUILDER_ID = `layersmith@${LAYERSMITH_VERSION}/format-${BUILDER_FORMAT}`;


/** Where the artifact of a key lives in a cache directory. */
export function artifactPaths(cacheDir: string, key: string): { zipPath: string; manifestPath: string } {
  return {
    zipPath: path.join(cacheDir, `${key}.zip`),
    manifestPath: path.join(cacheDir, `${key}.manifest.json`),
  };
}

/**
 * The cached artifact of a key, or undefined. The manifest is renamed into place after the ZIP,
 * so its presence means the entry is complete; the ZIP is checked against the size and SHA-256
 * the manifest records (cache-verify.ts), and a damaged entry is removed and rebuilt.
 */
export function readArtifact(cacheDir: string, key: string): LayerArtifact | undefined {
  const { zipPath, manifestPath } = artifactPaths(path.resolve(cacheDir), key);
  sweepLeftoversOnce(path.resolve(cacheDir));
  let manifest: LayerManifest;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(manifestPath);
    manifest = JSON.parse(bytes.toString('utf8')) as LayerManifest;
  } catch {
    return undefined;
  }
  if (manifest.build?.inputKey !== key) return undefined;
  if (!verifyCachedArtifact(zipPath, manifestPath, manifest, bytes)) return undefined;
  manifestBytes.set(manifest, bytes);
  return { zipPath, manifestPath, manifest, inputKey: key, cacheHit: true };
}

/** The file bytes each manifest read from the cache was parsed from (for copies that need no re-serializing). */
const manifestBytes = new WeakMap<LayerManifest, Buffer>();

/**
 * The exact bytes `manifest` was parsed from when it was read from the cache in this process
 * (the build writes `JSON.stringify(manifest, null, 2)` and a newline); undefined otherwise.
 */
export function manifestFileBytes(manifest: LayerManifest): Buffer | undefined {
  return manifestBytes.get(manifest);
}

/**
 * The content-addressed key of a build: SHA-256 hex over a canonical JSON of the source settings,
 * the contents of every file its kind's builder reads (`keyInputs` in ./sources/<kind>.ts; never
 * their absolute paths, mtimes or modes other than the executable bit), the target and the
 * layersmith version. Synchronous and cheap: no build runs. `cacheDir` (default: the default cache)
 * holds the digest records that spare re-reading unchanged files.
 */
export function computeInputKey(spec: SourceSpec, target: BuildTarget, cacheDir?: string): string {
  const doc = {
    layersmith: LAYERSMITH_VERSION,
    format: BUILDER_FORMAT,
    target: { platform: target.platform, architecture: target.architecture, runtimes: [...target.runtimes] },
    source: withDigestRecords(cacheDir, () => describeSource(spec)),
  };
  const key = createHash('sha256').update(canonicalJson(doc)).digest('hex');
  pausePoint('key:computed');
  return key;
}

function readOwnVersion(): string {
  // lib/engine/cache.(ts|js) -> package.json two levels up, both from sources and compiled.
  for (const candidate of [path.join(__dirname, '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'layersmith' && pkg.version) return pkg.version;
    } catch {
      // fall through to the placeholder below
    }
  }
  return '0.0.0-unknown';
}
