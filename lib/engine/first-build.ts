import * as path from 'path';
import type { SourceSpec } from './api';
import { defaultCacheDir } from './cache-dir';
import { DigestIndex, digestIndexDir } from './digest-index';

/**
 * Whether a build of `spec` computes its key after packing (engine.ts `buildKeyAfterPack`): the
 * first build of a directory layer, whose tree has no digest record yet, so computing the key
 * first would read every file once for the key and once more for the ZIP. Kept apart from the
 * engine so the synth process can ask without loading the builders, the writer and the inspector.
 * @internal
 */
export function keysAfterPack(spec: SourceSpec, cacheDir: string | undefined): boolean {
  // A slimmed layer packs a copy, not the files the key reads.
  if (spec.kind !== 'directory' || spec.slim) return false;
  return !DigestIndex.exists(digestIndexDir(path.resolve(cacheDir ?? defaultCacheDir())), path.resolve(spec.path));
}
