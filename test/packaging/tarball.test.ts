import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { cleanupTempDirs, makeTempDir } from '../helpers';
import { REPO, expectedPackedFiles, installTarball, npmEnv, run } from './pack';

/** What users install: the tarball's file list, its dependencies, and an app with no IaC SDK. */
jest.setTimeout(300_000);

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const PEERS = Object.keys(pkg.peerDependencies);

/** Files `npm pack` would put in the tarball, as npm itself lists them. */
function npmPackList(): string[] {
  const out = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--silent'], { cwd: REPO, env: npmEnv() }));
  return out[0].files.map((f: { path: string }) => f.path).sort();
}

/** Package names lib/ loads at run time: bare `import ... from` / `require(...)`, type-only imports left out. */
function runtimeImports(): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {walk(full);} else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        const specs = [
          ...[...text.matchAll(/^\s*import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]),
          ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]),
          ...[...text.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]),
        ];
        for (const s of specs.filter((x) => !x.startsWith('.'))) {
          names.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);
        }
      }
    }
  };
  walk(path.join(REPO, 'lib'));
  return [...names].filter((n) => !builtinModules.includes(n) && !n.startsWith('node:')).sort();
}

afterAll(cleanupTempDirs);

describe('the tarball', () => {
  test('GIVEN npm pack WHEN it lists the tarball THEN it holds the compiled lib, the declarations, the command, README, LICENSE and package.json, nothing else', () => {
    const files = npmPackList();
    expect(files).toEqual(expectedPackedFiles());
    // nothing of the development tree: sources, tests, benchmarks, examples, projen files
    expect(files.filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /^(test|bench|examples|projenrc|scripts|\.projen)\//.test(f) || f.startsWith('.'))).toEqual([]);
    // and every file the package loads or names is in it
    const required = [
      'bin/layersmith', 'lib/index.js', 'lib/index.d.ts', 'lib/engine/worker.js', 'lib/engine/sync.js', 'lib/cli/index.js',
      ...Object.values(pkg.exports as Record<string, string | Record<string, string>>)
        .flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v))).map((p) => p.replace(/^\.\//, '')),
      ...Object.values(pkg.bin as Record<string, string>),
      pkg.main, pkg.types,
    ];
    expect(required.filter((f) => !files.includes(f))).toEqual([]);
  });

  test('GIVEN lib/ WHEN its run-time imports are listed THEN the dependencies are exactly those not provided by an optional peer', () => {
    const imports = runtimeImports();
    expect(Object.keys(pkg.dependencies).sort()).toEqual(imports.filter((n) => !PEERS.includes(n)));
    expect(imports.filter((n) => PEERS.includes(n)).every((n) => pkg.peerDependenciesMeta[n]?.optional === true)).toBe(true);
    // archiver writes test fixtures and runs in the benchmark only
    expect(pkg.devDependencies.archiver).toBeDefined();
    expect(pkg.dependencies.archiver).toBeUndefined();
  });
});

describe('an app with the tarball and no IaC SDK installed', () => {
  let app: string;
  let layerDir: string;

  beforeAll(() => {
    app = makeTempDir('layersmith-test-nosdk-');
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'nosdk-app', version: '1.0.0', private: true }));
    installTarball(app);
    layerDir = path.join(app, 'layer');
    fs.mkdirSync(path.join(layerDir, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(layerDir, 'bin', 'hello'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
    // A require hook that fails if anything loads an IaC SDK, on top of none being installed.
    fs.writeFileSync(path.join(app, 'no-sdk.cjs'), `
const Module = require('module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/^(aws-cdk-lib|constructs|@pulumi\\/|@alicloud\\/)/.test(request)) throw new Error('an IaC SDK was loaded: ' + request);
  return load.call(this, request, ...rest);
};
`);
    fs.writeFileSync(path.join(app, 'build.cjs'), `
require('./no-sdk.cjs');
const ls = require('layersmith');
const source = ls.LayerSource.fromDirectory(process.argv[2]);
const target = { platform: 'aws', architecture: 'x86_64', runtimes: ['provided.al2023'] };
const artifact = ls.buildLayerSync(source, target, { cacheDir: process.argv[3] });
process.stdout.write(JSON.stringify({ zip: artifact.zipPath, sha256: artifact.manifest.zip.sha256, entries: artifact.manifest.entries.map((e) => e.path) }));
`);
  });

  test('GIVEN no SDK WHEN `layersmith` (core + engine) is required THEN it loads and only the declared dependencies came along', () => {
    expect(PEERS.filter((p) => fs.existsSync(path.join(app, 'node_modules', p)))).toEqual([]);
    const out = run(process.execPath, ['-r', './no-sdk.cjs', '-e', 'const ls = require("layersmith"); console.log(typeof ls.buildLayer, typeof ls.buildLayerSync, typeof ls.analyzeStack)'], { cwd: app });
    expect(out.trim()).toBe('function function function');
    // what came along is the declared dependencies and theirs, nothing else
    const closure = new Set<string>();
    const visit = (name: string): void => {
      if (closure.has(name)) return;
      closure.add(name);
      const manifest = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', name, 'package.json'), 'utf8'));
      for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep);
    };
    visit('layersmith');
    const installed = fs.readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.'))
      .flatMap((n) => (n.startsWith('@') ? fs.readdirSync(path.join(app, 'node_modules', n)).map((m) => `${n}/${m}`) : [n]));
    expect(installed.sort()).toEqual([...closure].sort());
    expect(installed).toContain('smol-toml');
  });

  test('GIVEN the installed package WHEN it holds no TypeScript THEN buildLayerSync runs the compiled worker and builds the layer', () => {
    const installed = path.join(app, 'node_modules', 'layersmith');
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [e.name]));
    expect(walk(installed).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    // nor inside the JavaScript: no inline source map carrying the sources
    const paths = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? paths(path.join(d, e.name)) : [path.join(d, e.name)]));
    const js = paths(path.join(installed, 'lib')).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(100);
    expect(js.filter((f) => fs.readFileSync(f, 'utf8').includes('sourceMappingURL'))).toEqual([]);

    const result = JSON.parse(run(process.execPath, ['build.cjs', layerDir, makeTempDir('layersmith-test-nosdk-cache-')], { cwd: app, env: { ...process.env, LAYERSMITH_QUIET: '1' } }));
    expect(result.entries).toEqual(['bin/', 'bin/hello']);
    expect(result.sha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    // the installed command inspects what the installed engine built
    const inspect = JSON.parse(run('npx', ['--no-install', 'layersmith', 'inspect', result.zip, '--json'], { cwd: app, env: npmEnv() }));
    expect(inspect.manifest.zip.sha256).toBe(result.sha256);
  });

  test('GIVEN a packed copy without lib/engine/worker.js WHEN the app builds a layer THEN it fails: the tarball must hold every file the code loads', () => {
    // GIVEN a copy of the app whose layersmith lacks one compiled file
    const broken = makeTempDir('layersmith-test-broken-');
    fs.cpSync(app, broken, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(path.join(broken, 'node_modules', 'layersmith', 'lib', 'engine', 'worker.js'));

    // WHEN it builds (a cold cache: the child process must run)
    const r = spawnSync(process.execPath, ['build.cjs', layerDir, makeTempDir('layersmith-test-broken-cache-')], { cwd: broken, encoding: 'utf8' });

    // THEN the build fails and says the child did not answer, with the missing module in its output
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the build process exited (code 1) without a result');
    expect(r.stderr).toContain(path.join('lib', 'engine', 'worker.js'));
    // and the intact app still builds from the same tarball (the control)
    expect(() => run(process.execPath, ['build.cjs', layerDir, makeTempDir('layersmith-test-nosdk-cache-')], { cwd: app, env: { ...process.env, LAYERSMITH_QUIET: '1' } })).not.toThrow();
  });
});
