import type { ArchitectureId, LayerManifest, PlatformId } from '../core/model';

/**
 * The plain, JSON-serialisable description of a layer source, produced by `LayerSource.bind()`.
 * It is what the synchronous entry point hands to the child process, and what the cache key is
 * computed from (together with the files it names).
 */
export type SourceSpec =
  | DirectorySourceSpec
  | ZipSourceSpec
  | PythonSourceSpec
  | NodeSourceSpec
  | JavaSourceSpec
  | PhpSourceSpec
  | RubySourceSpec
  | CustomRuntimeSourceSpec
  | CommandSourceSpec;

/** Settings every source kind accepts. */
export interface CommonSourceSpec {
  /** Glob patterns (relative to the layer root) left out on top of the default excludes. */
  readonly excludes?: readonly string[];
}

export interface DirectorySourceSpec extends CommonSourceSpec {
  readonly kind: 'directory';
  /** Absolute path; the directory is the layer root as it appears in /opt. */
  readonly path: string;
}

export interface ZipSourceSpec extends CommonSourceSpec {
  readonly kind: 'zip';
  /** Absolute path of an existing layer ZIP (validated, then re-packed reproducibly). */
  readonly path: string;
}

export interface PythonSourceSpec extends CommonSourceSpec {
  readonly kind: 'python';
  /** Absolute path of a requirements file. */
  readonly requirements?: string;
  /** Requirement specifiers ('requests==2.32.3') or local paths. */
  readonly packages?: readonly string[];
  /** Target Python version 'X.Y' (wheel selection and the site-packages layout). */
  readonly pythonVersion?: string;
  /** 'python' puts packages in python/; 'site-packages' in python/lib/pythonX.Y/site-packages/. */
  readonly layout: 'python' | 'site-packages';
  /** Package index URL (pip --index-url). */
  readonly indexUrl?: string;
  /** Local wheel directories or URLs (pip --find-links), absolute. */
  readonly findLinks?: readonly string[];
  /** pip --no-index: use only findLinks. */
  readonly noIndex?: boolean;
  /** Python interpreter that runs pip. */
  readonly python?: string;
  /** Extra pip arguments appended as-is. */
  readonly pipArgs?: readonly string[];
}

export interface NodeSourceSpec extends CommonSourceSpec {
  readonly kind: 'node';
  /** Absolute path of a directory holding package.json and package-lock.json. */
  readonly packageDir: string;
  /** 'node_modules': nodejs/node_modules/; 'versioned': nodejs/nodeNN/node_modules/. */
  readonly layout: 'node_modules' | 'versioned';
  /** Node major version for the 'versioned' layout (18, 20, 22, 24). */
  readonly nodeMajor?: number;
  /** Extra npm arguments appended as-is. */
  readonly npmArgs?: readonly string[];
}

export interface JavaSourceSpec extends CommonSourceSpec {
  readonly kind: 'java';
  /** Absolute path of a directory of jars, copied to java/lib/. */
  readonly jarsDir?: string;
  /** Absolute path of a pom.xml whose runtime dependencies are copied to java/lib/. */
  readonly pom?: string;
  /** Extra Maven arguments for the pom case (e.g. ['-o', '-s', 'settings.xml']). */
  readonly mavenArgs?: readonly string[];
}

export interface PhpSourceSpec extends CommonSourceSpec {
  readonly kind: 'php';
  /** Absolute path of a directory holding composer.json (and composer.lock). */
  readonly composerDir: string;
}

export interface RubySourceSpec extends CommonSourceSpec {
  readonly kind: 'ruby';
  /** Absolute path of a directory holding Gemfile (and Gemfile.lock). */
  readonly gemfileDir: string;
  /** Ruby ABI version 'X.Y.0' used for ruby/gems/X.Y.0/ (default: from the runtime). */
  readonly rubyAbi?: string;
}

export interface CustomRuntimeSourceSpec extends CommonSourceSpec {
  readonly kind: 'customRuntime';
  /** Absolute path of the bootstrap executable (placed at the layer root, mode 0755). */
  readonly bootstrap: string;
  /** Absolute path of a directory whose contents are added at the layer root (bin/, lib/...). */
  readonly dir?: string;
}

export interface CommandSourceSpec extends CommonSourceSpec {
  readonly kind: 'command';
  /** argv; the placeholder `{output}` is replaced by the output directory. */
  readonly command: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  /** Absolute files/directories whose contents the cache key covers. */
  readonly inputs: readonly string[];
  /** Extra environment variables (LAYERSMITH_OUTPUT is always set). */
  readonly environment?: Readonly<Record<string, string>>;
}

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
