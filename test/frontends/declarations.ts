/**
 * One table of bad declarations, written once and mapped onto each front-end by messages.test.ts
 * (AWS CDK, ROS CDK in process) and pulumi-program.ts (Pulumi, as a program under mocks).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { PlatformId } from '../../lib/core';

/** A layer of a bad declaration: its files (or a non-source), runtimes and architectures per platform. */
export interface LayerDecl {
  readonly id: string;
  /** Files of a directory source; `null` passes something that is not a LayerSource. */
  readonly files: Record<string, string | Buffer> | null;
  readonly runtimes: Readonly<Record<PlatformId, readonly string[]>>;
  /** AWS only (FC runs x86_64). @default none given */
  readonly awsArchitectures?: readonly ('x86_64' | 'arm64')[];
  readonly layerName?: string;
  readonly description?: string;
}

/** A bad declaration: layers and, optionally, a function that attaches them all. */
export interface BadDeclaration {
  readonly what: string;
  readonly layers: readonly LayerDecl[];
  readonly fn?: { readonly id: string; readonly runtime: Readonly<Record<PlatformId, string>> };
  /** What the message must be about (sanity check that the intended rule fired). */
  readonly about: RegExp;
  /** The text names no platform, so it is the same on AWS and FC too. */
  readonly anyPlatform?: boolean;
  /** Where the declaration is bad (FC accepts runtime ids it does not list). @default both */
  readonly platforms?: readonly PlatformId[];
}

/** The first bytes of an ELF64 executable for a CPU (x86-64 or AArch64): what the inspector reads. */
function elf(cpu: 'x86_64' | 'arm64'): Buffer {
  const b = Buffer.alloc(64);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2;
  b[5] = 1;
  b[6] = 1;
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(cpu === 'x86_64' ? 62 : 183, 18);
  b.writeUInt32LE(1, 20);
  return b;
}

const PY = { aws: ['python3.12'], alicloud: ['python3.10'] } as const;
const pyLayer = (id: string): LayerDecl => ({ id, files: { [`python/${id.toLowerCase()}.py`]: `NAME = '${id}'\n` }, runtimes: PY });

export const BAD_DECLARATIONS: readonly BadDeclaration[] = [
  { what: 'a source that is not a LayerSource', layers: [{ id: 'NoSource', files: null, runtimes: PY }], about: /'source' must be a LayerSource/, anyPlatform: true },
  { what: 'no compatible runtime', layers: [{ id: 'NoRuntime', files: { 'python/a.py': '' }, runtimes: { aws: [], alicloud: [] } }], about: /at least one compatible runtime/, anyPlatform: true },
  {
    what: 'an invalid name and a description that is too long',
    layers: [{ ...pyLayer('BadProps'), layerName: 'bad name!', description: 'x'.repeat(300) }],
    about: /invalid RuntimeLayer props:\n {2}- layerName 'bad name!'[^\n]*\n {2}- description is 300 characters/,
  },
  {
    what: 'a runtime listed twice',
    layers: [{ id: 'Twice', files: { 'python/a.py': '' }, runtimes: { aws: ['python3.12', 'python3.12'], alicloud: ['python3.10', 'python3.10'] } }],
    about: /compatibleRuntimes lists 'python3\.1\d' twice/,
  },
  {
    what: 'an unknown runtime',
    layers: [{ id: 'OldRuntime', files: { 'python/a.py': '' }, runtimes: { aws: ['python2.9'], alicloud: ['python2.9'] } }],
    about: /python2\.9/,
    platforms: ['aws'],
  },
  {
    what: 'a native binary for a CPU the layer does not run on',
    layers: [{ id: 'Native', files: { 'lib/libfast.so': elf('arm64') }, runtimes: PY, awsArchitectures: ['x86_64'] }],
    about: /LS-NATIVE-BINARY.*lib\/libfast\.so/,
  },
  {
    what: 'six layers on one function',
    layers: ['L1', 'L2', 'L3', 'L4', 'L5', 'L6'].map(pyLayer),
    fn: { id: 'Crowded', runtime: { aws: 'python3.12', alicloud: 'python3.10' } },
    about: /LS-LAYER-COUNT/,
  },
  {
    what: 'a layer for another runtime',
    layers: [pyLayer('PyOnly')],
    fn: { id: 'NodeFn', runtime: { aws: 'nodejs20.x', alicloud: 'nodejs20' } },
    about: /LS-RUNTIME-COMPAT/,
  },
];

/** Writes a layer's files under `root` and returns its directory. */
export function writeLayer(root: string, platform: PlatformId, layer: LayerDecl): string {
  const dir = path.join(root, platform, layer.id);
  for (const [rel, content] of Object.entries(layer.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A message with its framework's wrapping and path spelling taken out: CDK validation headers and
 * `[path]` prefixes go, construct paths (`Stack/X`) and Pulumi names (`RuntimeLayer 'X'`) become `<X>`.
 */
export function normalizeMessage(text: string): string {
  return text
    .replace(/^Validation failed with the following errors:\n/, '')
    .split('\n')
    .map((line) => line
      .replace(/^\s*\[Stack\/[^\]]+\] /, '')
      .replace(/\bStack\/([A-Za-z0-9]+)/g, '<$1>')
      .replace(/\b(?:RuntimeLayer|FunctionWithLayers|LayerPermission) '([^']+)'/g, '<$1>'))
    .filter((line) => line.trim() !== '')
    .join('\n');
}
