import * as fs from 'fs';
import * as path from 'path';
import type {
  CommandSourceSpec,
  CustomRuntimeSourceSpec,
  DirectorySourceSpec,
  JavaSourceSpec,
  NodeSourceSpec,
  PhpSourceSpec,
  PythonSourceSpec,
  RubySourceSpec,
  SourceSpec,
  ZipSourceSpec,
} from './api';

/** Settings every source accepts. */
export interface LayerSourceOptions {
  /**
   * Glob patterns, relative to the layer root, left out of the ZIP on top of the default
   * excludes (.git, .env*, credentials, __pycache__, ...).
   * @default - only the default excludes
   */
  readonly excludes?: string[];
}

/** Options of `LayerSource.fromDirectory`. */
export interface DirectorySourceOptions extends LayerSourceOptions {}

/** Options of `LayerSource.python`. */
export interface PythonSourceOptions extends LayerSourceOptions {
  /**
   * A requirements file (pip -r). Relative paths resolve against the current directory.
   * @default - none; give `requirements`, `packages` or both
   */
  readonly requirements?: string;
  /**
   * Requirement specifiers ('requests==2.32.3') or paths of local wheels.
   * @default - none
   */
  readonly packages?: string[];
  /**
   * Python version 'X.Y' the wheels are selected for and the site-packages path uses.
   * @default - from the first pythonX.Y runtime of the build target
   */
  readonly pythonVersion?: string;
  /**
   * 'python' installs into python/; 'site-packages' into python/lib/pythonX.Y/site-packages/
   * (AWS only; both are on the Lambda Python path).
   * @default 'python'
   */
  readonly layout?: 'python' | 'site-packages';
  /**
   * Package index URL (pip --index-url).
   * @default - pip's own default (PyPI, or what pip.conf says)
   */
  readonly indexUrl?: string;
  /**
   * Directories of local wheels, or URLs of find-links pages (pip --find-links).
   * @default - none
   */
  readonly findLinks?: string[];
  /**
   * Use only `findLinks`, never an index (pip --no-index), for air-gapped builds.
   * @default false
   */
  readonly noIndex?: boolean;
  /**
   * Python interpreter that runs pip (any Python 3 with pip; the target version is a flag).
   * @default 'python3'
   */
  readonly python?: string;
  /**
   * Extra pip arguments appended as-is.
   * @default - none
   */
  readonly pipArgs?: string[];
}

/** Options of `LayerSource.node`. */
export interface NodeSourceOptions extends LayerSourceOptions {
  /** Directory holding package.json and package-lock.json (relative: against the current directory). */
  readonly packageDir: string;
  /**
   * 'node_modules' installs into nodejs/node_modules/; 'versioned' into
   * nodejs/nodeNN/node_modules/ (AWS only).
   * @default 'node_modules'
   */
  readonly layout?: 'node_modules' | 'versioned';
  /**
   * Node major version of the 'versioned' layout.
   * @default - from the first nodejsNN runtime of the build target
   */
  readonly nodeMajor?: number;
  /**
   * Extra npm arguments appended as-is (e.g. '--ignore-scripts=false' to run install scripts).
   * @default - none
   */
  readonly npmArgs?: string[];
}

/** Options of `LayerSource.java` with a directory of jars. */
export interface JavaJarsSourceOptions extends LayerSourceOptions {
  /** Directory whose *.jar files are copied to java/lib/. */
  readonly jarsDir: string;
}

/** Options of `LayerSource.java` with a Maven project. */
export interface JavaPomSourceOptions extends LayerSourceOptions {
  /** pom.xml whose runtime-scope dependencies Maven copies to java/lib/. */
  readonly pom: string;
  /**
   * Extra Maven arguments, e.g. ['-o', '-s', '/path/settings.xml'] for an offline mirror.
   * @default - none
   */
  readonly mavenArgs?: string[];
}

/** Options of `LayerSource.php`. */
export interface PhpSourceOptions extends LayerSourceOptions {
  /** Directory holding composer.json (and composer.lock). */
  readonly composerDir: string;
}

/** Options of `LayerSource.ruby`. */
export interface RubySourceOptions extends LayerSourceOptions {
  /** Directory holding Gemfile and Gemfile.lock. */
  readonly gemfileDir: string;
  /**
   * Ruby ABI version 'X.Y.0' of the ruby/gems/X.Y.0/ directory.
   * @default - from the first rubyX.Y runtime of the build target
   */
  readonly rubyAbi?: string;
}

/** Options of `LayerSource.customRuntime`. */
export interface CustomRuntimeSourceOptions extends LayerSourceOptions {
  /** The bootstrap executable, placed at the layer root with mode 0755. */
  readonly bootstrap: string;
  /**
   * A directory whose contents are added at the layer root (bin/, lib/, ...).
   * @default - only the bootstrap
   */
  readonly dir?: string;
}

/** Options of `LayerSource.command`. */
export interface CommandSourceOptions extends LayerSourceOptions {
  /**
   * argv of the command (no shell). `{output}` in any argument is replaced by the directory the
   * command must fill with the layer root; LAYERSMITH_OUTPUT holds the same path.
   */
  readonly command: string[];
  /**
   * Working directory of the command.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Files and directories (relative: against `cwd`) whose contents decide whether the layer is
   * rebuilt: the cache key covers them and nothing else the command reads.
   */
  readonly inputs: string[];
  /**
   * Extra environment variables for the command.
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/**
 * What goes into a layer. Create one with a static factory; `bind()` turns it into the plain
 * `SourceSpec` data the build engine, the cache key and the child build process use.
 */
export abstract class LayerSource {
  /** The layer root is this directory, as it will appear under /opt. */
  public static fromDirectory(dir: string, options: DirectorySourceOptions = {}): LayerSource {
    const spec: DirectorySourceSpec = { kind: 'directory', path: existingDir(dir, 'LayerSource.fromDirectory', 'dir'), ...common(options) };
    return new BoundSource(spec);
  }

  /** An existing layer ZIP, validated and re-packed reproducibly. */
  public static fromZip(file: string, options: LayerSourceOptions = {}): LayerSource {
    const spec: ZipSourceSpec = { kind: 'zip', path: existingFile(file, 'LayerSource.fromZip', 'file'), ...common(options) };
    return new BoundSource(spec);
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
    const where = 'LayerSource.python';
    if (!options.requirements && (!options.packages || options.packages.length === 0)) {
      throw new Error(`${where}: nothing to install. Fix: give 'requirements' (a requirements.txt path) or 'packages' (e.g. ['requests==2.32.3']).`);
    }
    if (options.pythonVersion !== undefined && !/^3\.\d+$/.test(options.pythonVersion)) {
      throw new Error(`${where}: pythonVersion '${options.pythonVersion}' is not of the form '3.Y'. Fix: e.g. pythonVersion: '3.12'.`);
    }
    if (options.noIndex && (!options.findLinks || options.findLinks.length === 0)) {
      throw new Error(`${where}: noIndex is set but findLinks is empty, so pip could find no package. Fix: add findLinks (a directory of wheels) or drop noIndex.`);
    }
    const spec: PythonSourceSpec = {
      kind: 'python',
      layout: options.layout ?? 'python',
      ...(options.requirements !== undefined ? { requirements: existingFile(options.requirements, where, 'requirements') } : {}),
      ...(options.packages ? { packages: options.packages.map(resolveLocalPackage) } : {}),
      ...(options.pythonVersion !== undefined ? { pythonVersion: options.pythonVersion } : {}),
      ...(options.indexUrl !== undefined ? { indexUrl: options.indexUrl } : {}),
      ...(options.findLinks ? { findLinks: options.findLinks.map((l) => isUrl(l) ? l : existingDir(l, where, 'findLinks')) } : {}),
      ...(options.noIndex ? { noIndex: true } : {}),
      ...(options.python !== undefined ? { python: options.python } : {}),
      ...(options.pipArgs ? { pipArgs: [...options.pipArgs] } : {}),
      ...common(options),
    };
    return new BoundSource(spec);
  }

  /** Node.js packages installed by the real `npm ci --omit=dev` into nodejs/node_modules/. */
  public static node(options: NodeSourceOptions): LayerSource {
    const where = 'LayerSource.node';
    const packageDir = existingDir(options.packageDir, where, 'packageDir');
    existingFile(path.join(packageDir, 'package.json'), where, 'packageDir/package.json');
    if (options.nodeMajor !== undefined && !(Number.isInteger(options.nodeMajor) && options.nodeMajor > 0)) {
      throw new Error(`${where}: nodeMajor ${options.nodeMajor} is not a major version number. Fix: e.g. nodeMajor: 20.`);
    }
    const spec: NodeSourceSpec = {
      kind: 'node',
      packageDir,
      layout: options.layout ?? 'node_modules',
      ...(options.nodeMajor !== undefined ? { nodeMajor: options.nodeMajor } : {}),
      ...(options.npmArgs ? { npmArgs: [...options.npmArgs] } : {}),
      ...common(options),
    };
    return new BoundSource(spec);
  }

  /** Jars in java/lib/: copied from a directory, or a pom's runtime dependencies via Maven. */
  public static java(options: JavaJarsSourceOptions | JavaPomSourceOptions): LayerSource {
    const where = 'LayerSource.java';
    const o = options as Partial<JavaJarsSourceOptions & JavaPomSourceOptions>;
    if ((o.jarsDir === undefined) === (o.pom === undefined)) {
      throw new Error(`${where}: give exactly one of 'jarsDir' (a directory of jars) or 'pom' (a pom.xml).`);
    }
    const spec: JavaSourceSpec = {
      kind: 'java',
      ...(o.jarsDir !== undefined ? { jarsDir: existingDir(o.jarsDir, where, 'jarsDir') } : {}),
      ...(o.pom !== undefined ? { pom: existingFile(o.pom, where, 'pom') } : {}),
      ...(o.mavenArgs ? { mavenArgs: [...o.mavenArgs] } : {}),
      ...common(options),
    };
    return new BoundSource(spec);
  }

  /** PHP packages installed by the real `composer install --no-dev` into php/vendor/. */
  public static php(options: PhpSourceOptions): LayerSource {
    const where = 'LayerSource.php';
    const composerDir = existingDir(options.composerDir, where, 'composerDir');
    existingFile(path.join(composerDir, 'composer.json'), where, 'composerDir/composer.json');
    return new BoundSource({ kind: 'php', composerDir, ...common(options) } satisfies PhpSourceSpec);
  }

  /** Ruby gems installed by the real Bundler into ruby/gems/X.Y.0/. */
  public static ruby(options: RubySourceOptions): LayerSource {
    const where = 'LayerSource.ruby';
    const gemfileDir = existingDir(options.gemfileDir, where, 'gemfileDir');
    existingFile(path.join(gemfileDir, 'Gemfile'), where, 'gemfileDir/Gemfile');
    if (options.rubyAbi !== undefined && !/^\d+\.\d+\.0$/.test(options.rubyAbi)) {
      throw new Error(`${where}: rubyAbi '${options.rubyAbi}' is not of the form 'X.Y.0'. Fix: e.g. rubyAbi: '3.3.0'.`);
    }
    const spec: RubySourceSpec = {
      kind: 'ruby',
      gemfileDir,
      ...(options.rubyAbi !== undefined ? { rubyAbi: options.rubyAbi } : {}),
      ...common(options),
    };
    return new BoundSource(spec);
  }

  /** A custom runtime: `bootstrap` at the layer root (0755) plus an optional directory. */
  public static customRuntime(options: CustomRuntimeSourceOptions): LayerSource {
    const where = 'LayerSource.customRuntime';
    const spec: CustomRuntimeSourceSpec = {
      kind: 'customRuntime',
      bootstrap: existingFile(options.bootstrap, where, 'bootstrap'),
      ...(options.dir !== undefined ? { dir: existingDir(options.dir, where, 'dir') } : {}),
      ...common(options),
    };
    return new BoundSource(spec);
  }

  /** Your own command fills an output directory with the layer root. */
  public static command(options: CommandSourceOptions): LayerSource {
    const where = 'LayerSource.command';
    if (!options.command || options.command.length === 0 || !options.command[0]) {
      throw new Error(`${where}: 'command' is empty. Fix: give an argv such as ['make', 'layer', 'OUT={output}'].`);
    }
    if (!options.inputs || options.inputs.length === 0) {
      throw new Error(`${where}: 'inputs' is empty, so the cache could never see a change. Fix: list the files or directories the command reads.`);
    }
    const cwd = existingDir(options.cwd ?? process.cwd(), where, 'cwd');
    const spec: CommandSourceSpec = {
      kind: 'command',
      command: [...options.command],
      cwd,
      inputs: options.inputs.map((i) => existingPath(path.resolve(cwd, i), where, 'inputs')),
      ...(options.environment ? { environment: { ...options.environment } } : {}),
      ...common(options),
    };
    return new BoundSource(spec);
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

function common(options: LayerSourceOptions): { excludes?: string[] } {
  return options.excludes && options.excludes.length > 0 ? { excludes: [...options.excludes] } : {};
}

function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}

/** A package that names an existing file or directory is made absolute; a specifier stays as-is. */
function resolveLocalPackage(p: string): string {
  if (isUrl(p)) return p;
  const looksLikePath = p.startsWith('.') || p.startsWith('/') || p.endsWith('.whl') || p.includes(path.sep);
  if (!looksLikePath) return p;
  return existingPath(path.resolve(p), 'LayerSource.python', 'packages');
}

function existingPath(p: string, where: string, what: string): string {
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) {
    throw new Error(`${where}: ${what} '${abs}' does not exist (relative paths resolve against ${process.cwd()}). Fix: point ${what} at an existing path.`);
  }
  return abs;
}

function existingDir(p: string, where: string, what: string): string {
  const abs = existingPath(p, where, what);
  if (!fs.statSync(abs).isDirectory()) {
    throw new Error(`${where}: ${what} '${abs}' is not a directory. Fix: point ${what} at a directory.`);
  }
  return abs;
}

function existingFile(p: string, where: string, what: string): string {
  const abs = existingPath(p, where, what);
  if (!fs.statSync(abs).isFile()) {
    throw new Error(`${where}: ${what} '${abs}' is not a file. Fix: point ${what} at a file.`);
  }
  return abs;
}
