import type { ArchitectureId, LayerManifest, PlatformId } from '../core/model';
import type { SlimSpec } from './slim/options';

/** Settings every source kind accepts. */
export interface CommonSourceSpec {
  /** Glob patterns (relative to the layer root) left out on top of the default excludes. */
  readonly excludes?: readonly string[];
  /** Slim settings (absent: the layer is packed as built). */
  readonly slim?: SlimSpec;
}

// Each kind's spec lives with everything else about that kind in ./sources/<kind>.ts.
export type { SourceSpec } from './sources';
export type { DirectorySourceSpec } from './sources/directory';
export type { ZipSourceSpec } from './sources/zip';
export type { PythonSourceSpec } from './sources/python';
export type { NodeSourceSpec } from './sources/node';
export type { JavaSourceSpec } from './sources/java';
export type { PhpSourceSpec } from './sources/php';
export type { RubySourceSpec } from './sources/ruby';
export type { CustomRuntimeSourceSpec } from './sources/custom-runtime';
export type { CommandSourceSpec } from './sources/command';

/** What a layer is built for. */
export interface BuildTarget {
  readonly platform: PlatformId;
  readonly architecture: ArchitectureId;
  /** Runtime identifiers the layer declares (drive version paths and wheel selection). */
  readonly runtimes: readonly string[];
}

/** Options of one build. */
export interface BuildOptions {
  /** Cache directory. @default $LAYERSMITH_CACHE_DIR or ~/.cache/layersmith */
  readonly cacheDir?: string;
  /** Progress lines to stderr. @default true unless LAYERSMITH_QUIET=1 */
  readonly progress?: boolean;
}

/** A built (or cache-hit) layer. */
export interface LayerArtifact {
  /** Absolute path of the reproducible ZIP (inside the cache). */
  readonly zipPath: string;
  /** Absolute path of `<zip>.manifest.json`. */
  readonly manifestPath: string;
  readonly manifest: LayerManifest;
  /** Hex input key; same inputs give the same key on any machine. */
  readonly inputKey: string;
  /** True when the artifact came from the cache without running a build. */
  readonly cacheHit: boolean;
}
