import type { SourceSpec } from './api';
import type { CommandSourceOptions } from './sources/command';
import type { CustomRuntimeSourceOptions } from './sources/custom-runtime';
import { type DirectorySourceOptions, directorySpec } from './sources/directory';
import type { JavaJarsSourceOptions, JavaPomSourceOptions } from './sources/java';
import type { LayerSourceOptions } from './sources/kind';
import type { NodeSourceOptions } from './sources/node';
import type { PhpSourceOptions } from './sources/php';
import type { PythonSourceOptions } from './sources/python';
import type { RubySourceOptions } from './sources/ruby';

/*
 * Each kind's module loads when its factory is first called (sources/index.ts says why); the
 * directory kind, the one a warm synth of a directory layer needs, loads with this module.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const kinds = {
  zip: () => require('./sources/zip') as typeof import('./sources/zip'),
  python: () => require('./sources/python') as typeof import('./sources/python'),
  node: () => require('./sources/node') as typeof import('./sources/node'),
  java: () => require('./sources/java') as typeof import('./sources/java'),
  php: () => require('./sources/php') as typeof import('./sources/php'),
  ruby: () => require('./sources/ruby') as typeof import('./sources/ruby'),
  customRuntime: () => require('./sources/custom-runtime') as typeof import('./sources/custom-runtime'),
  command: () => require('./sources/command') as typeof import('./sources/command'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

// Options of each kind live with everything else about that kind in ./sources/<kind>.ts.
export type {
  CommandSourceOptions, CustomRuntimeSourceOptions, DirectorySourceOptions, JavaJarsSourceOptions, JavaPomSourceOptions,
  LayerSourceOptions, NodeSourceOptions, PhpSourceOptions, PythonSourceOptions, RubySourceOptions,
};

/**
 * What goes into a layer. Create one with a static factory; `bind()` turns it into the plain
 * `SourceSpec` data the build engine, the cache key and the child build process use.
 */
export abstract class LayerSource {
  /** The layer root is this directory, as it will appear under /opt. */
  public static fromDirectory(dir: string, options: DirectorySourceOptions = {}): LayerSource {
    return new BoundSource(directorySpec(dir, options));
  }

  /** An existing layer ZIP, validated and re-packed reproducibly. */
  public static fromZip(file: string, options: LayerSourceOptions = {}): LayerSource {
    return new BoundSource(kinds.zip().zipSpec(file, options));
  }

  /**
   * Python packages installed by the real `pip install --target` into python/.
   *
   * pip always selects wheels for the function (manylinux for the target architecture, the
   * target Python version, CPython) with `--only-binary=:all:`, whatever the build host is, so a
   * macOS arm64 laptop and a Linux CI runner produce the same layer. Packages published only as
   * source distributions cannot be installed this way: build their wheels first and give them
   * through `findLinks`.
   */
  public static python(options: PythonSourceOptions): LayerSource {
    return new BoundSource(kinds.python().pythonSpec(options));
  }

  /** Node.js packages installed by the real `npm ci --omit=dev` into nodejs/node_modules/. */
  public static node(options: NodeSourceOptions): LayerSource {
    return new BoundSource(kinds.node().nodeSpec(options));
  }

  /** Jars in java/lib/: copied from a directory, or a pom's runtime dependencies via Maven. */
  public static java(options: JavaJarsSourceOptions | JavaPomSourceOptions): LayerSource {
    return new BoundSource(kinds.java().javaSpec(options));
  }

  /** PHP packages installed by the real `composer install --no-dev` into php/vendor/. */
  public static php(options: PhpSourceOptions): LayerSource {
    return new BoundSource(kinds.php().phpSpec(options));
  }

  /** Ruby gems installed by the real Bundler into ruby/gems/X.Y.0/. */
  public static ruby(options: RubySourceOptions): LayerSource {
    return new BoundSource(kinds.ruby().rubySpec(options));
  }

  /** A custom runtime: `bootstrap` at the layer root (0755) plus an optional directory. */
  public static customRuntime(options: CustomRuntimeSourceOptions): LayerSource {
    return new BoundSource(kinds.customRuntime().customRuntimeSpec(options));
  }

  /** Your own command fills an output directory with the layer root. */
  public static command(options: CommandSourceOptions): LayerSource {
    return new BoundSource(kinds.command().commandSpec(options));
  }

  /** Wraps plain spec data (e.g. read back from JSON) as a LayerSource, as-is. */
  public static fromSpec(spec: SourceSpec): LayerSource {
    return new BoundSource(spec);
  }

  /** The source kind, e.g. 'directory', 'python', 'node'. */
  public abstract readonly kind: SourceSpec['kind'];

  /** The plain, JSON-serialisable description of this source. */
  public abstract bind(): SourceSpec;
}

class BoundSource extends LayerSource {
  public readonly kind: SourceSpec['kind'];
  constructor(private readonly spec: SourceSpec) {
    super();
    this.kind = spec.kind;
  }

  public bind(): SourceSpec {
    return this.spec;
  }
}
