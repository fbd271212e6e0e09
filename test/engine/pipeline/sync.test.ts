import * as fs from 'fs';
import { LayersmithBuildError, LayersmithError } from '../../../lib/core/errors';
import type { BuildTarget } from '../../../lib/engine/api';
import { buildLayer } from '../../../lib/engine/engine';
import { LayerSource } from '../../../lib/engine/source';
import { buildLayerSync, workerArgv } from '../../../lib/engine/sync';
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
    expect(asyncMessage).toContain('has package.json but no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock)');
    expect(() => buildLayerSync(source, target, { cacheDir: makeTempDir('cache-'), ...quiet })).toThrow(asyncMessage);
  });

  test('a failing build in the child is rethrown as a LayersmithError with its code', () => {
    // GIVEN a command source whose command fails
    const d = makeTempDir('sync-fail-');
    writeTree(d, { 'in.txt': 'x' });
    const source = LayerSource.command({ command: [process.execPath, '-e', 'process.exit(3)'], cwd: d, inputs: ['in.txt'] });

    // WHEN built through the child process
    let caught: unknown;
    try {
      buildLayerSync(source, TARGET, { cacheDir: makeTempDir('cache-'), ...quiet });
    } catch (e) {
      caught = e;
    }

    // THEN the caller gets the class and code, not just a message
    expect(caught).toBeInstanceOf(LayersmithBuildError);
    expect(caught).toBeInstanceOf(LayersmithError);
    expect((caught as LayersmithError).code).toBe('COMMAND_FAILED');
    expect((caught as Error).message).toContain('exit code 3');
  });

  test('GIVEN a TypeScript caller where ts-node cannot be resolved WHEN the child is chosen THEN one build error names the file and the fix', () => {
    // GIVEN a resolver that finds nothing, as in an app that loads the sources without ts-node
    const file = '/app/node_modules/layersmith/lib/engine/sync.ts';
    const resolve = (id: string): string => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };

    // WHEN / THEN
    let caught: unknown;
    try {
      workerArgv(file, resolve);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LayersmithBuildError);
    const e = caught as LayersmithBuildError;
    expect(e.code).toBe('TS_NODE_MISSING');
    expect(e.path).toBe(file);
    expect(e.message).toContain(`${file} runs as TypeScript`);
    expect(e.message).toMatch(/Fix: install ts-node, or run the compiled layersmith/);
  });

  test('GIVEN compiled or TypeScript callers WHEN the child is chosen THEN the worker next to the caller runs, through ts-node only for TypeScript', () => {
    expect(workerArgv('/pkg/lib/engine/sync.js', () => { throw new Error('not asked'); })).toEqual(['/pkg/lib/engine/worker.js']);
    expect(workerArgv('/src/lib/engine/sync.ts', (id) => `/src/node_modules/${id}.js`))
      .toEqual(['-r', '/src/node_modules/ts-node/register/transpile-only.js', '/src/lib/engine/worker.ts']);
  });
});
