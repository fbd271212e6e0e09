import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BuildTarget } from '../../../lib/engine/api';
import { artifactPaths, computeInputKey, defaultCacheDir, readArtifact, STALE_TEMP_MS, sweepStaleTemps } from '../../../lib/engine/cache';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };

function keyOfDir(dir: string, target: BuildTarget = TARGET, excludes?: string[]): string {
  return computeInputKey(LayerSource.fromDirectory(dir, { excludes }).bind(), target);
}

function sampleTree(): string {
  const dir = makeTempDir('keytree-');
  writeTree(dir, { 'python/mod.py': 'x = 1\n', 'bin/tool': '#!/bin/sh\n', 'README': 'r' }, ['bin/tool']);
  return dir;
}

describe('computeInputKey', () => {
  test('is a sha256 hex that ignores where the checkout lives and when files were touched', () => {
    // GIVEN the same tree in two places, one with old mtimes
    const a = sampleTree();
    const b = sampleTree();
    const old = new Date('2001-02-03T04:05:06Z');
    fs.utimesSync(path.join(b, 'python/mod.py'), old, old);

    // WHEN keyed THEN both give the same 64-hex key
    expect(keyOfDir(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyOfDir(a)).toBe(keyOfDir(b));
  });

  test('changes with content, the executable bit, the target and the settings', () => {
    // GIVEN a baseline key
    const dir = sampleTree();
    const base = keyOfDir(dir);

    // THEN each of these changes gives a different key
    expect(keyOfDir(dir, { ...TARGET, architecture: 'arm64' })).not.toBe(base);
    expect(keyOfDir(dir, { ...TARGET, platform: 'alicloud' })).not.toBe(base);
    expect(keyOfDir(dir, { ...TARGET, runtimes: ['python3.13'] })).not.toBe(base);
    expect(keyOfDir(dir, TARGET, ['README'])).not.toBe(base);

    fs.chmodSync(path.join(dir, 'python/mod.py'), 0o755);
    const executable = keyOfDir(dir);
    expect(executable).not.toBe(base);
    fs.chmodSync(path.join(dir, 'python/mod.py'), 0o644);
    expect(keyOfDir(dir)).toBe(base);

    fs.writeFileSync(path.join(dir, 'python/mod.py'), 'x = 2\n');
    expect(keyOfDir(dir)).not.toBe(base);
  });

  test('a same-size edit with the old mtime put back still changes the key (no stale digest)', () => {
    // GIVEN a keyed tree (its digests are now memoised in this process)
    const dir = sampleTree();
    const file = path.join(dir, 'python/mod.py');
    const before = keyOfDir(dir);
    const st = fs.statSync(file);

    // WHEN the file is rewritten with same-length content and its mtime restored
    fs.writeFileSync(file, 'x = 9\n');
    fs.utimesSync(file, st.atime, st.mtime);

    // THEN the key changes
    expect(fs.statSync(file).size).toBe(st.size);
    expect(keyOfDir(dir)).not.toBe(before);
  });

  test('files the ZIP leaves out (.git, .env, __pycache__, user excludes) do not count', () => {
    // GIVEN a baseline key
    const dir = sampleTree();
    const base = keyOfDir(dir, TARGET, ['*.log']);

    // WHEN excluded files appear
    writeTree(dir, { '.git/HEAD': 'ref', '.env': 'SECRET=1', 'python/__pycache__/mod.cpython-312.pyc': 'bc', 'debug.log': 'x' });

    // THEN the key is unchanged
    expect(keyOfDir(dir, TARGET, ['*.log'])).toBe(base);
  });

  test('python: covers the requirements and the local wheels, not their paths', () => {
    // GIVEN two checkouts with the same requirements and wheelhouse
    const mk = (): { req: string; links: string } => {
      const d = makeTempDir('pykey-');
      writeTree(d, { 'requirements.txt': 'tiny==1.0\n', 'wheels/tiny-1.0-py3-none-any.whl': 'wheel-bytes' });
      return { req: path.join(d, 'requirements.txt'), links: path.join(d, 'wheels') };
    };
    const one = mk();
    const two = mk();
    const key = (p: { req: string; links: string }): string =>
      computeInputKey(LayerSource.python({ requirements: p.req, findLinks: [p.links], noIndex: true }).bind(), TARGET);

    // THEN same key; a new wheel or a changed requirement changes it
    expect(key(one)).toBe(key(two));
    fs.writeFileSync(path.join(two.links, 'tiny-1.1-py3-none-any.whl'), 'newer');
    expect(key(two)).not.toBe(key(one));
    fs.writeFileSync(one.req, 'tiny==1.1\n');
    const changed = key(one);
    fs.writeFileSync(one.req, 'tiny==1.0\n');
    expect(changed).not.toBe(key(one));
  });

  test('node: covers package.json and the lockfile, nothing else in the directory', () => {
    // GIVEN a package directory with a lockfile and an unrelated file
    const d = makeTempDir('nodekey-');
    writeTree(d, { 'package.json': '{"name":"a"}', 'package-lock.json': '{"lockfileVersion":3}', 'index.js': '1' });
    const key = (): string => computeInputKey(LayerSource.node({ packageDir: d }).bind(), { ...TARGET, runtimes: ['nodejs20.x'] });
    const base = key();

    // THEN the unrelated file does not count, the lockfile does
    fs.writeFileSync(path.join(d, 'index.js'), '2');
    expect(key()).toBe(base);
    fs.writeFileSync(path.join(d, 'package-lock.json'), '{"lockfileVersion":3,"x":1}');
    expect(key()).not.toBe(base);
  });

  test('node: a project locked by npm-shrinkwrap.json is keyed on it (editing the shrinkwrap rebuilds)', () => {
    // GIVEN a package directory whose only lockfile is npm-shrinkwrap.json (npm ci installs from it)
    const d = makeTempDir('nodeshrink-');
    writeTree(d, { 'package.json': '{"name":"a"}', 'npm-shrinkwrap.json': '{"lockfileVersion":3}' });
    const key = (): string => computeInputKey(LayerSource.node({ packageDir: d }).bind(), { ...TARGET, runtimes: ['nodejs20.x'] });
    const base = key();

    // WHEN the shrinkwrap pins another version THEN the key changes; putting it back restores it
    fs.writeFileSync(path.join(d, 'npm-shrinkwrap.json'), '{"lockfileVersion":3,"packages":{"node_modules/x":{"version":"2.0.0"}}}');
    expect(key()).not.toBe(base);
    fs.writeFileSync(path.join(d, 'npm-shrinkwrap.json'), '{"lockfileVersion":3}');
    expect(key()).toBe(base);
  });

  test('node: with both lockfiles the key follows package-lock.json, the one the build installs from', () => {
    // GIVEN both lockfiles (the builder copies package-lock.json and leaves the shrinkwrap out)
    const d = makeTempDir('nodeboth-');
    writeTree(d, { 'package.json': '{"name":"a"}', 'package-lock.json': '{"lockfileVersion":3}', 'npm-shrinkwrap.json': '{"a":1}' });
    const key = (): string => computeInputKey(LayerSource.node({ packageDir: d }).bind(), { ...TARGET, runtimes: ['nodejs20.x'] });
    const base = key();

    // THEN the unused shrinkwrap does not count and package-lock.json does
    fs.writeFileSync(path.join(d, 'npm-shrinkwrap.json'), '{"a":2}');
    expect(key()).toBe(base);
    fs.writeFileSync(path.join(d, 'package-lock.json'), '{"lockfileVersion":3,"x":1}');
    expect(key()).not.toBe(base);
  });

  test('command: covers the inputs and argv relative to cwd, so checkouts at other paths agree', () => {
    // GIVEN the same project in two places, argv naming a script by absolute path
    const mk = (): string => {
      const d = makeTempDir('cmdkey-');
      writeTree(d, { 'build.sh': 'echo', 'src/a.txt': 'a', 'other.txt': 'o' });
      return d;
    };
    const key = (d: string): string => computeInputKey(LayerSource.command({
      command: ['sh', path.join(d, 'build.sh'), '{output}'], cwd: d, inputs: ['build.sh', 'src'],
    }).bind(), TARGET);
    const one = mk();
    const two = mk();

    // THEN the keys agree; an input change counts, a file outside the inputs does not
    expect(key(one)).toBe(key(two));
    fs.writeFileSync(path.join(two, 'other.txt'), 'changed');
    expect(key(two)).toBe(key(one));
    fs.writeFileSync(path.join(two, 'src/a.txt'), 'changed');
    expect(key(two)).not.toBe(key(one));
  });
});

describe('cache directory and lookups', () => {
  const saved = process.env.LAYERSMITH_CACHE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.LAYERSMITH_CACHE_DIR;
    else process.env.LAYERSMITH_CACHE_DIR = saved;
  });

  test('defaultCacheDir is $LAYERSMITH_CACHE_DIR, else ~/.cache/layersmith', () => {
    process.env.LAYERSMITH_CACHE_DIR = '/some/where';
    expect(defaultCacheDir()).toBe('/some/where');
    delete process.env.LAYERSMITH_CACHE_DIR;
    expect(defaultCacheDir()).toBe(path.join(os.homedir(), '.cache', 'layersmith'));
  });

  test('readArtifact ignores missing, half-written and mismatched entries', () => {
    // GIVEN a cache dir and a key
    const cacheDir = makeTempDir('cache-');
    const key = 'a'.repeat(64);
    const { zipPath, manifestPath } = artifactPaths(cacheDir, key);
    const manifest = { schemaVersion: 1, zip: { zippedSize: 4, sha256: createHash('sha256').update('PK..').digest('base64') }, build: { inputKey: key } };

    // THEN nothing there: undefined
    expect(readArtifact(cacheDir, key)).toBeUndefined();
    // a ZIP without its manifest (interrupted before the manifest rename): undefined
    fs.writeFileSync(zipPath, 'PK..');
    expect(readArtifact(cacheDir, key)).toBeUndefined();
    // a manifest whose recorded size does not match the ZIP: undefined
    fs.writeFileSync(manifestPath, JSON.stringify({ ...manifest, zip: { ...manifest.zip, zippedSize: 99 } }));
    expect(readArtifact(cacheDir, key)).toBeUndefined();
    // (a mismatched entry is removed: put the ZIP back for the cases below)
    fs.writeFileSync(zipPath, 'PK..');
    // a manifest of another key: undefined
    fs.writeFileSync(manifestPath, JSON.stringify({ ...manifest, build: { inputKey: 'b'.repeat(64) } }));
    expect(readArtifact(cacheDir, key)).toBeUndefined();
    // a truncated manifest: undefined
    fs.writeFileSync(manifestPath, '{"schemaVersion":1,');
    expect(readArtifact(cacheDir, key)).toBeUndefined();
    // the complete pair: a hit
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    expect(readArtifact(cacheDir, key)).toEqual({ zipPath, manifestPath, manifest, inputKey: key, cacheHit: true });
  });
});

describe('stale temp files', () => {
  test('temps older than a day are swept; young temps and artifacts stay', () => {
    // GIVEN a killed build's old temp, a build in flight (of this live process) and a complete entry
    const cacheDir = makeTempDir('sweep-');
    const key = 'c'.repeat(64);
    const old = `${key}.zip.tmp-123-abc123`;
    const young = `${key}.zip.tmp-${process.pid}-def456`;
    writeTree(cacheDir, { [old]: 'x', [young]: 'y', [`${key}.zip`]: 'z', [`${key}.manifest.json`]: '{}' });
    const past = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    fs.utimesSync(path.join(cacheDir, old), past, past);
    fs.utimesSync(path.join(cacheDir, `${key}.zip`), past, past);

    // WHEN swept
    const removed = sweepStaleTemps(cacheDir);

    // THEN only the old temp went
    expect(removed).toEqual([old]);
    expect(fs.readdirSync(cacheDir).sort()).toEqual([`${key}.manifest.json`, `${key}.zip`, young].sort());
  });
});

describe('LayerSource factories', () => {
  test('a missing path throws at once, naming the factory, the option and the resolved path', () => {
    const missing = path.join(os.tmpdir(), 'layersmith-definitely-missing-dir');
    expect(() => LayerSource.fromDirectory(missing))
      .toThrow(`LayerSource.fromDirectory: dir '${missing}' does not exist (relative paths resolve against ${process.cwd()}). Fix: point dir at an existing path.`);
    expect(() => LayerSource.fromZip('no-such-layer.zip')).toThrow(`LayerSource.fromZip: file '${path.resolve('no-such-layer.zip')}' does not exist`);
    expect(() => LayerSource.python({ requirements: 'nope/requirements.txt' })).toThrow(/LayerSource\.python: requirements '.*nope\/requirements\.txt' does not exist/);
    expect(() => LayerSource.node({ packageDir: 'nope' })).toThrow(/LayerSource\.node: packageDir '.*nope' does not exist/);
    expect(() => LayerSource.php({ composerDir: 'nope' })).toThrow(/LayerSource\.php: composerDir/);
    expect(() => LayerSource.ruby({ gemfileDir: 'nope' })).toThrow(/LayerSource\.ruby: gemfileDir/);
    expect(() => LayerSource.customRuntime({ bootstrap: 'nope' })).toThrow(/LayerSource\.customRuntime: bootstrap/);
    const cwd = makeTempDir('cmd-');
    expect(() => LayerSource.command({ command: ['true'], cwd, inputs: ['absent.txt'] })).toThrow(`LayerSource.command: inputs '${path.join(cwd, 'absent.txt')}' does not exist`);
  });

  test('a directory given where a file is expected (and the reverse) is named as such', () => {
    const d = makeTempDir('kind-');
    writeTree(d, { 'f.txt': 'x' });
    expect(() => LayerSource.fromZip(d)).toThrow(`LayerSource.fromZip: file '${d}' is not a file. Fix: point file at a file.`);
    expect(() => LayerSource.fromDirectory(path.join(d, 'f.txt'))).toThrow(`LayerSource.fromDirectory: dir '${path.join(d, 'f.txt')}' is not a directory.`);
    expect(() => LayerSource.node({ packageDir: d })).toThrow(`LayerSource.node: packageDir/package.json '${path.join(d, 'package.json')}' does not exist`);
  });

  test('relative paths resolve against the current directory at factory time', () => {
    const d = makeTempDir('rel-');
    const rel = path.relative(process.cwd(), d);
    const spec = LayerSource.fromDirectory(rel).bind();
    expect(spec).toEqual({ kind: 'directory', path: d });
  });

  test('settings that cannot work are rejected with the fix', () => {
    const d = makeTempDir('bad-');
    expect(() => LayerSource.python({})).toThrow("LayerSource.python: nothing to install. Fix: give 'requirements'");
    expect(() => LayerSource.python({ packages: ['x'], pythonVersion: '3' })).toThrow("LayerSource.python: pythonVersion '3' is not of the form '3.Y'. Fix: e.g. pythonVersion: '3.12'.");
    expect(() => LayerSource.python({ packages: ['x'], noIndex: true })).toThrow('LayerSource.python: noIndex is set but findLinks is empty');
    expect(() => LayerSource.command({ command: [], inputs: [d] })).toThrow("LayerSource.command: 'command' is empty.");
    expect(() => LayerSource.command({ command: ['true'], inputs: [] })).toThrow("LayerSource.command: 'inputs' is empty, so the cache could never see a change.");
    writeTree(d, { Gemfile: '' });
    expect(() => LayerSource.ruby({ gemfileDir: d, rubyAbi: '3.3' })).toThrow("LayerSource.ruby: rubyAbi '3.3' is not of the form 'X.Y.0'.");
  });

  test('bind() gives plain JSON data with the kind', () => {
    const d = makeTempDir('bind-');
    const src = LayerSource.python({ packages: ['requests==2.32.3'], pythonVersion: '3.12', findLinks: [d], indexUrl: 'https://example.invalid/simple' });
    expect(src.kind).toBe('python');
    expect(JSON.parse(JSON.stringify(src.bind()))).toEqual({
      kind: 'python', layout: 'python', packages: ['requests==2.32.3'], pythonVersion: '3.12', findLinks: [d], indexUrl: 'https://example.invalid/simple',
    });
  });
});
