import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as awsLayers from '../../lib/aws-cdk';
import { LayersmithBuildError } from '../../lib/core';
import type { BuildTarget } from '../../lib/engine/api';
import { buildLayer } from '../../lib/engine/engine';
import { LayerSource } from '../../lib/engine/source';
import * as rosLayers from '../../lib/ros-cdk';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';
import { canMount, mountTmpfs, remount, unmountAll } from '../helpers/mounts';

/**
 * Hostile file systems: a read-only cache directory and a full disk (small tmpfs mounts; the
 * suite runs as root, as CI does). Each fault gives one clear error naming the path and the fix,
 * leaves nothing half-written, and the next build after the fault is removed succeeds.
 */

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };

afterAll(() => {
  unmountAll();
  cleanupTempDirs();
});

const rootOnly = canMount ? test : test.skip;
if (!canMount) {
  // eslint-disable-next-line no-console
  console.warn('hostile-fs: not root, cannot mount the tmpfs these tests need');
}

/** A layer directory of `bytes` of incompressible data (so the ZIP is about that big). */
function bigLayer(bytes: number): string {
  const dir = makeTempDir('layersmith-test-hostile-');
  writeTree(dir, { 'bin/blob': randomBytes(bytes), 'bin/tool': '#!/bin/sh\n' });
  return dir;
}

/** Runs `fn` with TMPDIR pointing at a private directory, so staging leftovers are visible. */
async function withTmp<T>(fn: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = makeTempDir('layersmith-test-hostile-tmp-');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    return await fn(tmp);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

describe('hostile file systems', () => {
  rootOnly('a read-only cache directory: one error naming it and the fix; nothing written; works once writable', async () => {
    // GIVEN a cache directory on a read-only file system
    const cacheDir = makeTempDir('layersmith-test-hostile-cache-');
    mountTmpfs(cacheDir, 'ro,size=4m');
    const source = LayerSource.fromDirectory(bigLayer(10_000));

    // WHEN built
    const { err, tmpLeft } = await withTmp(async (tmp) => {
      const e = await buildLayer(source, TARGET, { cacheDir, progress: false }).then(() => undefined, (x: unknown) => x);
      return { err: e, tmpLeft: fs.readdirSync(tmp) };
    });

    // THEN one clear error: the path, the rule, the fix
    expect(err).toBeInstanceOf(LayersmithBuildError);
    const e = err as LayersmithBuildError;
    expect(e.code).toBe('CACHE_NOT_WRITABLE');
    expect(e.message).toContain(cacheDir);
    expect(e.message).toMatch(/EROFS: read-only file system/);
    expect(e.message).toMatch(/Fix: set LAYERSMITH_CACHE_DIR \(or the cacheDir prop\) to a writable directory/);
    // and nothing half-written: no staging directory, nothing in the cache
    expect(tmpLeft).toEqual([]);
    expect(fs.readdirSync(cacheDir)).toEqual([]);

    // WHEN the cache becomes writable and the layer is built again
    remount(cacheDir, 'rw');
    const art = await buildLayer(source, TARGET, { cacheDir, progress: false });

    // THEN it succeeds
    expect(art.cacheHit).toBe(false);
    expect(fs.existsSync(art.zipPath)).toBe(true);
  });

  rootOnly('a full disk: one error naming the path, the free bytes and the fix; no partial ZIP; works once there is space', async () => {
    // GIVEN a 2 MiB cache file system and a layer of 3 MB of incompressible data
    const cacheDir = makeTempDir('layersmith-test-hostile-cache-');
    mountTmpfs(cacheDir, 'size=2m');
    const source = LayerSource.fromDirectory(bigLayer(3_000_000));

    // WHEN built
    const { err, tmpLeft } = await withTmp(async (tmp) => {
      const e = await buildLayer(source, TARGET, { cacheDir, progress: false }).then(() => undefined, (x: unknown) => x);
      return { err: e, tmpLeft: fs.readdirSync(tmp) };
    });

    // THEN one clear error
    expect(err).toBeInstanceOf(LayersmithBuildError);
    const e = err as LayersmithBuildError;
    expect(e.code).toBe('DISK_FULL');
    expect(e.message).toContain(cacheDir);
    expect(e.message).toMatch(/no space left writing .* \((ENOSPC|short write)?.*[\d,]+ bytes free on its file system\)/);
    expect(e.message).toMatch(/Fix: free space there, or set LAYERSMITH_CACHE_DIR/);
    // and no partial ZIP or staging directory is left (the key's digest record, written whole when the
    // layer's files are old enough to trust, is not a build product)
    expect(fs.readdirSync(cacheDir).filter((f) => f !== 'digests')).toEqual([]);
    expect(tmpLeft).toEqual([]);

    // WHEN the file system grows and the layer is built again
    remount(cacheDir, 'size=16m');
    const art = await buildLayer(source, TARGET, { cacheDir, progress: false });

    // THEN it succeeds, and the cache holds exactly the entry
    expect(art.cacheHit).toBe(false);
    expect(fs.readdirSync(cacheDir).filter((f) => f !== 'digests' && f !== 'reuse').sort()).toEqual([`${art.inputKey}.manifest.json`, `${art.inputKey}.zip`]);
    expect(path.dirname(art.zipPath)).toBe(cacheDir);
  });

  /** What a front-end declares: one directory layer into `outdir`, built with `cacheDir`. */
  const frontEnds = {
    'aws-cdk': (outdir: string, cacheDir: string, layerDir: string) => {
      const app = new cdk.App({ outdir });
      const stack = new cdk.Stack(app, 'Hostile');
      new awsLayers.RuntimeLayer(stack, 'Tools', {
        source: awsLayers.LayerSource.fromDirectory(layerDir), compatibleRuntimes: [lambda.Runtime.PYTHON_3_12], cacheDir,
      });
      return () => app.synth();
    },
    'ros-cdk': (outdir: string, cacheDir: string, layerDir: string) => {
      const app = new ros.App({ outdir });
      const stack = new ros.Stack(app, 'Hostile');
      new rosLayers.RuntimeLayer(stack, 'Tools', {
        source: rosLayers.LayerSource.fromDirectory(layerDir), compatibleRuntimes: ['python3.10'], cacheDir,
      });
      return () => app.synth();
    },
  };

  for (const [name, declare] of Object.entries(frontEnds)) {
    rootOnly(`${name}: an unwritable output directory fails before the build, naming it and the fix; works once writable`, async () => {
      // GIVEN an output directory on a read-only file system and an empty cache
      const outdir = makeTempDir('layersmith-test-hostile-out-');
      mountTmpfs(outdir, 'ro,size=4m');
      const cacheDir = makeTempDir('layersmith-test-hostile-cache-');
      const layerDir = bigLayer(10_000);

      // WHEN the layer is declared
      const { err, tmpLeft } = await withTmp(async (tmp) => {
        let thrown: unknown;
        try {
          declare(outdir, cacheDir, layerDir)();
        } catch (x) {
          thrown = x;
        }
        return { err: thrown, tmpLeft: fs.readdirSync(tmp) };
      });

      // THEN one error naming the construct, the directory and the fix, instead of the framework's bare ENOENT
      expect(err).toBeInstanceOf(LayersmithBuildError);
      const e = err as LayersmithBuildError;
      expect(e.code).toBe('ASSEMBLY_NOT_WRITABLE');
      expect(e.constructPath).toBe('Hostile/Tools');
      expect(e.path).toBe(outdir);
      expect(e.message).toContain(`Hostile/Tools: the output directory ${outdir} is not writable (EROFS`);
      expect(e.message).toMatch(/Fix: make .* writable, or synthesize into another directory \(`(cdk|ros-cdk) synth --output <dir>`/);
      // and nothing was built or written: no cache entry, no staging directory, nothing in the output directory
      expect(fs.readdirSync(cacheDir)).toEqual([]);
      expect(tmpLeft).toEqual([]);
      expect(fs.readdirSync(outdir)).toEqual([]);

      // WHEN the directory becomes writable and the app is synthesized again
      remount(outdir, 'rw');
      declare(outdir, cacheDir, layerDir)();

      // THEN the layer is built once and staged, and the probe left nothing behind
      const cached = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.zip'));
      expect(cached).toHaveLength(1);
      const staged = fs.readdirSync(outdir);
      const assets = staged.filter((f) => /^asset\..+\.zip$/.test(f));
      expect(assets).toHaveLength(1);
      expect(fs.readFileSync(path.join(outdir, assets[0]))).toEqual(fs.readFileSync(path.join(cacheDir, cached[0])));
      expect(staged.filter((f) => f.includes('layersmith-probe') || f.endsWith('-building'))).toEqual([]);
    });
  }
});
