import * as fs from 'fs';
import * as path from 'path';

/**
 * The lockfiles a Node layer installs from and the package manager each needs. npm's come first,
 * so a project that also carries a pnpm or Yarn lockfile builds as it did before.
 */
export const NODE_LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'] as const;

export type NodeLockfileName = (typeof NODE_LOCKFILES)[number];

/** 'yarn-berry' is Yarn 2 and later (yarn.lock with a __metadata block); 'yarn-classic' is Yarn 1. */
export type NodePackageManager = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry';

/** The lockfile of a project and the manager it belongs to. */
export interface NodeLock {
  readonly name: NodeLockfileName;
  readonly path: string;
  readonly manager: NodePackageManager;
}

/** The first lockfile of NODE_LOCKFILES in `packageDir`, or undefined. */
export function findNodeLock(packageDir: string): NodeLock | undefined {
  for (const name of NODE_LOCKFILES) {
    const file = path.join(packageDir, name);
    if (!fs.existsSync(file)) continue;
    return { name, path: file, manager: managerOf(name, file) };
  }
  return undefined;
}

function managerOf(name: NodeLockfileName, file: string): NodePackageManager {
  if (name === 'pnpm-lock.yaml') return 'pnpm';
  if (name === 'yarn.lock') {
    // Yarn 2+ writes a YAML lockfile with a __metadata entry; Yarn 1 writes "# yarn lockfile v1".
    const head = fs.readFileSync(file, 'utf8').slice(0, 4096);
    return /^__metadata:/m.test(head) ? 'yarn-berry' : 'yarn-classic';
  }
  return 'npm';
}

/** Project files each manager reads besides package.json and the lockfile (copied and keyed when present). */
export const MANAGER_CONFIG_FILES: Readonly<Record<NodePackageManager, readonly string[]>> = {
  'npm': [],
  'pnpm': ['pnpm-workspace.yaml'],
  'yarn-classic': [],
  'yarn-berry': ['.yarnrc.yml'],
};

/**
 * The Yarn berry settings a layer needs, merged into the project's .yarnrc.yml: a plain
 * node_modules tree (no Plug'n'Play: the function's Node resolves node_modules only), no install
 * scripts, and the target's OS and CPU for optional platform packages.
 */
export function yarnrcForTarget(userYarnrc: string | undefined, cpu: 'x64' | 'arm64'): string {
  const ours = ['nodeLinker', 'supportedArchitectures', 'enableScripts', 'enableTelemetry', 'enableGlobalCache'];
  const kept: string[] = [];
  let skipping = false;
  for (const line of (userYarnrc ?? '').split(/\r?\n/)) {
    const key = /^([A-Za-z][A-Za-z0-9]*):/.exec(line)?.[1];
    if (key) skipping = ours.includes(key);
    else if (!/^\s/.test(line)) skipping = false;
    if (!skipping && line.trim() !== '') kept.push(line);
  }
  return [
    ...kept,
    'nodeLinker: node-modules',
    'enableScripts: false',
    'enableTelemetry: false',
    'supportedArchitectures:',
    '  os: [linux]',
    `  cpu: [${cpu}]`,
    '  libc: [glibc]',
    '',
  ].join('\n');
}

/** The install command of a manager for a production install of the lockfile, as-is. */
export function installArgs(manager: NodePackageManager, cpu: 'x64' | 'arm64', extra: readonly string[]): string[] {
  switch (manager) {
    case 'npm':
      return [
        'npm', 'ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', '--os=linux', `--cpu=${cpu}`, ...extra,
      ];
    case 'pnpm':
      // hoisted: a flat node_modules of real directories, no symlinks into a store outside the layer.
      return [
        'pnpm', 'install', '--frozen-lockfile', '--prod', '--ignore-scripts',
        '--config.node-linker=hoisted', '--config.package-import-method=copy', ...extra,
      ];
    case 'yarn-classic':
      // Yarn 1 has no target-platform option: install every platform's optional packages, prune after.
      return [
        'yarn', 'install', '--frozen-lockfile', '--production', '--ignore-scripts', '--ignore-platform', '--ignore-engines',
        '--non-interactive', '--no-progress', ...extra,
      ];
    case 'yarn-berry':
      return ['yarn', 'workspaces', 'focus', '--all', '--production', ...extra];
    default:
      throw new Error(`unknown package manager ${String(manager)}`);
  }
}

/** Files the managers leave in node_modules that hold machine paths or times, not layer content. */
export const MANAGER_STATE_FILES = [
  '.modules.yaml', '.pnpm-workspace-state-v1.json', '.pnpm', '.yarn-state.yml', '.package-map.json', '.yarn-integrity',
];
