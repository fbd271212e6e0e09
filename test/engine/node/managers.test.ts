import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeLayer, type LayerManifest } from '../../../lib/core';
import { LayersmithBuildError } from '../../../lib/core/errors';
import type { BuildTarget } from '../../../lib/engine/api';
import { BuildCommandError } from '../../../lib/engine/builders/exec';
import { computeInputKey } from '../../../lib/engine/cache';
import { buildLayer } from '../../../lib/engine/engine';
import { findNodeLock, yarnrcForTarget } from '../../../lib/engine/node/managers';
import { pruneForTarget } from '../../../lib/engine/node/platform';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, writeTree } from '../../helpers';

/*
 * pnpm and Yarn come from the user's machine; here they are installed at pinned versions from the
 * npm registry into temp prefixes (npm install -g --prefix), and put on PATH per test.
 */
const TOOLS = { pnpm: 'pnpm@10.34.8', yarn1: 'yarn@1.22.22', berry: '@yarnpkg/cli-dist@4.18.1' } as const;
const bins: Record<keyof typeof TOOLS, string> = { pnpm: '', yarn1: '', berry: '' };
const ORIGINAL_PATH = process.env.PATH;
let cacheDir: string;

const PKG = JSON.stringify({ name: 'imgsvc', version: '1.0.0', private: true, dependencies: { sharp: '0.35.5' }, devDependencies: { 'left-pad': '1.3.0' } }, null, 2);
const target = (architecture: 'x86_64' | 'arm64'): BuildTarget => ({ platform: 'aws', architecture, runtimes: ['nodejs20.x'] });

function withTool(tool: keyof typeof TOOLS): NodeJS.ProcessEnv {
  process.env.PATH = `${bins[tool]}${path.delimiter}${ORIGINAL_PATH}`;
  return { ...process.env };
}

beforeAll(() => {
  cacheDir = makeTempDir();
  for (const [tool, spec] of Object.entries(TOOLS) as [keyof typeof TOOLS, string][]) {
    const prefix = makeTempDir(`layersmith-test-${tool}-`);
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', spec], { stdio: 'pipe' });
    bins[tool] = path.join(prefix, 'bin');
  }
});
afterEach(() => {
  process.env.PATH = ORIGINAL_PATH;
});
afterAll(cleanupTempDirs);

/** A project with sharp (native optional packages per platform) locked by the real tool. */
function lockedProject(tool: keyof typeof TOOLS): string {
  const dir = makeTempDir();
  writeTree(dir, { 'package.json': PKG });
  const env = withTool(tool);
  if (tool === 'pnpm') {
    execFileSync('pnpm', ['install', '--lockfile-only'], { cwd: dir, env, stdio: 'pipe' });
  } else if (tool === 'berry') {
    writeTree(dir, { '.yarnrc.yml': 'nodeLinker: node-modules\n', 'yarn.lock': '' });
    execFileSync('yarn', ['install', '--mode=update-lockfile'], { cwd: dir, env: { ...env, YARN_ENABLE_TELEMETRY: 'false' }, stdio: 'pipe' });
    fs.rmSync(path.join(dir, '.yarn'), { recursive: true, force: true });
  } else {
    // Yarn 1 has no lockfile-only mode: install once on this machine, keep only the lockfile.
    execFileSync('yarn', ['install', '--ignore-scripts', '--non-interactive'], { cwd: dir, env, stdio: 'pipe' });
    fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  }
  return dir;
}

function nodePackages(m: LayerManifest): string[] {
  return m.packages.filter((p) => p.ecosystem === 'node').map((p) => p.name).sort();
}

function expectBuiltFor(m: LayerManifest, cpu: 'x64' | 'arm64'): void {
  const other = cpu === 'x64' ? 'arm64' : 'x64';
  const pkgs = nodePackages(m);
  expect(pkgs).toEqual(expect.arrayContaining(['sharp', `@img/sharp-linux-${cpu}`, `@img/sharp-libvips-linux-${cpu}`]));
  expect(pkgs.filter((p) => p.includes(other) || /darwin|win32|musl|wasm/.test(p))).toEqual([]);
  expect(pkgs).not.toContain('left-pad');
  // needed only by sharp's wasm32 package: npm --os/--cpu would not install it either
  expect(pkgs).not.toContain('@emnapi/runtime');
  expect(m.natives.length).toBeGreaterThan(0);
  expect(new Set(m.natives.map((n) => `${n.os}/${n.cpu}`))).toEqual(new Set([`linux/${cpu === 'x64' ? 'x86_64' : 'arm64'}`]));
  // Nothing of the managers' own state, and no symlink that leaves the layer.
  expect(m.entries.filter((e) => /node_modules\/(\.modules\.yaml|\.pnpm|\.yarn-state\.yml|\.yarn-integrity|\.package-map\.json)/.test(e.path))).toEqual([]);
  expect(m.entries.filter((e) => e.type === 'symlink' && (e.linkTarget ?? '').startsWith('/'))).toEqual([]);
}

function nativeFindingsFor(m: LayerManifest, arch: 'x86_64' | 'arm64') {
  return analyzeLayer({ platform: 'aws', path: 'App/Img', manifest: m, compatibleRuntimes: ['nodejs20.x'], compatibleArchitectures: [arch] })
    .filter((f) => f.ruleId === 'LS-NATIVE-BINARY');
}

describe.each(['pnpm', 'berry', 'yarn1'] as const)('%s project with sharp', (tool) => {
  let dir: string;
  beforeAll(() => {
    dir = lockedProject(tool);
  });

  test('is found by its lockfile', () => {
    expect(findNodeLock(dir)?.manager).toBe({ pnpm: 'pnpm', berry: 'yarn-berry', yarn1: 'yarn-classic' }[tool]);
  });

  test.each(['arm64', 'x86_64'] as const)('builds for linux-%s with the matching native package; LS-NATIVE-BINARY catches the other architecture', async (arch) => {
    // WHEN
    withTool(tool);
    const art = await buildLayer(LayerSource.node({ packageDir: dir }), target(arch), { cacheDir, progress: false });
    // THEN
    expectBuiltFor(art.manifest, arch === 'arm64' ? 'arm64' : 'x64');
    expect(nativeFindingsFor(art.manifest, arch)).toEqual([]);
    const [wrong] = nativeFindingsFor(art.manifest, arch === 'arm64' ? 'x86_64' : 'arm64');
    expect(wrong.severity).toBe('error');
    expect(wrong.message).toContain(`built for linux/${arch}`);
  });
});

describe('errors and keys', () => {
  test('a Yarn 1 lockfile with Yarn 4 on PATH is an error saying which Yarn the lockfile needs', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'package.json': JSON.stringify({ name: 'x', version: '1.0.0' }), 'yarn.lock': '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n' });
    withTool('berry');
    const err = await buildLayer(LayerSource.node({ packageDir: dir }), target('x86_64'), { cacheDir, progress: false }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LayersmithBuildError);
    expect((err as LayersmithBuildError).code).toBe('YARN_VERSION_MISMATCH');
    expect((err as Error).message).toBe(`LayerSource.node: ${path.join(dir, 'yarn.lock')} was written by Yarn 1 (classic), but the yarn on PATH is 4.18.1. `
      + 'Fix: put Yarn 1 (npm i -g yarn@1) on PATH, or set yarnPath in .yarnrc.yml.');
  });

  test('a Yarn 2+ lockfile with Yarn 1 on PATH is an error too', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'package.json': JSON.stringify({ name: 'x', version: '1.0.0' }), 'yarn.lock': '__metadata:\n  version: 10\n  cacheKey: 10c0\n' });
    withTool('yarn1');
    const err = await buildLayer(LayerSource.node({ packageDir: dir }), target('arm64'), { cacheDir, progress: false }).then(() => undefined, (e: unknown) => e);
    expect((err as LayersmithBuildError).code).toBe('YARN_VERSION_MISMATCH');
    expect((err as Error).message).toBe(`LayerSource.node: ${path.join(dir, 'yarn.lock')} was written by Yarn 2 or later, but the yarn on PATH is 1.22.22. `
      + 'Fix: put Yarn 4 (corepack enable, or npm i -g @yarnpkg/cli-dist) on PATH, or set yarnPath in .yarnrc.yml.');
  });

  test('a pnpm lockfile out of date with package.json fails with pnpm\'s own complaint', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'package.json': JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } }) });
    const env = withTool('pnpm');
    execFileSync('pnpm', ['install', '--lockfile-only'], { cwd: dir, env, stdio: 'pipe' });
    writeTree(dir, { 'package.json': JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { 'is-number': '7.0.0', 'left-pad': '1.3.0' } }) });
    const err = await buildLayer(LayerSource.node({ packageDir: dir }), target('x86_64'), { cacheDir, progress: false }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BuildCommandError);
    expect((err as BuildCommandError).commandLine).toMatch(/^pnpm install --frozen-lockfile --prod --ignore-scripts --config\.node-linker=hoisted/);
    expect((err as BuildCommandError).outputTail.join('\n')).toMatch(/ERR_PNPM_OUTDATED_LOCKFILE/);
  });

  test('pnpm-lock.yaml, yarn.lock and .yarnrc.yml are in the cache key', () => {
    const dir = makeTempDir();
    writeTree(dir, { 'package.json': PKG, 'pnpm-lock.yaml': 'lockfileVersion: \'9.0\'\n' });
    const key = () => computeInputKey(LayerSource.node({ packageDir: dir }).bind(), target('x86_64'));
    const pnpm1 = key();
    writeTree(dir, { 'pnpm-lock.yaml': 'lockfileVersion: \'9.0\'\n# changed\n' });
    const pnpm2 = key();
    fs.rmSync(path.join(dir, 'pnpm-lock.yaml'));
    writeTree(dir, { 'yarn.lock': '__metadata:\n  version: 10\n', '.yarnrc.yml': 'nodeLinker: node-modules\n' });
    const berry1 = key();
    writeTree(dir, { '.yarnrc.yml': 'nodeLinker: node-modules\nnpmRegistryServer: "https://registry.example.invalid"\n' });
    const berry2 = key();
    expect(new Set([pnpm1, pnpm2, berry1, berry2]).size).toBe(4);
  });
});

describe('helpers', () => {
  test('the Yarn berry settings replace the user\'s linker and architectures and keep the rest', () => {
    const user = 'nodeLinker: pnp\nnpmRegistryServer: "https://r.example"\nsupportedArchitectures:\n  os: [darwin]\n  cpu: [x64]\nyarnPath: .yarn/releases/yarn-4.cjs\n';
    expect(yarnrcForTarget(user, 'arm64')).toBe('npmRegistryServer: "https://r.example"\nyarnPath: .yarn/releases/yarn-4.cjs\nnodeLinker: node-modules\n'
      + 'enableScripts: false\nenableTelemetry: false\nsupportedArchitectures:\n  os: [linux]\n  cpu: [arm64]\n  libc: [glibc]\n');
  });

  test('pruning keeps the target\'s platform packages and what they need, drops the rest and their orphans', () => {
    // GIVEN a tree as Yarn 1 --ignore-platform leaves it
    const dir = makeTempDir();
    const pj = (o: object) => JSON.stringify(o);
    writeTree(dir, {
      'package.json': pj({ name: 'app', dependencies: { lib: '1' } }),
      'node_modules/lib/package.json': pj({ name: 'lib', optionalDependencies: { '@n/linux-arm64': '1', '@n/linux-x64': '1', '@n/linux-x64-musl': '1', '@n/wasm': '1' } }),
      'node_modules/@n/linux-arm64/package.json': pj({ name: '@n/linux-arm64', os: ['linux'], cpu: ['arm64'], dependencies: { helper: '1' } }),
      'node_modules/@n/linux-x64/package.json': pj({ name: '@n/linux-x64', os: ['linux'], cpu: ['x64'], libc: ['glibc'] }),
      'node_modules/@n/linux-x64-musl/package.json': pj({ name: '@n/linux-x64-musl', os: ['linux'], cpu: ['x64'], libc: ['musl'] }),
      'node_modules/@n/wasm/package.json': pj({ name: '@n/wasm', cpu: ['wasm32'], dependencies: { '@e/runtime': '1' } }),
      'node_modules/@e/runtime/package.json': pj({ name: '@e/runtime' }),
      'node_modules/helper/package.json': pj({ name: 'helper', os: ['!win32'] }),
    });
    // WHEN
    const removed = pruneForTarget(dir, { os: 'linux', cpu: 'arm64', libc: 'glibc' });
    // THEN
    expect(removed).toEqual(['node_modules/@e/runtime', 'node_modules/@n/linux-x64', 'node_modules/@n/linux-x64-musl', 'node_modules/@n/wasm']);
    expect(fs.readdirSync(path.join(dir, 'node_modules')).sort()).toEqual(['@n', 'helper', 'lib']);
    expect(fs.readdirSync(path.join(dir, 'node_modules/@n'))).toEqual(['linux-arm64']);
  });
});
