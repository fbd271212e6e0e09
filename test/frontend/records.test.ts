import * as fs from 'fs';
import * as path from 'path';
import { readAssemblyManifest, readAssemblyRecords } from '../../lib/core/assembly';
import type { LayerRecord } from '../../lib/core/assembly';
import type { BuildTarget } from '../../lib/engine/api';
import { manifestFileBytes, readArtifact } from '../../lib/engine/cache';
import { buildLayer } from '../../lib/engine/engine';
import { LayerSource } from '../../lib/engine/source';
import { writeLayerRecord } from '../../lib/frontend/records';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';

afterAll(cleanupTempDirs);

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] };

function record(manifest: Parameters<typeof writeLayerRecord>[1]['manifest'], inputKey: string): Parameters<typeof writeLayerRecord>[1] {
  return {
    path: 'App/Stack/Deps',
    platform: 'aws' as const,
    framework: 'aws-cdk' as const,
    stack: 'Stack',
    compatibleRuntimes: ['nodejs20.x'],
    compatibleArchitectures: ['x86_64' as const],
    inputKey,
    manifest,
    retained: false,
    grants: [],
  };
}

describe('the layer manifest a synth writes into the assembly', () => {
  test('GIVEN a manifest read from the cache WHEN the layer record is written THEN the assembly gets the cache file\'s bytes, readable as the same manifest', async () => {
    // GIVEN a cached layer, read back as a warm synth reads it
    const dir = makeTempDir();
    writeTree(path.join(dir, 'src'), { 'nodejs/node_modules/a/index.js': 'module.exports = 1;\n' });
    const cacheDir = path.join(dir, 'cache');
    const built = await buildLayer(LayerSource.fromDirectory(path.join(dir, 'src')), TARGET, { cacheDir, progress: false });
    const hit = readArtifact(cacheDir, built.inputKey)!;
    expect(manifestFileBytes(hit.manifest)?.equals(fs.readFileSync(hit.manifestPath))).toBe(true);

    // WHEN its record is written
    const out = path.join(dir, 'cdk.out');
    writeLayerRecord(out, record(hit.manifest, hit.inputKey));

    // THEN the manifest in the assembly is byte for byte the cache's, and the report reads it as the manifest
    const [rec] = readAssemblyRecords(out) as LayerRecord[];
    const file = path.join(out, 'layersmith', rec.manifestFile!);
    expect(fs.readFileSync(file).equals(fs.readFileSync(hit.manifestPath))).toBe(true);
    expect(readAssemblyManifest(out, rec)).toEqual(hit.manifest);
    // and the cache file's bytes are exactly the serialization the build writes
    expect(fs.readFileSync(file, 'utf8')).toBe(JSON.stringify(hit.manifest, null, 2) + '\n');
  });

  test('GIVEN a manifest that was not read from the cache (a copy of it) WHEN written THEN it is serialized', async () => {
    const dir = makeTempDir();
    writeTree(path.join(dir, 'src'), { 'nodejs/node_modules/a/index.js': 'module.exports = 2;\n' });
    const built = await buildLayer(LayerSource.fromDirectory(path.join(dir, 'src')), TARGET, { cacheDir: path.join(dir, 'cache'), progress: false });
    const copy = JSON.parse(JSON.stringify(built.manifest));
    expect(manifestFileBytes(copy)).toBeUndefined();
    const out = path.join(dir, 'cdk.out');
    writeLayerRecord(out, record(copy, built.inputKey));
    const [rec] = readAssemblyRecords(out) as LayerRecord[];
    expect(fs.readFileSync(path.join(out, 'layersmith', rec.manifestFile!), 'utf8')).toBe(JSON.stringify(copy, null, 2) + '\n');
  });
});
