import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readWithYauzl } from './zip/helpers';
import { digestCounters } from '../../lib/engine/digest';
import { DigestIndex, digestIndexDir, RACY_MS } from '../../lib/engine/digest-index';
import { buildLayer } from '../../lib/engine/engine';
import { keysAfterPack } from '../../lib/engine/first-build';
import { LayerSource } from '../../lib/engine/source';
import { buildLayerSync } from '../../lib/engine/sync';
import { packDirectory } from '../../lib/engine/zip';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';

/**
 * A first build of a directory layer packs first and keys afterwards, from the digests the
 * deflate workers computed of the bytes they compressed (engine.ts buildKeyAfterPack).
 */

afterAll(() => cleanupTempDirs());

const repo = path.resolve(__dirname, '..', '..');
const engineIndex = JSON.stringify(path.join(repo, 'lib', 'engine', 'index.ts'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TARGET = { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] } as const;

/** A layer tree of a few files, old enough for digest records (RACY_MS) once the caller waited. */
function layerTree(): string {
  const dir = makeTempDir();
  const layer = path.join(dir, 'layer');
  writeTree(layer, {
    'nodejs/node_modules/a/index.js': 'module.exports = 1;\n'.repeat(200),
    'nodejs/node_modules/a/package.json': '{"name":"a","version":"1.0.0"}',
    // incompressible, so no tree left after a deletion trips the inspector's ratio guard
    'nodejs/node_modules/b/lib/big.js': randomBytes(300_000),
    'bin/tool': '#!/bin/sh\necho hi\n',
  }, ['bin/tool']);
  return layer;
}

/** The key of `layer` computed in a fresh process with its own empty cache (every file read). */
function keyInFreshProcess(layer: string): string {
  const cacheDir = makeTempDir();
  const code = `require('ts-node/register/transpile-only');
const { computeInputKey, LayerSource } = require(${engineIndex});
process.stdout.write(computeInputKey(LayerSource.fromDirectory(process.argv[1]).bind(), ${JSON.stringify(TARGET)}, process.argv[2]));`;
  const r = spawnSync(process.execPath, ['-e', code, layer, cacheDir], { encoding: 'utf8', env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

async function zipSha(layer: string): Promise<string> {
  return (await packDirectory(layer, path.join(makeTempDir(), 'ref.zip'))).sha256;
}

describe('first build of a directory layer: keyed after the pack', () => {
  test('GIVEN a directory never built WHEN buildLayerSync builds it THEN this process reads no file and the entry sits under the key a fresh process computes', async () => {
    // GIVEN
    const layer = layerTree();
    const cacheDir = makeTempDir();
    await sleep(RACY_MS + 200);
    expect(keysAfterPack(LayerSource.fromDirectory(layer).bind(), cacheDir)).toBe(true);
    // WHEN
    const readBefore = digestCounters().read;
    const artifact = buildLayerSync(LayerSource.fromDirectory(layer), TARGET, { cacheDir });
    // THEN the synth side hashed nothing (the child keyed the tree from its own reads)
    expect(digestCounters().read - readBefore).toBe(0);
    expect(artifact.cacheHit).toBe(false);
    expect(artifact.inputKey).toBe(keyInFreshProcess(layer));
    expect(artifact.manifest.build?.inputKey).toBe(artifact.inputKey);
    expect(path.basename(artifact.zipPath)).toBe(`${artifact.inputKey}.zip`);
    // and the ZIP holds the bytes a plain pack of the tree gives
    expect(artifact.manifest.zip.sha256).toBe(await zipSha(layer));
    // and the key's digest record now exists, so the next build keys first (and hits)
    expect(DigestIndex.exists(digestIndexDir(cacheDir), layer)).toBe(true);
    expect(buildLayerSync(LayerSource.fromDirectory(layer), TARGET, { cacheDir })).toMatchObject({ cacheHit: true, inputKey: artifact.inputKey });
    // and no temp or lock of the provisional key is left
    expect(fs.readdirSync(cacheDir).filter((n) => n.startsWith('first-') || /\.(building|lock)$/.test(n) || n.includes('.tmp-'))).toEqual([]);
    expect(fs.readdirSync(cacheDir).filter((n) => n.startsWith(artifact.inputKey)).sort())
      .toEqual(expect.arrayContaining([`${artifact.inputKey}.manifest.json`, `${artifact.inputKey}.zip`]));
  }, 60_000);

  test('GIVEN a layer built first WHEN one file changes afterwards (same size) THEN the key changes and the rebuild packs the new bytes', async () => {
    // GIVEN
    const layer = layerTree();
    const cacheDir = makeTempDir();
    const first = await buildLayer(LayerSource.fromDirectory(layer), TARGET, { cacheDir });
    // WHEN
    fs.writeFileSync(path.join(layer, 'bin/tool'), '#!/bin/sh\necho HI\n');
    const second = await buildLayer(LayerSource.fromDirectory(layer), TARGET, { cacheDir });
    // THEN
    expect(second.inputKey).not.toBe(first.inputKey);
    expect(second.inputKey).toBe(keyInFreshProcess(layer));
    expect(second.cacheHit).toBe(false);
    const tool = (await readWithYauzl(second.zipPath)).find((e) => e.name === 'bin/tool');
    expect(tool?.data.toString()).toBe('#!/bin/sh\necho HI\n');
  }, 60_000);

  test('GIVEN a tree too recent for a digest record WHEN built twice THEN the second build answers from the cache', async () => {
    // GIVEN a tree whose times are an hour ahead, so no build may trust them (whatever the load)
    const layer = layerTree();
    const ahead = new Date(Date.now() + 3_600_000);
    const touch = (p: string): void => {
      if (fs.lstatSync(p).isDirectory()) for (const n of fs.readdirSync(p)) touch(path.join(p, n));
      fs.utimesSync(p, ahead, ahead);
    };
    touch(layer);
    const cacheDir = makeTempDir();
    const first = await buildLayer(LayerSource.fromDirectory(layer), TARGET, { cacheDir, progress: false });
    // WHEN built again at once: still no record, so keyed after its pack again
    expect(keysAfterPack(LayerSource.fromDirectory(layer).bind(), cacheDir)).toBe(true);
    const second = await buildLayer(LayerSource.fromDirectory(layer), TARGET, { cacheDir, progress: false });
    // THEN
    expect(second).toMatchObject({ cacheHit: true, inputKey: first.inputKey, zipPath: first.zipPath });
  }, 60_000);

  const mutations: Array<[string, (layer: string) => void]> = [
    ['a packed file changes', (layer) => fs.writeFileSync(path.join(layer, 'nodejs/node_modules/a/package.json'), '{"name":"a","version":"2.0.0"}')],
    ['a file appears', (layer) => fs.writeFileSync(path.join(layer, 'nodejs/node_modules/a/new.js'), 'exports.x = 1;\n')],
    ['a packed file is deleted', (layer) => fs.rmSync(path.join(layer, 'nodejs/node_modules/a/index.js'))],
  ];
  test.each(mutations)('GIVEN a first build stopped after its pack WHEN %s before the key THEN it builds again under the key of the files as they are', async (_what, mutate) => {
    // GIVEN a synth process whose build child stops right after packing
    const layer = layerTree();
    const cacheDir = makeTempDir();
    const marker = path.join(makeTempDir(), 'paused');
    const child = startSync(layer, cacheDir, { LAYERSMITH_TEST_PAUSE_AT: 'pack:done', LAYERSMITH_TEST_PAUSE_FILE: marker });
    try {
      const pid = await pausedPid(child, marker);
      // WHEN the tree changes between the pack and the key
      mutate(layer);
      process.kill(pid, 'SIGCONT');
      const code = await child.exited;
      expect(code === 0 ? '' : child.stderr).toBe('');
      // THEN the entry is what its key describes: the files as they are now
      const r = JSON.parse(child.stdout.trim());
      expect(child.stderr).toMatch(/while the layer was packed|while it was packed/);
      expect(child.stderr).toMatch(/building again from the files as they are now/);
      expect(r.key).toBe(keyInFreshProcess(layer));
      expect(r.sha).toBe(await zipSha(layer));
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    }
  }, 60_000);

  test('GIVEN 3 processes on one cold cache WHEN they build the same directory layer at once THEN it is built once and all get that entry', async () => {
    // GIVEN the first builder stops once it holds the provisional lock (its scratch dir made)
    const layer = layerTree();
    const cacheDir = makeTempDir();
    const marker = path.join(makeTempDir(), 'paused');
    const env = { LAYERSMITH_TEST_PAUSE_AT: 'build:scratch', LAYERSMITH_TEST_PAUSE_FILE: marker };
    // WHEN three synth processes start together
    const children = [0, 1, 2].map(() => startSync(layer, cacheDir, env));
    let builds = 0;
    try {
      // ... one of them builds, and the other two say they wait for it
      for (;;) {
        if (children.some((c) => c.proc.exitCode !== null)) break;
        const waiting = children.filter((c) => /waiting for process \d+, which is building .* for the first time/.test(c.stderr)).length;
        if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').endsWith('\n') && waiting === 2) break;
        await sleep(100);
      }
      // every build that reaches its scratch dir is counted and let go
      const release = setInterval(() => {
        if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').endsWith('\n')) {
          const pid = Number(fs.readFileSync(marker, 'utf8').split(' ')[0]);
          fs.rmSync(marker);
          builds++;
          process.kill(pid, 'SIGCONT');
        }
      }, 50);
      const codes = await Promise.all(children.map((c) => c.exited));
      clearInterval(release);
      // THEN
      expect({ codes, stderr: children.map((c) => (c.proc.exitCode === 0 ? '' : c.stderr)) }).toEqual({ codes: [0, 0, 0], stderr: ['', '', ''] });
      expect(builds).toBe(1);
      const results = children.map((c) => JSON.parse(c.stdout.trim()));
      expect(new Set(results.map((r) => `${r.key}/${r.sha}`)).size).toBe(1);
      expect(results.filter((r) => !r.hit)).toHaveLength(1);
      expect(results[0].key).toBe(keyInFreshProcess(layer));
      expect(fs.readdirSync(cacheDir).filter((n) => /\.(building|lock)$/.test(n) || n.includes('.tmp-'))).toEqual([]);
    } finally {
      for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    }
  }, 120_000);
});

describe('a first build killed mid-pack', () => {
  test('GIVEN a first build killed with SIGKILL halfway through its pack WHEN built again THEN it succeeds with the same bytes and nothing of the killed build is left', async () => {
    // GIVEN a layer of several worker batches, and a synth whose build child stops halfway
    const layer = layerTree();
    for (let i = 0; i < 600; i++) writeTree(layer, { [`nodejs/node_modules/c/f${i}.js`]: `exports.n = ${i};\n` });
    const cacheDir = makeTempDir();
    const marker = path.join(makeTempDir(), 'paused');
    const child = startSync(layer, cacheDir, { LAYERSMITH_TEST_PAUSE_AT: 'pack:half', LAYERSMITH_TEST_PAUSE_FILE: marker });
    try {
      // WHEN the build child and its synth are killed
      process.kill(await pausedPid(child, marker), 'SIGKILL');
      child.proc.kill('SIGKILL');
      await child.exited;
      expect(fs.readdirSync(cacheDir).some((n) => n.startsWith('first-'))).toBe(true);
      const next = buildLayerSync(LayerSource.fromDirectory(layer), TARGET, { cacheDir });
      // THEN
      expect(next.cacheHit).toBe(false);
      expect(next.manifest.zip.sha256).toBe(await zipSha(layer));
      expect(next.inputKey).toBe(keyInFreshProcess(layer));
      expect(fs.readdirSync(cacheDir).filter((n) => n.startsWith('first-') || /\.(building|lock)$/.test(n) || n.includes('.tmp-'))).toEqual([]);
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    }
  }, 60_000);
});

describe('digest records follow the cacheDir of the build', () => {
  test('GIVEN a layer built with a cacheDir WHEN one file changes and it is rebuilt THEN the unchanged entries are reused from that cacheDir', async () => {
    // GIVEN a built layer whose files are old enough to be on record
    const layer = layerTree();
    const cacheDir = makeTempDir();
    await sleep(RACY_MS + 200);
    const first = await buildLayer(LayerSource.fromDirectory(layer), TARGET, { cacheDir, progress: false });
    // WHEN one file changes and the layer is rebuilt (keyed first: the tree is on record now)
    fs.writeFileSync(path.join(layer, 'bin/tool'), '#!/bin/sh\necho HI\n');
    expect(keysAfterPack(LayerSource.fromDirectory(layer).bind(), cacheDir)).toBe(false);
    const second = await buildLayer(LayerSource.fromDirectory(layer), TARGET, { cacheDir, progress: false });
    // THEN the rebuild found the digests in that cacheDir: it recorded every file on record (all
    // but the one just written) for the next rebuild, pointing into its own ZIP (with no digests
    // it records nothing and the old record stays)
    expect(second.inputKey).not.toBe(first.inputKey);
    const recordDir = path.join(cacheDir, 'reuse');
    const records = fs.readdirSync(recordDir).map((n) => JSON.parse(fs.readFileSync(path.join(recordDir, n), 'utf8')));
    expect(records).toHaveLength(1);
    expect(records[0].zip).toBe(second.zipPath);
    expect([...records[0].names].sort()).toEqual(['nodejs/node_modules/a/index.js', 'nodejs/node_modules/a/package.json',
      'nodejs/node_modules/b/lib/big.js']);
  }, 60_000);
});

interface SyncProcess {
  readonly proc: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

/** A process that builds the layer with buildLayerSync (as a synth does) and prints what it got. */
/** The pid of the build child once it has stopped at its pause point (the marker file says so). */
async function pausedPid(child: SyncProcess, marker: string): Promise<number> {
  while (!(fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').endsWith('\n'))) {
    if (child.proc.exitCode !== null) throw new Error(child.stderr);
    await sleep(50);
  }
  return Number(fs.readFileSync(marker, 'utf8').split(' ')[0]);
}

function startSync(layer: string, cacheDir: string, extraEnv: Record<string, string>): SyncProcess {
  const code = `require('ts-node/register/transpile-only');
const { buildLayerSync, LayerSource } = require(${engineIndex});
const a = buildLayerSync(LayerSource.fromDirectory(process.argv[1]), ${JSON.stringify(TARGET)}, { cacheDir: process.argv[2] });
console.log(JSON.stringify({ key: a.inputKey, sha: a.manifest.zip.sha256, hit: a.cacheHit }));`;
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true', ...extraEnv };
  delete env.LAYERSMITH_QUIET;
  const proc = spawn(process.execPath, ['-e', code, layer, cacheDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: SyncProcess = { proc, stdout: '', stderr: '', exited: new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c))) };
  proc.stdout!.on('data', (d) => { child.stdout += d; });
  proc.stderr!.on('data', (d) => { child.stderr += d; });
  return child;
}
