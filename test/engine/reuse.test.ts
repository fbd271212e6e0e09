import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { buildLayer } from '../../lib/engine';
import { RACY_MS } from '../../lib/engine/digest-index';
import { packDirectory, ReuseRecorder, ReuseSource, reuseRecordPath } from '../../lib/engine/zip';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';

afterAll(() => cleanupTempDirs());

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A layer tree with compressible, incompressible, empty, big (streamed) files and a symlink. */
function makeTree(root: string): void {
  const files: Record<string, string | Buffer> = {};
  for (let p = 0; p < 12; p++) {
    for (let f = 0; f < 8; f++) {
      files[`nodejs/node_modules/pkg${p}/lib/f${f}.js`] = `// pkg ${p} file ${f}\n${'module.exports = 42;\n'.repeat(f * 20 + 1)}`;
    }
    files[`nodejs/node_modules/pkg${p}/package.json`] = JSON.stringify({ name: `pkg${p}`, version: '1.0.0' });
  }
  files['nodejs/node_modules/pkg0/random.bin'] = randomBytes(5000);
  files['nodejs/node_modules/pkg0/empty.txt'] = '';
  files['nodejs/node_modules/big/data.txt'] = Buffer.alloc(5 * 1024 * 1024, 'abcdefgh');
  writeTree(root, files);
  fs.symlinkSync('pkg0', path.join(root, 'nodejs/node_modules/alias'));
}

/** Content digests the way the key's digest record holds them. */
const digestOf = (root: string) => (rel: string) => sha(path.join(root, rel));

describe('packDirectory with reuse', () => {
  test('GIVEN a packed tree WHEN one file changes and it is packed with the previous entries THEN the ZIP equals a cold pack', async () => {
    // GIVEN a first build that records its entries
    const dir = makeTempDir();
    const root = path.join(dir, 'layer');
    makeTree(root);
    const first = path.join(dir, 'first.zip');
    const rec1 = new ReuseRecorder(6);
    const p1 = await packDirectory(root, first, { workers: 2, reuse: { contentDigest: digestOf(root), recorder: rec1 } });
    const recordFile = path.join(dir, 'reuse.json');
    rec1.save(recordFile, first, p1.zippedSize, p1.sha256);
    // every file is recorded, the streamed 5 MiB one included; directories and symlinks are not
    expect(rec1.size).toBe(12 * 9 + 3);
    expect(p1.reusedEntries).toBe(0);

    // WHEN one file changes (same size), one is added and one removed
    const changed = path.join(root, 'nodejs/node_modules/pkg3/lib/f2.js');
    fs.writeFileSync(changed, fs.readFileSync(changed, 'utf8').replace('42', '43'));
    fs.writeFileSync(path.join(root, 'nodejs/node_modules/pkg5/new.js'), 'exports.x = 1;\n');
    fs.rmSync(path.join(root, 'nodejs/node_modules/pkg7/lib/f1.js'));
    const previous = ReuseSource.open(recordFile, 6);
    expect(previous).toBeDefined();
    const second = path.join(dir, 'second.zip');
    const p2 = await packDirectory(root, second, { workers: 2, reuse: { previous, contentDigest: digestOf(root), recorder: new ReuseRecorder(6) } });
    const cold = path.join(dir, 'cold.zip');
    const p3 = await packDirectory(root, cold, { workers: 2 });

    // THEN every unchanged recorded file was reused (the big one in its streamed layout), and the bytes equal the cold build's
    expect(p2.reusedEntries).toBe(12 * 9 + 3 - 2);
    expect(p3.reusedEntries).toBe(0);
    expect(fs.readFileSync(second).equals(fs.readFileSync(cold))).toBe(true);
    expect(p2.sha256).toBe(p3.sha256);
  });

  test('GIVEN a recorded big (streamed) file WHEN it changes THEN it is compressed again; a whole entry never stands in for it', async () => {
    // GIVEN a first build with a big file
    const dir = makeTempDir();
    const root = path.join(dir, 'layer');
    makeTree(root);
    const big = path.join(root, 'nodejs/node_modules/big/data.txt');
    const first = path.join(dir, 'first.zip');
    const rec = new ReuseRecorder(6);
    const p1 = await packDirectory(root, first, { workers: 2, reuse: { contentDigest: digestOf(root), recorder: rec } });
    rec.save(path.join(dir, 'reuse.json'), first, p1.zippedSize, p1.sha256);
    const previous = ReuseSource.open(path.join(dir, 'reuse.json'), 6)!;
    // the big entry is on record only in its streamed layout
    const size = fs.statSync(big).size;
    expect(previous.take('nodejs/node_modules/big/data.txt', sha(big), size, true)).toBeDefined();
    expect(previous.take('nodejs/node_modules/big/data.txt', sha(big), size)).toBeUndefined();
    expect(previous.take('nodejs/node_modules/pkg1/lib/f1.js', sha(path.join(root, 'nodejs/node_modules/pkg1/lib/f1.js')),
      fs.statSync(path.join(root, 'nodejs/node_modules/pkg1/lib/f1.js')).size, true)).toBeUndefined();

    // WHEN the big file changes (same size) and the tree is packed with the previous entries
    fs.writeFileSync(big, Buffer.alloc(size, 'hgfedcba'));
    const second = path.join(dir, 'second.zip');
    const p2 = await packDirectory(root, second, { workers: 2, reuse: { previous, contentDigest: digestOf(root), recorder: new ReuseRecorder(6) } });
    const cold = path.join(dir, 'cold.zip');
    await packDirectory(root, cold, { workers: 2 });
    // THEN everything but the big file was reused, and the bytes equal a cold pack's
    expect(p2.reusedEntries).toBe(12 * 9 + 2);
    expect(fs.readFileSync(second).equals(fs.readFileSync(cold))).toBe(true);
  });

  test('GIVEN a record WHEN its ZIP changed, the level differs or the file is missing THEN nothing is reused', async () => {
    // GIVEN
    const dir = makeTempDir();
    const root = path.join(dir, 'layer');
    writeTree(root, { 'python/a.py': 'a = 1\n'.repeat(100), 'python/b.py': 'b = 2\n'.repeat(100) });
    const zip = path.join(dir, 'first.zip');
    const rec = new ReuseRecorder(6);
    const p = await packDirectory(root, zip, { workers: 1, reuse: { contentDigest: digestOf(root), recorder: rec } });
    const recordFile = path.join(dir, 'reuse.json');
    rec.save(recordFile, zip, p.zippedSize, p.sha256);
    // WHEN / THEN
    expect(ReuseSource.open(recordFile, 6)?.size).toBe(2);
    expect(ReuseSource.open(recordFile, 9)).toBeUndefined();
    const bytes = fs.readFileSync(zip);
    bytes[40] ^= 0xFF;
    fs.writeFileSync(zip, bytes);
    expect(ReuseSource.open(recordFile, 6)).toBeUndefined();
    fs.rmSync(zip);
    expect(ReuseSource.open(recordFile, 6)).toBeUndefined();
    expect(ReuseSource.open(path.join(dir, 'none.json'), 6)).toBeUndefined();
  });

  test('GIVEN a record WHEN a file has the recorded name but other bytes THEN its entry is not taken', async () => {
    // GIVEN
    const dir = makeTempDir();
    const root = path.join(dir, 'layer');
    writeTree(root, { 'python/a.py': 'a = 1\n'.repeat(100) });
    const zip = path.join(dir, 'first.zip');
    const rec = new ReuseRecorder(6);
    const p = await packDirectory(root, zip, { workers: 1, reuse: { contentDigest: digestOf(root), recorder: rec } });
    rec.save(path.join(dir, 'reuse.json'), zip, p.zippedSize, p.sha256);
    const previous = ReuseSource.open(path.join(dir, 'reuse.json'), 6)!;
    // WHEN / THEN
    expect(previous.take('python/a.py', sha(path.join(root, 'python/a.py')), 600)).toBeDefined();
    expect(previous.take('python/a.py', '0'.repeat(64), 600)).toBeUndefined();
    expect(previous.take('python/a.py', sha(path.join(root, 'python/a.py')), 601)).toBeUndefined();
    expect(previous.take('python/other.py', sha(path.join(root, 'python/a.py')), 600)).toBeUndefined();
  });
});

describe('buildLayer rebuilds reuse the previous build of the same source', () => {
  test('GIVEN a built directory layer WHEN one file changes and it is rebuilt THEN entries are reused and the ZIP equals a cold build', async () => {
    // GIVEN a tree old enough for the key's digest record, built once
    const dir = makeTempDir();
    const root = path.join(dir, 'layer');
    makeTree(root);
    await sleep(RACY_MS + 200);
    const target = { platform: 'aws' as const, architecture: 'x86_64' as const, runtimes: ['nodejs20.x'] };
    const cacheDir = path.join(dir, 'cache');
    const prevEnv = process.env.LAYERSMITH_CACHE_DIR;
    process.env.LAYERSMITH_CACHE_DIR = cacheDir;
    const notes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      notes.push(String(chunk));
      return true;
    });
    try {
      const first = await buildLayer({ kind: 'directory', path: root }, target, { cacheDir });
      expect(fs.existsSync(reuseRecordPath(cacheDir, `directory\0${root}\0aws/x86_64`))).toBe(true);
      // WHEN
      fs.writeFileSync(path.join(root, 'nodejs/node_modules/pkg1/lib/f0.js'), 'module.exports = "changed";\n');
      const second = await buildLayer({ kind: 'directory', path: root }, target, { cacheDir });
      const cold = await buildLayer({ kind: 'directory', path: root }, target, { cacheDir: path.join(dir, 'cold-cache') });
      // THEN
      expect(second.inputKey).not.toBe(first.inputKey);
      expect(second.cacheHit).toBe(false);
      expect(notes.join('')).toMatch(new RegExp(`reused ${12 * 9 + 3 - 1} of \\d+ entries from the previous build`));
      expect(fs.readFileSync(second.zipPath).equals(fs.readFileSync(cold.zipPath))).toBe(true);
      expect(second.manifest.zip.sha256).toBe(cold.manifest.zip.sha256);
    } finally {
      spy.mockRestore();
      if (prevEnv === undefined) delete process.env.LAYERSMITH_CACHE_DIR;
      else process.env.LAYERSMITH_CACHE_DIR = prevEnv;
    }
  });
});
