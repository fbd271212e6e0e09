import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget } from '../../../lib/engine/api';
import { computeInputKey, readArtifact } from '../../../lib/engine/cache';
import { buildLayer } from '../../../lib/engine/engine';
import { inspectZip } from '../../../lib/engine/inspect';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, makeWheel, testWithTools, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

const PY: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };
const quiet = { progress: false };

const FILES: Record<string, string> = {
  'python/pkg/__init__.py': 'from .core import run\n',
  'python/pkg/core.py': 'def run():\n    return 42\n',
  'bin/tool': '#!/bin/sh\necho tool\n',
  'lib/libdata.txt': 'data\n',
  'README.md': '# layer\n',
};

/** Writes FILES in the given order under the given umask, then sets every mtime to `mtime`. */
function makeTree(order: string[], umask: number, mtime: Date, execMode: number): string {
  const previous = process.umask(umask);
  try {
    const root = makeTempDir('repro-');
    for (const rel of order) writeTree(root, { [rel]: FILES[rel] });
    fs.chmodSync(path.join(root, 'bin/tool'), execMode);
    for (const rel of order) fs.utimesSync(path.join(root, rel), mtime, mtime);
    return root;
  } finally {
    process.umask(previous);
  }
}

async function withUmask<T>(umask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(umask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

describe('reproducible builds', () => {
  test('same directory content created in another order, under another umask, with other mtimes, elsewhere: same key, same bytes', async () => {
    // GIVEN two trees that differ only in how and where they were made
    const names = Object.keys(FILES);
    const a = makeTree(names, 0o022, new Date(), 0o755);
    const b = makeTree([...names].reverse(), 0o077, new Date('1999-12-31T23:59:58Z'), 0o700);
    expect((fs.statSync(path.join(b, 'python/pkg/core.py')).mode & 0o777)).toBe(0o600);

    // WHEN each is built into its own cache (so neither is a cache hit)
    const artA = await buildLayer(LayerSource.fromDirectory(a), PY, { cacheDir: makeTempDir('cache-a-'), ...quiet });
    const artB = await buildLayer(LayerSource.fromDirectory(b), PY, { cacheDir: makeTempDir('cache-b-'), ...quiet });

    // THEN the keys and the ZIP bytes are identical
    expect(artB.cacheHit).toBe(false);
    expect(artB.inputKey).toBe(artA.inputKey);
    expect(fs.readFileSync(artB.zipPath).equals(fs.readFileSync(artA.zipPath))).toBe(true);
    expect(artB.manifest).toEqual(artA.manifest);
  });

  testWithTools('python3')('two pip builds of the same requirements under different umasks give the same bytes', async () => {
    // GIVEN one wheelhouse
    const links = makeTempDir('wh-');
    await makeWheel(links, { name: 'tiny-greeter', version: '1.2.0', requires: ['tiny-dep'] });
    await makeWheel(links, { name: 'tiny-dep', version: '0.3.0' });
    const source = LayerSource.python({ packages: ['tiny-greeter==1.2.0'], findLinks: [links], noIndex: true });

    // WHEN built twice, into separate caches, under umask 022 and 077
    const one = await withUmask(0o022, () => buildLayer(source, PY, { cacheDir: makeTempDir('cache-1-'), ...quiet }));
    const two = await withUmask(0o077, () => buildLayer(source, PY, { cacheDir: makeTempDir('cache-2-'), ...quiet }));

    // THEN both ran pip and produced the same bytes
    expect([one.cacheHit, two.cacheHit]).toEqual([false, false]);
    expect(fs.readFileSync(two.zipPath).equals(fs.readFileSync(one.zipPath))).toBe(true);
  });
});

describe('concurrent builds of one key', () => {
  test('two processes building the same key at once both succeed and leave one valid artifact', async () => {
    // GIVEN a slow command source whose output differs per run (so the two builds differ), and
    // one shared cache directory
    const proj = makeTempDir('conc-');
    writeTree(proj, { 'build.sh': 'sleep 1\nmkdir -p "$1/share"\nseq 1 2000 > "$1/share/numbers.txt"\necho "$$ $(date +%N)" > "$1/share/run.txt"\n' });
    const cacheDir = makeTempDir('cache-shared-');
    const spec = LayerSource.command({ command: ['sh', 'build.sh', '{output}'], cwd: proj, inputs: ['build.sh'] }).bind();
    const request = path.join(proj, 'request.json');
    fs.writeFileSync(request, JSON.stringify({ spec, target: PY, inputKey: computeInputKey(spec, PY), options: { cacheDir, progress: false } }));

    // WHEN two real worker processes build it simultaneously
    const worker = path.resolve(__dirname, '../../../lib/engine/worker.ts');
    type WorkerResult = { artifact?: { zipPath: string; inputKey: string; manifest: { zip: { sha256: string } } }; error?: unknown };
    const runWorker = (n: number): Promise<{ code: number | null; result: WorkerResult }> =>
      new Promise((resolve, reject) => {
        const out = path.join(proj, `result-${n}.json`);
        const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), worker, request, out], {
          stdio: 'inherit',
          env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' },
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, result: JSON.parse(fs.readFileSync(out, 'utf8')) }));
      });
    const [r1, r2] = await Promise.all([runWorker(1), runWorker(2)]);

    // THEN both report the same artifact, which is complete and matches its manifest
    expect(r1.result.error).toBeUndefined();
    expect(r2.result.error).toBeUndefined();
    expect(r1.result.artifact!.zipPath).toBe(r2.result.artifact!.zipPath);
    const cached = readArtifact(cacheDir, r1.result.artifact!.inputKey);
    expect(cached).toBeDefined();
    const inspected = await inspectZip(cached!.zipPath);
    expect(inspected.zip).toEqual(cached!.manifest.zip);
    expect(inspected.entries.map((e) => e.path)).toEqual(['share/', 'share/numbers.txt', 'share/run.txt']);
    // and both callers were handed the manifest of the ZIP that is actually there
    expect(r1.result.artifact!.manifest.zip.sha256).toBe(inspected.zip.sha256);
    expect(r2.result.artifact!.manifest.zip.sha256).toBe(inspected.zip.sha256);
    // and no temp file survives next to the entry (a read may add the entry's verification stamp, see cache-verify.ts;
    // reuse/ holds the record of compressed entries a rebuild of this layer may copy, digests/ the key's)
    expect(fs.readdirSync(cacheDir).filter((n) => n !== `${cached!.inputKey}.verified.json` && n !== 'reuse' && n !== 'digests').sort())
      .toEqual([`${cached!.inputKey}.manifest.json`, `${cached!.inputKey}.zip`]);
  });
});
