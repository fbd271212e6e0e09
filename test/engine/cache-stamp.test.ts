import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget } from '../../lib/engine/api';
import { readArtifact } from '../../lib/engine/cache';
import { verifiedStampPath } from '../../lib/engine/cache-verify';
import { buildLayer } from '../../lib/engine/engine';
import { settleMs } from '../../lib/engine/file-times';
import { placeArtifact } from '../../lib/engine/place';
import { LayerSource } from '../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, openedDuring, writeTree } from '../helpers';

/**
 * The verification stamp of a cached ZIP across what warm synths do to it: hard links into cloud
 * assemblies come and go (each moves the ZIP's ctime), and the process that built an entry
 * stamps it as it exits. A hit stays cheap, and a changed ZIP is never trusted.
 */

afterAll(cleanupTempDirs);

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };
const repo = path.resolve(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function source(dir: string): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < 20; i++) files[`python/pkg/m${i}.py`] = `V = ${i}\n`.repeat(40);
  writeTree(dir, files);
  return dir;
}


async function settledZip(zipPath: string): Promise<void> {
  await sleep(settleMs(fs.statSync(zipPath)) + 150);
}

/** Silences the "damaged" line a rejected entry prints. */
function quietly<T>(fn: () => T): T {
  const saved = process.env.LAYERSMITH_QUIET;
  process.env.LAYERSMITH_QUIET = '1';
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.LAYERSMITH_QUIET;
    else process.env.LAYERSMITH_QUIET = saved;
  }
}

describe('the verification stamp under hard-link churn', () => {
  test('GIVEN a stamped entry linked into an assembly WHEN that assembly is removed THEN one read hashes and stamps again, and the next is free', async () => {
    // GIVEN a built entry, settled, read once (stamped), then hard-linked into an assembly
    const dir = makeTempDir();
    const cacheDir = path.join(dir, 'cache');
    const built = await buildLayer(LayerSource.fromDirectory(source(path.join(dir, 'src'))), TARGET, { cacheDir, progress: false });
    await settledZip(built.zipPath);
    expect(readArtifact(cacheDir, built.inputKey)?.cacheHit).toBe(true);
    expect(fs.existsSync(verifiedStampPath(built.zipPath))).toBe(true);
    fs.mkdirSync(path.join(dir, 'cdk.out'));
    expect(placeArtifact(built.zipPath, path.join(dir, 'cdk.out', 'layer.zip'))).toBe('hardlink');
    const ctimeLinked = fs.statSync(built.zipPath).ctimeMs;

    // WHEN the assembly is removed (the unlink moves the ZIP's ctime) and the entry read after it settled
    fs.rmSync(path.join(dir, 'cdk.out'), { recursive: true });
    expect(fs.statSync(built.zipPath).ctimeMs).not.toBe(ctimeLinked);
    await settledZip(built.zipPath);
    const first = openedDuring(() => expect(readArtifact(cacheDir, built.inputKey)?.cacheHit).toBe(true));
    const second = openedDuring(() => expect(readArtifact(cacheDir, built.inputKey)?.cacheHit).toBe(true));

    // THEN the first read hashed the ZIP (a link count change looks like any other change), the second did not
    expect(first).toContain(built.zipPath);
    expect(second).not.toContain(built.zipPath);
  });

  test('GIVEN a stamped entry linked into an assembly WHEN the ZIP is changed through the link (size and mtime put back) and the link removed THEN the read refuses it', async () => {
    // GIVEN
    const dir = makeTempDir();
    const cacheDir = path.join(dir, 'cache');
    const built = await buildLayer(LayerSource.fromDirectory(source(path.join(dir, 'src'))), TARGET, { cacheDir, progress: false });
    // Whole-second times, so utimes can put them back exactly.
    const past = Math.floor(Date.now() / 1000) - 3600;
    fs.utimesSync(built.zipPath, past, past);
    await settledZip(built.zipPath);
    expect(readArtifact(cacheDir, built.inputKey)).toBeDefined();
    expect(fs.existsSync(verifiedStampPath(built.zipPath))).toBe(true);
    const placed = path.join(dir, 'cdk.out', 'layer.zip');
    fs.mkdirSync(path.dirname(placed));
    placeArtifact(built.zipPath, placed);

    // WHEN one byte changes through the assembly's link, size and mtime restored, then the assembly goes
    const st = fs.statSync(placed);
    const fd = fs.openSync(placed, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 40);
    fs.closeSync(fd);
    fs.utimesSync(placed, past, past);
    fs.rmSync(path.dirname(placed), { recursive: true });
    expect([fs.statSync(built.zipPath).size, fs.statSync(built.zipPath).mtimeMs]).toEqual([st.size, st.mtimeMs]);

    // THEN the entry is not a hit, and it is gone from the cache
    expect(quietly(() => readArtifact(cacheDir, built.inputKey))).toBeUndefined();
    expect(fs.existsSync(built.zipPath)).toBe(false);
  });
});

/** Builds in a fresh process that asks for the stamp on exit, optionally damaging the ZIP before it exits. */
function buildInChild(src: string, cacheDir: string, damage: boolean): { zipPath: string; inputKey: string } {
  const script = `
    require('ts-node/register/transpile-only');
    const fs = require('fs');
    const { buildLayer, LayerSource } = require(${JSON.stringify(path.join(repo, 'lib', 'engine', 'index.ts'))});
    const { stampOnExit } = require(${JSON.stringify(path.join(repo, 'lib', 'engine', 'cache-verify.ts'))});
    const { settleMs } = require(${JSON.stringify(path.join(repo, 'lib', 'engine', 'file-times.ts'))});
    buildLayer(LayerSource.fromDirectory(process.argv[1]), ${JSON.stringify(TARGET)}, { cacheDir: process.argv[2], progress: false }).then((a) => {
      stampOnExit(a.zipPath, a.manifestPath);
      if (process.argv[3] === 'damage') {
        // Whole-second times, so utimes puts them back exactly.
        const past = Math.floor(Date.now() / 1000) - 3600;
        fs.utimesSync(a.zipPath, past, past);
        const st = fs.statSync(a.zipPath);
        const fd = fs.openSync(a.zipPath, 'r+');
        fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 40);
        fs.closeSync(fd);
        fs.utimesSync(a.zipPath, past, past);
        if (fs.statSync(a.zipPath).mtimeMs !== st.mtimeMs || fs.statSync(a.zipPath).size !== st.size) process.exit(3);
      }
      process.stdout.write(JSON.stringify({ zipPath: a.zipPath, inputKey: a.inputKey }));
      // Live past the settle time, as a synth does after linking its layer.
      setTimeout(() => {}, settleMs(fs.statSync(a.zipPath)) + 150);
    });
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, src, cacheDir, damage ? 'damage' : 'intact'], {
    env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true', LAYERSMITH_QUIET: '1' },
    encoding: 'utf8',
  }));
}

describe('the process that built an entry stamps it as it exits', () => {
  test('GIVEN a build in a process that lives past the settle time WHEN it exits THEN the entry is stamped and the next read does not hash the ZIP', () => {
    const dir = makeTempDir();
    const cacheDir = path.join(dir, 'cache');
    const built = buildInChild(source(path.join(dir, 'src')), cacheDir, false);
    expect(fs.existsSync(verifiedStampPath(built.zipPath))).toBe(true);
    const opened = openedDuring(() => expect(readArtifact(cacheDir, built.inputKey)?.cacheHit).toBe(true));
    expect(opened).not.toContain(built.zipPath);
  });

  test('GIVEN a build whose ZIP is changed before the process exits (size and mtime put back) THEN no stamp is written and the next read refuses it', () => {
    const dir = makeTempDir();
    const cacheDir = path.join(dir, 'cache');
    const built = buildInChild(source(path.join(dir, 'src')), cacheDir, true);
    expect(fs.existsSync(verifiedStampPath(built.zipPath))).toBe(false);
    expect(quietly(() => readArtifact(cacheDir, built.inputKey))).toBeUndefined();
  });
});
