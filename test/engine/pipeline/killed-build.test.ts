import { spawn } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BuildTarget } from '../../../lib/engine/api';
import { buildLayer } from '../../../lib/engine/engine';
import { cleanupTempDirs, makeTempDir } from '../../helpers';

afterAll(cleanupTempDirs);

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };
const CHILD = path.join(__dirname, 'fixtures', 'build-child.ts');

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stagingDirsOf(pid: number): string[] {
  return fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('layersmith-') && n.includes(`-${pid}-`));
}

test('a build killed with SIGKILL during pack leaves temps; the next build removes them and gives the same bytes', async () => {
  // GIVEN a directory big enough that packing it takes a while (incompressible data)
  const layer = makeTempDir('layersmith-test-killed-layer-');
  for (let i = 0; i < 32; i++) {
    fs.mkdirSync(path.join(layer, `d${i % 4}`), { recursive: true });
    fs.writeFileSync(path.join(layer, `d${i % 4}`, `blob${i}.bin`), randomBytes(2 * 1024 * 1024));
  }
  // and the ZIP a clean build makes of it
  const reference = await buildLayer({ kind: 'directory', path: layer }, TARGET, { cacheDir: makeTempDir('layersmith-test-killed-ref-'), progress: false });

  // WHEN a build in another process is killed once its pack temp has data in it
  const cacheDir = makeTempDir('layersmith-test-killed-cache-');
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), CHILD, layer, cacheDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', '..', '..', 'tsconfig.json'), TS_NODE_PREFER_TS_EXTS: 'true' },
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let killedDuringPack = false;
  let childStaging: string[] = [];
  for (let waited = 0; waited < 60_000 && child.exitCode === null; waited += 5) {
    const temps = fs.readdirSync(cacheDir).filter((n) => n.includes('.tmp'));
    if (temps.some((n) => (fs.statSync(path.join(cacheDir, n), { throwIfNoEntry: false })?.size ?? 0) > 1024 * 1024)) {
      childStaging = stagingDirsOf(child.pid!);
      child.kill('SIGKILL');
      killedDuringPack = true;
      break;
    }
    await sleep(5);
  }
  await exited;

  // THEN the killed build left a partial ZIP in the cache and its staging directory, and no entry
  expect(stderr).toBe('');
  expect(killedDuringPack).toBe(true);
  const left = fs.readdirSync(cacheDir);
  expect(left.length).toBeGreaterThan(0);
  // (digests/ is the key's record of file digests, written whole before the build started)
  expect(left.filter((n) => !n.includes('.tmp-') && !n.endsWith('.building') && n !== 'digests')).toEqual([]);
  // Its single-flight build lock names the dead pid, so the next build takes it over.
  for (const lock of left.filter((n) => n.endsWith('.building'))) expect(fs.readFileSync(path.join(cacheDir, lock), 'utf8')).toBe(String(child.pid));
  expect(childStaging).toHaveLength(1);
  expect(stagingDirsOf(child.pid!)).toEqual(childStaging);

  // WHEN the next build of the same layer runs
  const next = await buildLayer({ kind: 'directory', path: layer }, TARGET, { cacheDir, progress: false });

  // THEN it succeeded with the same bytes, and the killed build's temps are gone
  expect(next.cacheHit).toBe(false);
  expect(next.inputKey).toBe(reference.inputKey);
  expect(sha256(next.zipPath)).toBe(sha256(reference.zipPath));
  // (reuse/ holds the record of compressed entries a rebuild of this layer may copy, digests/ the key's)
  expect(fs.readdirSync(cacheDir).filter((n) => n !== 'reuse' && n !== 'digests').sort()).toEqual([path.basename(next.manifestPath), path.basename(next.zipPath)].sort());
  expect(stagingDirsOf(child.pid!)).toEqual([]);
});
