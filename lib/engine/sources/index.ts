import { LayersmithValidationError } from '../../core/errors';
import type { BuildContext, BuildOutput } from '../builders/context';
import type { Json } from '../digest';
import type { CommandSourceSpec } from './command';
import type { CustomRuntimeSourceSpec } from './custom-runtime';
import { type DirectorySourceSpec, directoryKind } from './directory';
import type { JavaSourceSpec } from './java';
import { excludesOf, firstDirectory, type SourceKind } from './kind';
import type { NodeSourceSpec } from './node';
import type { PhpSourceSpec } from './php';
import type { PythonSourceSpec } from './python';
import type { RubySourceSpec } from './ruby';
import type { ZipSourceSpec } from './zip';

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

/**
 * kind -> module. A new kind is one module in this folder, its spec in the union above and its
 * line here (the mapped type makes a missing line a compile error). Modules other than the
 * directory's load when a spec of their kind is first met: a synth keying a directory layer does
 * not load pip, npm, Maven or ZIP-inspection code it never runs.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const KINDS: { readonly [K in SourceSpec['kind']]: () => SourceKind<Extract<SourceSpec, { kind: K }>> } = {
  directory: () => directoryKind,
  zip: () => (require('./zip') as typeof import('./zip')).zipKind,
  python: () => (require('./python') as typeof import('./python')).pythonKind,
  node: () => (require('./node') as typeof import('./node')).nodeKind,
  java: () => (require('./java') as typeof import('./java')).javaKind,
  php: () => (require('./php') as typeof import('./php')).phpKind,
  ruby: () => (require('./ruby') as typeof import('./ruby')).rubyKind,
  customRuntime: () => (require('./custom-runtime') as typeof import('./custom-runtime')).customRuntimeKind,
  command: () => (require('./command') as typeof import('./command')).commandKind,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The module of a spec's kind; `where` names the caller in the error for an unknown kind. */
export function sourceKind<S extends SourceSpec>(spec: S, where: string): SourceKind<S> {
  const kind = Object.prototype.hasOwnProperty.call(KINDS, spec.kind) ? KINDS[spec.kind]() : undefined;
  if (!kind) {
    throw new LayersmithValidationError('UNKNOWN_SOURCE_KIND', `${where}: unknown source kind in ${JSON.stringify(spec)}`);
  }
  return kind as unknown as SourceKind<S>;
}

/** The source part of the cache-key document: kind, user excludes and the kind's own inputs. */
export function describeSource(spec: SourceSpec): Json {
  // slim only joins the document when set, so the keys of layers without it do not change
  return {
    kind: spec.kind,
    excludes: excludesOf(spec),
    ...sourceKind(spec, 'computeInputKey').keyInputs(spec),
    ...(spec.slim ? { slim: { keep: [...spec.slim.keep], remove: [...spec.slim.remove], strip: spec.slim.strip } } : {}),
  };
}

/** Runs the builder of a spec's kind into ctx.staging; returns the directory to pack. */
export async function runBuilder(spec: SourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  return sourceKind(spec, 'buildLayer').build(spec, ctx);
}

/**
 * The directory CDK's asset staging is anchored on. With a custom asset hash and bundling it is
 * neither fingerprinted nor copied; it only has to exist. The source's own directory is used so
 * that a stack whose bundling is skipped points at something meaningful; else the current
 * directory.
 */
export function anchorDirectory(spec: SourceSpec): string {
  return firstDirectory(sourceKind(spec, 'anchorDirectory').anchorCandidates(spec)) ?? process.cwd();
}

export type { SourceKind } from './kind';
