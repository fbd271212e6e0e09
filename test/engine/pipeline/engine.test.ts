import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget } from '../../../lib/engine/api';
import { BuildCommandError } from '../../../lib/engine/builders/exec';
import { buildLayer } from '../../../lib/engine/engine';
import { ZipInspectionError } from '../../../lib/engine/inspect';
import { LayerSource } from '../../../lib/engine/source';
import { MissingToolError } from '../../../lib/engine/tools';
import { cleanupTempDirs, makeTempDir, makeWheel, testWithTools, writeRawZip, writeTree, writeZip } from '../../helpers';

afterAll(cleanupTempDirs);

const PY: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };
const quiet = { progress: false };

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('base64');
}

function paths(manifest: { entries: readonly { path: string }[] }): string[] {
  return manifest.entries.map((e) => e.path);
}

describe('buildLayer: real layers land at the right paths', () => {
  testWithTools('python3')('python layer from local wheels; a second call is a cache hit that runs no pip', async () => {
    // GIVEN a wheelhouse and a requirements file
    const links = makeTempDir('wh-');
    await makeWheel(links, { name: 'tiny-greeter', version: '1.2.0' });
    const proj = makeTempDir('py-');
    writeTree(proj, { 'requirements.txt': 'tiny-greeter==1.2.0\n' });
    const cacheDir = makeTempDir('cache-');
    const source = LayerSource.python({ requirements: path.join(proj, 'requirements.txt'), findLinks: [links], noIndex: true });

    // WHEN built
    const first = await buildLayer(source, PY, { cacheDir, ...quiet });

    // THEN the ZIP holds the package under python/, the manifest knows it and records the build
    expect(first.cacheHit).toBe(false);
    expect(paths(first.manifest)).toEqual(expect.arrayContaining(['python/tiny_greeter/__init__.py', 'python/tiny_greeter-1.2.0.dist-info/METADATA']));
    expect(first.manifest.packages).toContainEqual(expect.objectContaining({ ecosystem: 'python', name: 'tiny-greeter', version: '1.2.0' }));
    expect(first.manifest.build).toEqual(expect.objectContaining({ source: 'python', inputKey: first.inputKey, platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] }));
    expect(first.manifest.zip.sha256).toBe(sha256(first.zipPath));
    expect(JSON.parse(fs.readFileSync(first.manifestPath, 'utf8'))).toEqual(first.manifest);
    expect(first.zipPath).toBe(path.join(cacheDir, `${first.inputKey}.zip`));

    // WHEN built again with no pip (nor anything else) on PATH
    const savedPath = process.env.PATH;
    process.env.PATH = makeTempDir('nopath-');
    let second;
    try {
      second = await buildLayer(source, PY, { cacheDir, ...quiet });
    } finally {
      process.env.PATH = savedPath;
    }

    // THEN it is a hit on the same artifact (a miss would have failed: pip is not reachable)
    expect(second.cacheHit).toBe(true);
    expect(second.zipPath).toBe(first.zipPath);
    expect(second.manifest).toEqual(first.manifest);

    // and a miss with that PATH would indeed have failed for want of the interpreter
    process.env.PATH = makeTempDir('nopath-');
    try {
      await expect(buildLayer(source, { ...PY, architecture: 'arm64' }, { cacheDir, ...quiet })).rejects.toBeInstanceOf(MissingToolError);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  testWithTools('npm')('node layer from package.json + lockfile with a real registry dependency', async () => {
    // GIVEN a committed-style lockfile for is-number 7.0.0
    const dir = makeTempDir('node-');
    writeTree(dir, {
      'package.json': JSON.stringify({ name: 'deps', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } }),
      'package-lock.json': JSON.stringify({
        name: 'deps',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'deps', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } },
          'node_modules/is-number': {
            version: '7.0.0',
            resolved: 'https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz',
            integrity: 'sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==',
            engines: { node: '>=0.12.0' },
          },
        },
      }),
    });

    // WHEN built for arm64
    const art = await buildLayer(LayerSource.node({ packageDir: dir }), { platform: 'aws', architecture: 'arm64', runtimes: ['nodejs20.x'] }, { cacheDir: makeTempDir('cache-'), ...quiet });

    // THEN the package is in nodejs/node_modules/ and recognised with its version
    expect(paths(art.manifest)).toContain('nodejs/node_modules/is-number/index.js');
    expect(art.manifest.packages).toContainEqual(expect.objectContaining({ ecosystem: 'node', name: 'is-number', version: '7.0.0' }));
  });

  testWithTools('npm')('node layer for arm64 gets the linux-arm64 optional native package, not the host\'s', async () => {
    // GIVEN esbuild, which ships its binary as one optional package per os/cpu, locked by npm
    const dir = makeTempDir('node-native-');
    writeTree(dir, { 'package.json': JSON.stringify({ name: 'native', version: '1.0.0', dependencies: { esbuild: '0.20.2' } }) });
    const lock = spawnSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    expect(lock.status).toBe(0);

    // WHEN built for Linux arm64 (on this x86_64 host)
    const art = await buildLayer(LayerSource.node({ packageDir: dir }), { platform: 'aws', architecture: 'arm64', runtimes: ['nodejs20.x'] }, { cacheDir: makeTempDir('cache-'), ...quiet });

    // THEN only the linux-arm64 binary package is there, and the inspector sees an AArch64 ELF
    const pkgs = art.manifest.packages.filter((p) => p.name.startsWith('@esbuild/')).map((p) => p.name);
    expect(pkgs).toEqual(['@esbuild/linux-arm64']);
    expect(art.manifest.natives).toContainEqual(expect.objectContaining({
      path: 'nodejs/node_modules/@esbuild/linux-arm64/bin/esbuild',
      format: 'elf',
      os: 'linux',
      cpu: 'arm64',
    }));
  });

  test('jar directory lands in java/lib/', async () => {
    const dir = makeTempDir('jars-');
    writeTree(dir, { 'dep-1.0.jar': 'not really a jar' });
    const art = await buildLayer(LayerSource.java({ jarsDir: dir }), { platform: 'alicloud', architecture: 'x86_64', runtimes: ['java11'] }, { cacheDir: makeTempDir('cache-'), ...quiet });
    expect(paths(art.manifest).filter((p) => !p.endsWith('/'))).toEqual(['java/lib/dep-1.0.jar']);
  });

  test('command source: argv {output} and LAYERSMITH_OUTPUT name the layer root; executables stay 0755', async () => {
    // GIVEN a script that writes a file and an executable into the output directory
    const proj = makeTempDir('cmd-');
    writeTree(proj, {
      'build.sh': 'set -e\nmkdir -p "$1/bin"\nprintf "%s" "$GREETING" > "$LAYERSMITH_OUTPUT/greeting.txt"\nprintf "#!/bin/sh\\necho hi\\n" > "$1/bin/hi"\nchmod 755 "$1/bin/hi"\n',
    });
    const source = LayerSource.command({ command: ['sh', 'build.sh', '{output}'], cwd: proj, inputs: ['build.sh'], environment: { GREETING: 'hello' } });

    // WHEN built
    const art = await buildLayer(source, PY, { cacheDir: makeTempDir('cache-'), ...quiet });

    // THEN both files are at the root with normalised modes
    const byPath = Object.fromEntries(art.manifest.entries.map((e) => [e.path, e]));
    expect(byPath['greeting.txt']).toEqual(expect.objectContaining({ size: 5, mode: 0o644, type: 'file' }));
    expect(byPath['bin/hi']).toEqual(expect.objectContaining({ mode: 0o755, type: 'file' }));
  });

  test('custom runtime: bootstrap at the root with 0755 even when the file was not executable', async () => {
    const d = makeTempDir('rt-');
    writeTree(d, { 'bootstrap.sh': '#!/bin/sh\nexec ./bin/app\n', 'extra/bin/app': 'ELF?' }, ['extra/bin/app']);
    fs.chmodSync(path.join(d, 'bootstrap.sh'), 0o644);
    const art = await buildLayer(LayerSource.customRuntime({ bootstrap: path.join(d, 'bootstrap.sh'), dir: path.join(d, 'extra') }), { platform: 'aws', architecture: 'x86_64', runtimes: ['provided.al2023'] }, { cacheDir: makeTempDir('cache-'), ...quiet });
    const byPath = Object.fromEntries(art.manifest.entries.map((e) => [e.path, e]));
    expect(byPath.bootstrap).toEqual(expect.objectContaining({ mode: 0o755, size: 25 }));
    expect(byPath['bin/app']).toEqual(expect.objectContaining({ mode: 0o755 }));
  });

  test('zip source: a user ZIP is validated and re-packed sorted with normalised modes', async () => {
    // GIVEN a ZIP written in unsorted order with odd modes
    const d = makeTempDir('zipsrc-');
    const zip = path.join(d, 'layer.zip');
    await writeZip(zip, { 'python/z.py': 'z', 'python/a.py': 'a', 'bin/run': '#!/bin/sh\n' }, { 'python/z.py': 0o600, 'bin/run': 0o700 });

    // WHEN built
    const art = await buildLayer(LayerSource.fromZip(zip), PY, { cacheDir: makeTempDir('cache-'), ...quiet });

    // THEN the entries come out sorted, 0644 / 0755
    const files = art.manifest.entries.filter((e) => e.type === 'file');
    expect(files.map((e) => [e.path, e.mode])).toEqual([['bin/run', 0o755], ['python/a.py', 0o644], ['python/z.py', 0o644]]);
  });

  test('zip source with an entry escaping the root is rejected with a coded error, nothing cached', async () => {
    // GIVEN a ZIP with '../evil.txt'
    const d = makeTempDir('zipbad-');
    const zip = path.join(d, 'bad.zip');
    writeRawZip(zip, [{ name: 'ok.txt', data: 'ok' }, { name: '../evil.txt', data: 'x' }]);
    const cacheDir = makeTempDir('cache-');

    // WHEN / THEN
    const err = await buildLayer(LayerSource.fromZip(zip), PY, { cacheDir, ...quiet }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ZipInspectionError);
    expect((err as Error).message).toContain('../evil.txt');
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });
});

describe('buildLayer: failures', () => {
  test('a failing command reports the command line, exit code and the last 20 lines; leaves no artifact or temp dir', async () => {
    // GIVEN a command that prints 30 lines and exits 3, and a private TMPDIR to watch
    const proj = makeTempDir('fail-');
    writeTree(proj, { 'build.sh': 'for i in $(seq 1 30); do echo "line $i"; done\necho "boom" >&2\nexit 3\n' });
    const cacheDir = makeTempDir('cache-');
    const tmp = makeTempDir('tmpdir-');
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    let err: unknown;
    try {
      // WHEN built
      err = await buildLayer(LayerSource.command({ command: ['sh', 'build.sh', '{output}'], cwd: proj, inputs: ['build.sh'] }), PY, { cacheDir, ...quiet })
        .then(() => undefined, (e: unknown) => e);
    } finally {
      process.env.TMPDIR = savedTmp;
    }

    // THEN the error says what ran, how it ended and how it ended its output
    expect(err).toBeInstanceOf(BuildCommandError);
    const e = err as BuildCommandError;
    expect(e.exitCode).toBe(3);
    expect(e.message.split('\n')[0]).toMatch(/^Command failed with exit code 3: sh build\.sh \/.+$/);
    expect(e.outputTail).toHaveLength(20);
    expect(e.outputTail[0]).toBe('line 12');
    expect(e.outputTail[19]).toBe('boom');
    expect(e.message).toContain('  | line 30');
    // and nothing half-written is left: no cache entry, no staging dir
    expect(fs.readdirSync(cacheDir)).toEqual([]);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('a command that succeeds but writes nothing is an error', async () => {
    const proj = makeTempDir('empty-');
    writeTree(proj, { 'noop.sh': 'exit 0\n' });
    await expect(buildLayer(LayerSource.command({ command: ['sh', 'noop.sh'], cwd: proj, inputs: ['noop.sh'] }), PY, { cacheDir: makeTempDir('cache-'), ...quiet }))
      .rejects.toThrow("LayerSource.command: 'sh noop.sh' exited 0 but wrote nothing into the output directory.");
  });

  test('a command that is not installed names itself', async () => {
    const proj = makeTempDir('missing-');
    writeTree(proj, { 'in.txt': 'x' });
    await expect(buildLayer(LayerSource.command({ command: ['layersmith-no-such-tool', '{output}'], cwd: proj, inputs: ['in.txt'] }), PY, { cacheDir: makeTempDir('cache-'), ...quiet }))
      .rejects.toThrow("LayerSource.command needs 'layersmith-no-such-tool', which is not on PATH.");
  });
});

describe('buildLayer: progress', () => {
  test('prints step lines with durations to stderr, and nothing with progress: false or LAYERSMITH_QUIET=1', async () => {
    const d = makeTempDir('prog-');
    writeTree(d, { 'a.txt': 'a' });
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const savedQuiet = process.env.LAYERSMITH_QUIET;
    delete process.env.LAYERSMITH_QUIET;
    try {
      await buildLayer(LayerSource.fromDirectory(d), PY, { cacheDir: makeTempDir('cache-'), progress: false });
      process.env.LAYERSMITH_QUIET = '1';
      await buildLayer(LayerSource.fromDirectory(d), PY, { cacheDir: makeTempDir('cache-') });
      delete process.env.LAYERSMITH_QUIET;
      expect(lines).toEqual([]);
      await buildLayer(LayerSource.fromDirectory(d), PY, { cacheDir: makeTempDir('cache-') });
    } finally {
      spy.mockRestore();
      if (savedQuiet !== undefined) process.env.LAYERSMITH_QUIET = savedQuiet;
    }
    expect(lines.join('')).toMatch(/^layersmith \[directory\]: pack zip: done 1\/1 in \d+\.\ds$/m);
    expect(lines.join('')).toMatch(/^layersmith \[directory\]: built [0-9a-f]{12}: 1 entries, \d+ B zipped, 1 B unzipped in \d+\.\ds$/m);
  });
});
