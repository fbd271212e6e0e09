import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeContext } from './ctx';
import type { NodeSourceSpec } from '../../../lib/engine/api';
import { LayerSource } from '../../../lib/engine/source';
import { buildNode, npmCiArgs } from '../../../lib/engine/sources/node';
import { cleanupTempDirs, listFiles, makeTempDir, testWithTools, writeTree } from '../../helpers';

const npmTest = testWithTools('npm');

afterAll(cleanupTempDirs);

/** A package.json with one real registry dependency (and a dev one that must not ship), locked by npm. */
function lockedPackage(): string {
  const dir = makeTempDir('nodeproj-');
  writeTree(dir, {
    'package.json': JSON.stringify({
      name: 'layer-deps',
      version: '1.0.0',
      private: true,
      dependencies: { 'is-number': '7.0.0' },
      devDependencies: { 'is-odd': '3.0.1' },
    }, null, 2),
  });
  const r = spawnSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm install --package-lock-only failed: ${r.stderr}`);
  return dir;
}

describe('node builder (real npm ci against the npm registry)', () => {
  npmTest('installs production dependencies into nodejs/node_modules/ and nothing else', async () => {
    // GIVEN a locked package with a runtime and a dev dependency
    const dir = lockedPackage();
    const spec = LayerSource.node({ packageDir: dir }).bind() as NodeSourceSpec;
    const ctx = makeContext({ platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] });

    // WHEN built
    await buildNode(spec, ctx);

    // THEN is-number is in nodejs/node_modules, the dev dependency is not, and no manifest rides along
    const files = listFiles(ctx.staging);
    expect(files).toContain('nodejs/node_modules/is-number/package.json');
    expect(JSON.parse(fs.readFileSync(path.join(ctx.staging, 'nodejs/node_modules/is-number/package.json'), 'utf8')).version).toBe('7.0.0');
    expect(files.some((f) => f.includes('is-odd'))).toBe(false);
    expect(files.filter((f) => !f.startsWith('nodejs/node_modules/'))).toEqual([]);
    // and the user's directory was not touched (no node_modules created there)
    expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
  });

  npmTest('versioned layout for arm64 goes to nodejs/nodeNN/node_modules/ with the target cpu', async () => {
    // GIVEN the versioned layout and a nodejs22.x arm64 target
    const dir = lockedPackage();
    const spec = LayerSource.node({ packageDir: dir, layout: 'versioned' }).bind() as NodeSourceSpec;
    const ctx = makeContext({ platform: 'aws', architecture: 'arm64', runtimes: ['nodejs22.x'] });

    // WHEN built
    await buildNode(spec, ctx);

    // THEN the path carries the major version and npm was told the target os/cpu
    expect(listFiles(ctx.staging)).toContain('nodejs/node22/node_modules/is-number/index.js');
    expect(ctx.steps).toEqual(['npm ci (linux arm64)']);
    expect(npmCiArgs(spec, 'arm64')).toEqual(expect.arrayContaining(['ci', '--omit=dev', '--ignore-scripts', '--os=linux', '--cpu=arm64']));
  });

  test('a missing lockfile is an error naming the directory and the fix', async () => {
    // GIVEN a package.json without a lockfile
    const dir = makeTempDir('nodeproj-nolock-');
    writeTree(dir, { 'package.json': '{"name":"x","version":"1.0.0","dependencies":{"is-number":"7.0.0"}}' });
    const spec = LayerSource.node({ packageDir: dir }).bind() as NodeSourceSpec;

    // WHEN / THEN
    await expect(buildNode(spec, makeContext({ platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] })))
      .rejects.toThrow(`LayerSource.node: ${dir} has package.json but no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock), `
        + `and the layer must install exactly what the lockfile says. Fix: run 'npm install --package-lock-only' (or pnpm install --lockfile-only, yarn install) in ${dir} and commit the lockfile.`);
  });

  test('versioned layout without a Node version is an error', async () => {
    // GIVEN a versioned layout, no nodeMajor and no nodejs runtime
    const dir = makeTempDir('nodeproj-v-');
    writeTree(dir, { 'package.json': '{"name":"x","version":"1.0.0"}', 'package-lock.json': '{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x","version":"1.0.0"}}}' });
    const spec = LayerSource.node({ packageDir: dir, layout: 'versioned' }).bind() as NodeSourceSpec;

    // WHEN / THEN
    await expect(buildNode(spec, makeContext({ platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] })))
      .rejects.toThrow(/layout 'versioned' needs a Node major version, and the target runtimes \[python3\.12\] name no nodejsNN\. Fix: set nodeMajor/);
  });
});
