import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError, LayersmithValidationError } from '../../core/errors';
import type { CommonSourceSpec } from '../api';
import { BuildContext, BuildOutput, nodeMajorFromTarget, toolEnv } from '../builders/context';
import { runCommand } from '../builders/exec';
import { fileDigest, optionalFileDigest } from '../digest';
import { commonSpec, existingDir, existingFile, type LayerSourceOptions, type SourceKind } from './kind';

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

const WHERE = 'LayerSource.node';

/** Validates `LayerSource.node` options and resolves their paths. */
export function nodeSpec(options: NodeSourceOptions): NodeSourceSpec {
  const packageDir = existingDir(options.packageDir, WHERE, 'packageDir');
  existingFile(path.join(packageDir, 'package.json'), WHERE, 'packageDir/package.json');
  if (options.nodeMajor !== undefined && !(Number.isInteger(options.nodeMajor) && options.nodeMajor > 0)) {
    throw new LayersmithValidationError('BAD_NODE_MAJOR',
      `${WHERE}: nodeMajor ${options.nodeMajor} is not a major version number. Fix: e.g. nodeMajor: 20.`);
  }
  return {
    kind: 'node',
    packageDir,
    layout: options.layout ?? 'node_modules',
    ...(options.nodeMajor !== undefined ? { nodeMajor: options.nodeMajor } : {}),
    ...(options.npmArgs ? { npmArgs: [...options.npmArgs] } : {}),
    ...commonSpec(options),
  };
}

/** Lockfiles `npm ci` installs from, in the order the builder picks them. */
const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json'] as const;

/** The lockfile the build copies and installs from; the cache key hashes this same file. */
export function nodeLockfile(packageDir: string): { name: typeof LOCKFILES[number]; path: string } | undefined {
  for (const name of LOCKFILES) {
    const file = path.join(packageDir, name);
    if (fs.existsSync(file)) return { name, path: file };
  }
  return undefined;
}

/** npm ci reads package.json and the one lockfile `nodeLockfile` picks, nothing else. */
export const nodeKind: SourceKind<NodeSourceSpec> = {
  kind: 'node',
  keyInputs: (spec) => {
    const lock = nodeLockfile(spec.packageDir);
    return {
      layout: spec.layout,
      nodeMajor: spec.nodeMajor ?? null,
      npmArgs: [...(spec.npmArgs ?? [])],
      packageJson: fileDigest(path.join(spec.packageDir, 'package.json')),
      // package-lock.json stays under its historical field, so keys of existing projects hold.
      lockfile: lock?.name === 'package-lock.json' ? fileDigest(lock.path) : null,
      shrinkwrap: lock?.name === 'npm-shrinkwrap.json' ? fileDigest(lock.path) : undefined,
      // npm ci reads the project's .npmrc (omit, install-links, registry scopes...).
      npmrc: optionalFileDigest(path.join(spec.packageDir, '.npmrc')) ?? undefined,
    };
  },
  anchorCandidates: (spec) => [spec.packageDir],
  build: (spec, ctx) => buildNode(spec, ctx),
};

/**
 * `npm ci` flags. `--ignore-scripts` by default: install scripts would compile native code for
 * the build host, not the function's Linux target, and run arbitrary code at synth time; packages
 * that ship prebuilt binaries per platform resolve through `--os/--cpu` instead. Pass
 * npmArgs ['--ignore-scripts=false'] to run them anyway.
 */
export function npmCiArgs(spec: NodeSourceSpec, cpu: 'x64' | 'arm64'): string[] {
  return [
    'npm', 'ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier',
    '--os=linux', `--cpu=${cpu}`,
    ...(spec.npmArgs ?? []),
  ];
}

export async function buildNode(spec: NodeSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const lock = nodeLockfile(spec.packageDir);
  if (!lock) {
    throw new LayersmithBuildError('NO_LOCKFILE',
      `LayerSource.node: ${spec.packageDir} has package.json but no package-lock.json, and the layer must install exactly `
      + `what the lockfile says. Fix: run 'npm install --package-lock-only' in ${spec.packageDir} and commit package-lock.json.`,
      { path: spec.packageDir });
  }
  let nodeDir = path.join(ctx.staging, 'nodejs');
  if (spec.layout === 'versioned') {
    const major = spec.nodeMajor ?? nodeMajorFromTarget(ctx.target);
    if (!major) {
      throw new LayersmithBuildError('NO_NODE_MAJOR',
        `LayerSource.node: layout 'versioned' needs a Node major version, and the target runtimes [${ctx.target.runtimes.join(', ')}] `
        + 'name no nodejsNN. Fix: set nodeMajor (e.g. 20) or add a nodejsNN runtime.');
    }
    nodeDir = path.join(nodeDir, `node${major}`);
  }
  fs.mkdirSync(nodeDir, { recursive: true });
  fs.copyFileSync(path.join(spec.packageDir, 'package.json'), path.join(nodeDir, 'package.json'));
  fs.copyFileSync(lock.path, path.join(nodeDir, lock.name));
  const cpu = ctx.target.architecture === 'arm64' ? 'arm64' : 'x64';
  await ctx.step(`npm ci (linux ${cpu})`, () => runCommand(npmCiArgs(spec, cpu), {
    tmpDir: path.join(ctx.work, 'tmp'),
    cwd: nodeDir,
    env: toolEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }),
    purpose: 'LayerSource.node (npm)',
  }));
  // Only node_modules/ is on the function's module path; the manifests would just ride along.
  fs.rmSync(path.join(nodeDir, 'package.json'), { force: true });
  fs.rmSync(path.join(nodeDir, lock.name), { force: true });
  if (!fs.existsSync(path.join(nodeDir, 'node_modules'))) fs.mkdirSync(path.join(nodeDir, 'node_modules'));
  return { root: ctx.staging };
}
