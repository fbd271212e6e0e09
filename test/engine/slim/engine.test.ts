import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget } from '../../../lib/engine/api';
import { computeInputKey } from '../../../lib/engine/cache';
import { buildLayer } from '../../../lib/engine/engine';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, testWithTools, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

const PY311: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.11'] };
const quiet = { progress: false };

const TREE = {
  'python/pkg/__init__.py': 'from . import core\n',
  'python/pkg/core.py': 'VALUE = 1\n',
  'python/pkg/tests/test_core.py': 'import pytest\n',
  'python/pkg/core.pyi': 'VALUE: int\n',
};

function entryPaths(manifest: { entries: readonly { path: string }[] }): string[] {
  return manifest.entries.map((e) => e.path);
}

describe('slim in the build pipeline', () => {
  test('slim is in the cache key only when set, and each setting gives its own key', () => {
    const dir = makeTempDir('layersmith-test-slim-src-');
    writeTree(dir, TREE);
    const plain = computeInputKey(LayerSource.fromDirectory(dir).bind(), PY311);
    const off = computeInputKey(LayerSource.fromDirectory(dir, { slim: false }).bind(), PY311);
    const on = computeInputKey(LayerSource.fromDirectory(dir, { slim: true }).bind(), PY311);
    const kept = computeInputKey(LayerSource.fromDirectory(dir, { slim: { keep: ['tests'] } }).bind(), PY311);
    const noStrip = computeInputKey(LayerSource.fromDirectory(dir, { slim: { strip: false } }).bind(), PY311);
    expect(off).toBe(plain);
    expect(new Set([plain, on, kept, noStrip]).size).toBe(4);
  });

  test('every source kind takes slim and rejects a bad one naming the factory', () => {
    const dir = makeTempDir('layersmith-test-slim-src-');
    writeTree(dir, { ...TREE, 'requirements.txt': 'x==1\n', 'bootstrap': '#!/bin/sh\n' });
    expect(LayerSource.python({ packages: ['x==1'], slim: true }).bind().slim).toEqual({ keep: [], remove: [], strip: true });
    expect(LayerSource.customRuntime({ bootstrap: path.join(dir, 'bootstrap'), slim: { remove: ['*.txt'] } }).bind().slim)
      .toEqual({ keep: [], remove: ['*.txt'], strip: true });
    expect(() => LayerSource.python({ packages: ['x==1'], slim: { bogus: true } as never })).toThrow("LayerSource.python: slim has unknown option(s) 'bogus'");
    expect(() => LayerSource.fromDirectory(dir, { slim: 1 as never })).toThrow('LayerSource.fromDirectory: slim must be true, false');
  });

  testWithTools('python3.11')('a slimmed directory layer: the ZIP lacks what the profile removes, the manifest says what went, the source is untouched', async () => {
    // GIVEN a directory layer with slim: true
    const dir = makeTempDir('layersmith-test-slim-src-');
    writeTree(dir, TREE);
    const cacheDir = makeTempDir('layersmith-test-slim-cache-');
    // WHEN built
    const art = await buildLayer(LayerSource.fromDirectory(dir, { slim: true }), PY311, { cacheDir, ...quiet });
    // THEN
    expect(entryPaths(art.manifest)).toEqual(['python/', 'python/pkg/', 'python/pkg/__init__.py', 'python/pkg/core.py']);
    expect(art.manifest.slim).toMatchObject({
      savedBytes: Buffer.byteLength(TREE['python/pkg/tests/test_core.py']) + Buffer.byteLength(TREE['python/pkg/core.pyi']),
      rules: [{ rule: 'tests', files: 1 }, { rule: 'type-stubs', files: 1 }],
      verification: { ran: true, modules: ['pkg'] },
    });
    expect(fs.existsSync(path.join(dir, 'python/pkg/tests/test_core.py'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(art.manifestPath, 'utf8')).slim.savedBytes).toBe(art.manifest.slim!.savedBytes);
  });

  testWithTools('python3.11')('a slim that breaks an import fails the build and leaves nothing in the cache', async () => {
    const dir = makeTempDir('layersmith-test-slim-src-');
    writeTree(dir, TREE);
    const cacheDir = makeTempDir('layersmith-test-slim-cache-');
    const source = LayerSource.fromDirectory(dir, { slim: { remove: ['python/pkg/core.py'] } });
    await expect(buildLayer(source, PY311, { cacheDir, ...quiet })).rejects.toMatchObject({
      code: 'SLIM_BROKE_IMPORT',
      message: expect.stringContaining("pkg no longer imports (ImportError: cannot import name 'core' from partially initialized module 'pkg'"),
    });
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.zip') || f.endsWith('.json'))).toEqual([]);
  });
});
