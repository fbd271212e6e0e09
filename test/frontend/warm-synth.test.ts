import * as fs from 'fs';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as awsLayers from '../../lib/aws-cdk';
import { readArtifact } from '../../lib/engine/cache';
import { verifiedStampPath } from '../../lib/engine/cache-verify';
import { settleMs } from '../../lib/engine/file-times';
import * as rosLayers from '../../lib/ros-cdk';
import { cleanupTempDirs, makeTempDir, openedDuring, writeTree } from '../helpers';

/**
 * Warm synths in a row, each into a fresh output directory (as a test suite or `cdk synth -o`
 * does): the framework moves the ZIP link we give its bundling step, which moves the cache ZIP's
 * ctime, and the verification stamp is carried across it, so no synth after the first hashes the
 * whole ZIP.
 */

const quietBefore = process.env.LAYERSMITH_QUIET;
afterAll(() => {
  cleanupTempDirs();
  if (quietBefore === undefined) delete process.env.LAYERSMITH_QUIET;
  else process.env.LAYERSMITH_QUIET = quietBefore;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function layerDir(): string {
  const dir = makeTempDir('layersmith-test-layer-');
  const files: Record<string, string> = {};
  for (let i = 0; i < 10; i++) files[`nodejs/node_modules/m${i}/index.js`] = `module.exports = ${i};\n`.repeat(30);
  writeTree(dir, files);
  return dir;
}

function awsSynth(dir: string, cacheDir: string): string {
  const app = new App({ outdir: makeTempDir('layersmith-test-cdkout-') });
  const layer = new awsLayers.RuntimeLayer(new Stack(app, 'S'), 'L', {
    source: awsLayers.LayerSource.fromDirectory(dir), compatibleRuntimes: [lambda.Runtime.NODEJS_20_X], cacheDir,
  });
  app.synth();
  return layer.inputKey;
}

function rosSynth(dir: string, cacheDir: string): string {
  const app = new ros.App({ outdir: makeTempDir('layersmith-test-rosout-') });
  const layer = new rosLayers.RuntimeLayer(new ros.Stack(app, 'S'), 'L', {
    source: rosLayers.LayerSource.fromDirectory(dir), compatibleRuntimes: ['nodejs20'], cacheDir,
  });
  app.synth();
  return layer.inputKey;
}


describe.each([
  ['layersmith/aws-cdk', awsSynth],
  ['layersmith/ros-cdk', rosSynth],
])('%s: warm synths into fresh output directories', (_name, synth) => {
  test('GIVEN a stamped cache entry WHEN synthesized twice more THEN neither synth hashes the ZIP, and a changed ZIP is still refused', async () => {
    // GIVEN a built entry, settled and stamped by a first warm read
    const dir = layerDir();
    const cacheDir = makeTempDir('layersmith-test-cache-');
    process.env.LAYERSMITH_QUIET = '1';
    const key = synth(dir, cacheDir);
    const zipPath = readArtifact(cacheDir, key)!.zipPath;
    await sleep(settleMs(fs.statSync(zipPath)) + 150);
    expect(readArtifact(cacheDir, key)?.cacheHit).toBe(true);
    expect(fs.existsSync(verifiedStampPath(zipPath))).toBe(true);

    // WHEN synthesized twice (each links the ZIP into a new assembly, where the framework moves it)
    const first = openedDuring(() => synth(dir, cacheDir));
    const nlink = fs.statSync(zipPath).nlink;
    const second = openedDuring(() => synth(dir, cacheDir));

    // THEN the ZIP was never opened for hashing, and it is linked into each assembly
    expect(first).not.toContain(zipPath);
    expect(second).not.toContain(zipPath);
    expect(fs.statSync(zipPath).nlink).toBe(nlink + 1);

    // WHEN the ZIP is then changed in place (size and mtime put back)
    const past = Math.floor(Date.now() / 1000) - 3600;
    fs.utimesSync(zipPath, past, past);
    const st = fs.statSync(zipPath);
    const fd = fs.openSync(zipPath, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 40);
    fs.closeSync(fd);
    fs.utimesSync(zipPath, past, past);
    expect([fs.statSync(zipPath).size, fs.statSync(zipPath).mtimeMs]).toEqual([st.size, st.mtimeMs]);
    // THEN the next read refuses it
    expect(readArtifact(cacheDir, key)).toBeUndefined();
    expect(fs.existsSync(path.join(cacheDir, `${key}.zip`))).toBe(false);
  });
});
