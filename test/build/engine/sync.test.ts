import * as fs from 'fs';
import type { BuildTarget } from '../../../lib/build/api';
import { buildLayer } from '../../../lib/build/engine';
import { LayerSource } from '../../../lib/build/source';
import { buildLayerSync } from '../../../lib/build/sync';
import { cleanupTempDirs, makeTempDir, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

const TARGET: BuildTarget = { platform: 'alicloud', architecture: 'x86_64', runtimes: ['custom.debian12'] };
const quiet = { progress: false };

describe('buildLayerSync (child Node process)', () => {
  test('builds synchronously from jest and then answers from the cache', () => {
    // GIVEN a directory layer
    const d = makeTempDir('sync-');
    writeTree(d, { 'bin/app': '#!/bin/sh\n', 'lib/x.txt': 'x' }, ['bin/app']);
    const cacheDir = makeTempDir('cache-');

    // WHEN built twice with the synchronous entry point
    const first = buildLayerSync(LayerSource.fromDirectory(d), TARGET, { cacheDir, ...quiet });
    const second = buildLayerSync(LayerSource.fromDirectory(d).bind(), TARGET, { cacheDir, ...quiet });

    // THEN the child built a real artifact and the second call was a hit on it
    expect(first.cacheHit).toBe(false);
    expect(fs.existsSync(first.zipPath)).toBe(true);
    expect(first.manifest.entries.map((e) => e.path)).toEqual(['bin/', 'bin/app', 'lib/', 'lib/x.txt']);
    expect(first.manifest.build?.platform).toBe('alicloud');
    expect(second.cacheHit).toBe(true);
    expect(second.zipPath).toBe(first.zipPath);
  });

  test('an error in the child surfaces with the same message as the async engine', async () => {
    // GIVEN a node source without a lockfile
    const d = makeTempDir('sync-nolock-');
    writeTree(d, { 'package.json': '{"name":"x","version":"1.0.0"}' });
    const source = LayerSource.node({ packageDir: d });
    const target: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] };
    const asyncMessage = await buildLayer(source, target, { cacheDir: makeTempDir('cache-'), ...quiet }).then(() => '', (e: Error) => e.message);

    // WHEN / THEN
    expect(asyncMessage).toContain('has package.json but no package-lock.json');
    expect(() => buildLayerSync(source, target, { cacheDir: makeTempDir('cache-'), ...quiet })).toThrow(asyncMessage);
  });
});
