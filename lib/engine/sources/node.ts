import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError, LayersmithValidationError } from '../../core/errors';
import type { CommonSourceSpec } from '../api';
import { commonSpec, existingDir, existingFile, type LayerSourceOptions, type SourceKind } from './kind';
import { BuildContext, BuildOutput, nodeMajorFromTarget, toolEnv } from '../builders/context';
import { runCommand } from '../builders/exec';
import { fileDigest, optionalFileDigest } from '../digest';
import {
  findNodeLock, installArgs, MANAGER_CONFIG_FILES, MANAGER_STATE_FILES, NODE_LOCKFILES, yarnrcForTarget, type NodeLock, type NodePackageManager,
} from '../node/managers';
import { pruneForTarget, removeDanglingBinLinks } from '../node/platform';

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
  /**
   * Directory holding package.json and a lockfile (relative: against the current directory): the
   * first found of package-lock.json, npm-shrinkwrap.json (npm ci), pnpm-lock.yaml (pnpm, hoisted
   * node_modules) and yarn.lock (Yarn 1, or Yarn 2+ with nodeLinker node-modules). The tool comes
   * from PATH; optional platform packages are picked for Linux on the target CPU.
   */
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
   * Extra arguments appended as-is to the package manager's install command (e.g. '--ignore-scripts=false' for npm).
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
    ...commonSpec(options, WHERE),
  };
}

/** The lockfile the build installs from (npm's first, then pnpm's, then Yarn's); the cache key hashes this same file. */
export function nodeLockfile(packageDir: string): NodeLock | undefined {
  return findNodeLock(packageDir);
}

/** The manager reads package.json, the one lockfile `nodeLockfile` picks and its own config files. */
export const nodeKind: SourceKind<NodeSourceSpec> = {
  kind: 'node',
  keyInputs: (spec) => {
    const lock = nodeLockfile(spec.packageDir);
    const configs = lock ? MANAGER_CONFIG_FILES[lock.manager].filter((f) => fs.existsSync(path.join(spec.packageDir, f))) : [];
    return {
      layout: spec.layout,
      nodeMajor: spec.nodeMajor ?? null,
      npmArgs: [...(spec.npmArgs ?? [])],
      packageJson: fileDigest(path.join(spec.packageDir, 'package.json')),
      // package-lock.json stays under its historical field, so keys of existing projects hold.
      lockfile: lock?.name === 'package-lock.json' ? fileDigest(lock.path) : null,
      shrinkwrap: lock?.name === 'npm-shrinkwrap.json' ? fileDigest(lock.path) : undefined,
      pnpmLock: lock?.name === 'pnpm-lock.yaml' ? fileDigest(lock.path) : undefined,
      yarnLock: lock?.name === 'yarn.lock' ? { manager: lock.manager, digest: fileDigest(lock.path) } : undefined,
      managerConfig: configs.length > 0 ? configs.map((f) => ({ file: f, digest: fileDigest(path.join(spec.packageDir, f)) })) : undefined,
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
  return installArgs('npm', cpu, spec.npmArgs ?? []);
}

const TOOL_OF: Readonly<Record<NodePackageManager, string>> = { 'npm': 'npm', 'pnpm': 'pnpm', 'yarn-classic': 'yarn', 'yarn-berry': 'yarn' };

export async function buildNode(spec: NodeSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const lock = nodeLockfile(spec.packageDir);
  if (!lock) {
    throw new LayersmithBuildError('NO_LOCKFILE',
      `LayerSource.node: ${spec.packageDir} has package.json but no lockfile (${NODE_LOCKFILES.join(', ')}), and the layer must install exactly `
      + `what the lockfile says. Fix: run 'npm install --package-lock-only' (or pnpm install --lockfile-only, yarn install) in ${spec.packageDir} `
      + 'and commit the lockfile.',
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
  const cpu = ctx.target.architecture === 'arm64' ? 'arm64' : 'x64';
  const copied = ['package.json', lock.name, ...MANAGER_CONFIG_FILES[lock.manager]].filter((f) => fs.existsSync(path.join(spec.packageDir, f)));
  for (const f of copied) fs.copyFileSync(path.join(spec.packageDir, f), path.join(nodeDir, f));
  if (lock.manager === 'pnpm') {
    // pnpm picks optional platform packages from supportedArchitectures (package.json "pnpm" field).
    const pj = JSON.parse(fs.readFileSync(path.join(nodeDir, 'package.json'), 'utf8')) as { pnpm?: Record<string, unknown> };
    pj.pnpm = { ...pj.pnpm, supportedArchitectures: { os: ['linux'], cpu: [cpu], libc: ['glibc'] } };
    fs.writeFileSync(path.join(nodeDir, 'package.json'), JSON.stringify(pj, null, 2));
  } else if (lock.manager === 'yarn-berry') {
    const user = path.join(spec.packageDir, '.yarnrc.yml');
    fs.writeFileSync(path.join(nodeDir, '.yarnrc.yml'), yarnrcForTarget(fs.existsSync(user) ? fs.readFileSync(user, 'utf8') : undefined, cpu));
    for (const sub of ['releases', 'plugins']) {
      const from = path.join(spec.packageDir, '.yarn', sub);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(nodeDir, '.yarn', sub), { recursive: true });
    }
  }
  const tool = TOOL_OF[lock.manager];
  if (lock.manager.startsWith('yarn')) await checkYarnMatches(lock, nodeDir);
  const stepName = lock.manager === 'npm' ? `npm ci (linux ${cpu})` : `${tool} install from ${lock.name} (linux ${cpu})`;
  await ctx.step(stepName, () => runCommand(installArgs(lock.manager, cpu, spec.npmArgs ?? []), {
    tmpDir: path.join(ctx.work, 'tmp'),
    cwd: nodeDir,
    env: toolEnv({
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      // Yarn berry: never rewrite the lockfile; the layer installs what it says.
      ...(lock.manager === 'yarn-berry' ? { YARN_ENABLE_IMMUTABLE_INSTALLS: 'true', YARN_ENABLE_PROGRESS_BARS: 'false' } : {}),
    }),
    purpose: `LayerSource.node (${tool})`,
  }));
  if (lock.manager === 'yarn-classic') {
    const removed = pruneForTarget(nodeDir, { os: 'linux', cpu, libc: 'glibc' });
    if (removed.length > 0) ctx.note(`removed ${removed.length} packages for other platforms (yarn 1 installs every platform's optional packages)`);
  }
  // Only node_modules/ is on the function's module path; the manifests would just ride along.
  for (const f of [...copied, '.yarnrc.yml', '.yarn']) fs.rmSync(path.join(nodeDir, f), { recursive: true, force: true });
  if (lock.manager !== 'npm') {
    for (const f of MANAGER_STATE_FILES) fs.rmSync(path.join(nodeDir, 'node_modules', f), { recursive: true, force: true });
    removeDanglingBinLinks(path.join(nodeDir, 'node_modules'));
  }
  if (!fs.existsSync(path.join(nodeDir, 'node_modules'))) fs.mkdirSync(path.join(nodeDir, 'node_modules'));
  return { root: ctx.staging };
}

/** A Yarn 1 lockfile needs Yarn 1, a Yarn 2+ lockfile Yarn 2+ (or the project's yarnPath): say which, before installing. */
async function checkYarnMatches(lock: NodeLock, cwd: string): Promise<void> {
  if (fs.existsSync(path.join(cwd, '.yarn', 'releases'))) return;
  const version = yarnVersion(cwd);
  if (!version) return;
  const berry = Number(version.split('.')[0]) >= 2;
  if (berry === (lock.manager === 'yarn-berry')) return;
  throw new LayersmithBuildError('YARN_VERSION_MISMATCH',
    `LayerSource.node: ${lock.path} was written by Yarn ${lock.manager === 'yarn-berry' ? '2 or later' : '1 (classic)'}, but the yarn on PATH is `
      + `${version}. `
    + `Fix: put Yarn ${lock.manager === 'yarn-berry' ? '4 (corepack enable, or npm i -g @yarnpkg/cli-dist)' : '1 (npm i -g yarn@1)'} on PATH, or set `
    + 'yarnPath in .yarnrc.yml.', { path: lock.path });
}

function yarnVersion(cwd: string): string | undefined {
  const r = spawnSync('yarn', ['--version'], { cwd, encoding: 'utf8', env: { ...process.env, COREPACK_ENABLE_STRICT: '0' } });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
