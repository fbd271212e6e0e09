import * as fs from 'fs';
import * as path from 'path';
import { LayersmithValidationError } from '../../core/errors';
import type { CommonSourceSpec } from '../api';
import type { BuildContext, BuildOutput } from '../builders/context';
import type { Json } from '../digest';
import { slimSpec, type SlimOptions, type SlimSpec } from '../slim/options';

/**
 * Everything the engine knows about one source kind. Each kind is one module in this folder
 * exporting one of these; the registry in ./index.ts maps kind -> module.
 */
export interface SourceKind<S extends CommonSourceSpec & { readonly kind: string }> {
  readonly kind: S['kind'];
  /**
   * The kind's part of the cache-key document: its settings and a digest of every file `build`
   * reads (`kind` and `excludes` are added by the registry). Never absolute paths or mtimes.
   */
  keyInputs(spec: S): { [field: string]: Json | undefined };
  /**
   * Directories a CDK asset may be anchored on, best first; the first that exists wins (see
   * `anchorDirectory`). The asset is neither fingerprinted nor copied from there.
   */
  anchorCandidates(spec: S): ReadonlyArray<string | undefined>;
  /** Fills ctx.staging (or names another directory) with the layer root. */
  build(spec: S, ctx: BuildContext): Promise<BuildOutput>;
}

/** Settings every source accepts. */
export interface LayerSourceOptions {
  /**
   * Glob patterns, relative to the layer root, left out of the ZIP on top of the default
   * excludes (.git, .env*, credentials, __pycache__, ...).
   * @default - only the default excludes
   */
  readonly excludes?: string[];
  /**
   * Slim the layer before it is packed: `true` removes what the runtime never loads (bytecode,
   * test suites, docs, examples, type stubs, extension sources and headers, Node Markdown and
   * source maps, CI metadata) and strips ELF debug information where that is safe; an object
   * adjusts it (`keep`, `remove`, `strip`). Every top-level module of a Python layer is then
   * imported with a local interpreter of the runtime's version, and a module that stops
   * importing fails the build naming the rule that broke it.
   * @default false
   */
  readonly slim?: boolean | SlimOptions;
}

/** The spec fields every kind takes from LayerSourceOptions; `where` names the factory in errors. */
export function commonSpec(options: LayerSourceOptions, where = 'LayerSource'): { excludes?: string[]; slim?: SlimSpec } {
  const slim = slimSpec(options.slim, where);
  return {
    ...(options.excludes && options.excludes.length > 0 ? { excludes: [...options.excludes] } : {}),
    ...(slim ? { slim } : {}),
  };
}

/** The user excludes of a spec, as the key and the packer see them. */
export function excludesOf(spec: CommonSourceSpec): string[] {
  return spec.excludes ? [...spec.excludes] : [];
}

export function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}

/** `p` made absolute; it must exist. `where` is the factory, `what` the option. */
export function existingPath(p: string, where: string, what: string): string {
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) {
    throw new LayersmithValidationError('PATH_NOT_FOUND',
      `${where}: ${what} '${abs}' does not exist (relative paths resolve against ${process.cwd()}). Fix: point ${what} `
      + 'at an existing path.', { path: abs });
  }
  return abs;
}

export function existingDir(p: string, where: string, what: string): string {
  const abs = existingPath(p, where, what);
  if (!fs.statSync(abs).isDirectory()) {
    throw new LayersmithValidationError('NOT_A_DIRECTORY',
      `${where}: ${what} '${abs}' is not a directory. Fix: point ${what} at a directory.`, { path: abs });
  }
  return abs;
}

export function existingFile(p: string, where: string, what: string): string {
  const abs = existingPath(p, where, what);
  if (!fs.statSync(abs).isFile()) {
    throw new LayersmithValidationError('NOT_A_FILE', `${where}: ${what} '${abs}' is not a file. Fix: point ${what} at a file.`, { path: abs });
  }
  return abs;
}

/** The first candidate that is an existing directory. */
export function firstDirectory(candidates: ReadonlyArray<string | undefined>): string | undefined {
  for (const dir of candidates) {
    if (dir && isDirectory(dir)) return dir;
  }
  return undefined;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
