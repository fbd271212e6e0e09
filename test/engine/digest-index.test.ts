import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DigestIndex, digestIndexDir, RACY_MS } from '../../lib/engine/digest-index';
import { settleMs } from '../../lib/engine/file-times';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';

afterAll(() => cleanupTempDirs());

const repo = path.resolve(__dirname, '..', '..');

/** The key of a directory source computed by a fresh Node process (no in-process memo). */
function keyInFreshProcess(dir: string, cacheDir: string): string {
  const script = `
    require('ts-node/register/transpile-only');
    const { computeInputKey, LayerSource } = require(${JSON.stringify(path.join(repo, 'lib', 'engine', 'index.ts'))});
    const target = { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] };
    process.stdout.write(computeInputKey(LayerSource.fromDirectory(process.argv[1]).bind(), target));
  `;
  return execFileSync(process.execPath, ['-e', script, dir], {
    env: { ...process.env, LAYERSMITH_CACHE_DIR: cacheDir, TS_NODE_PREFER_TS_EXTS: 'true' },
    encoding: 'utf8',
  });
}

/** As keyInFreshProcess, with the layer's own cache directory passed to computeInputKey. */
function keyWithOwnCache(dir: string, defaultCache: string, ownCache: string): string {
  const script = `
    require('ts-node/register/transpile-only');
    const { computeInputKey, LayerSource } = require(${JSON.stringify(path.join(repo, 'lib', 'engine', 'index.ts'))});
    const target = { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] };
    process.stdout.write(computeInputKey(LayerSource.fromDirectory(process.argv[1]).bind(), target, process.argv[2]));
  `;
  return execFileSync(process.execPath, ['-e', script, dir, ownCache], {
    env: { ...process.env, LAYERSMITH_CACHE_DIR: defaultCache, TS_NODE_PREFER_TS_EXTS: 'true' },
    encoding: 'utf8',
  });
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Overwrites, in a record file, the stored digest of the file whose content is `content` with
 * zeros, and drops the stored tree digest (so the walk must combine the file digests again,
 * taking the falsified one).
 */
function falsifyRecord(record: string, content: Buffer): void {
  const bytes = fs.readFileSync(record);
  const digest = createHash('sha256').update(content).digest();
  const at = bytes.indexOf(digest);
  expect(at).toBeGreaterThan(0);
  digest.fill(0).copy(bytes, at);
  const headerLen = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLen));
  expect(header.tree).toMatch(/^[0-9a-f]{64}$/);
  // Same header length, so every column stays where it is.
  Buffer.from(JSON.stringify({ ...header, tree: null }).padEnd(headerLen, ' ')).copy(bytes, 8);
  fs.writeFileSync(record, bytes);
}

function recordFiles(cacheDir: string): string[] {
  const dir = digestIndexDir(cacheDir);
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('digest index (persisted, like git\'s index)', () => {
  test('GIVEN a keyed tree WHEN one byte changes with size and mtime restored THEN a fresh process computes a new key', async () => {
    // GIVEN a tree old enough to be recorded, keyed once (which writes the record)
    const base = makeTempDir();
    const dir = path.join(base, 'layer');
    const cacheDir = path.join(base, 'cache');
    writeTree(dir, { 'nodejs/node_modules/a/index.js': 'module.exports = 1;\n', 'nodejs/node_modules/b/index.js': 'module.exports = 2;\n' });
    // A whole-second mtime an hour ago, so utimes can put it back exactly.
    const file = path.join(dir, 'nodejs/node_modules/a/index.js');
    const past = Math.floor(Date.now() / 1000) - 3600;
    fs.utimesSync(file, past, past);
    await sleep(RACY_MS + 200);
    const before = keyInFreshProcess(dir, cacheDir);
    expect(recordFiles(cacheDir)).toHaveLength(1);
    expect(keyInFreshProcess(dir, cacheDir)).toBe(before);

    // WHEN one byte changes, same size, and the old mtime is put back
    const st = fs.statSync(file);
    fs.writeFileSync(file, 'module.exports = 7;\n');
    fs.utimesSync(file, past, past);
    expect(fs.statSync(file).size).toBe(st.size);
    expect(fs.statSync(file).mtimeMs).toBe(st.mtimeMs);

    // THEN the key differs (ctime moved, so the file was hashed again)
    const after = keyInFreshProcess(dir, cacheDir);
    expect(after).not.toBe(before);
    // AND it is the key of the new content, as a process without any record computes it
    expect(after).toBe(keyInFreshProcess(dir, path.join(base, 'empty-cache')));
  });

  test('GIVEN a recorded tree WHEN nothing changed THEN the recorded digest is used without reading the file; a touch hashes it', async () => {
    // GIVEN a tree keyed twice (the second walk took everything from the record)
    const base = makeTempDir();
    const dir = path.join(base, 'layer');
    const cacheDir = path.join(base, 'cache');
    writeTree(dir, { 'python/mod.py': 'print(1)\n', 'python/other.py': 'print(2)\n' });
    await sleep(RACY_MS + 200);
    const real = keyInFreshProcess(dir, cacheDir);
    expect(keyInFreshProcess(dir, cacheDir)).toBe(real);
    const [record] = recordFiles(cacheDir);
    const loaded = DigestIndex.open(digestIndexDir(cacheDir), dir);
    const file = path.join(dir, 'python/mod.py');
    expect(loaded.lookup('python/mod.py', fs.statSync(file))).toBe(sha256(fs.readFileSync(file)));

    // WHEN the recorded digest of one file is falsified (stamps untouched) and the stored tree digest dropped
    falsifyRecord(record, fs.readFileSync(file));
    // THEN the key follows the record: the file was not read
    const fromRecord = keyInFreshProcess(dir, cacheDir);
    expect(fromRecord).not.toBe(real);

    // WHEN the file's ctime moves (chmod to the same mode)
    fs.chmodSync(file, fs.statSync(file).mode & 0o777);
    // THEN the file is hashed again and the real key comes back
    expect(keyInFreshProcess(dir, cacheDir)).toBe(real);
  });

  test('GIVEN a file changed within its settle time of hashing WHEN recorded THEN it is not kept, so the next lookup hashes it', () => {
    // GIVEN
    const base = makeTempDir();
    writeTree(base, { 'f.txt': 'x' });
    const st = fs.statSync(path.join(base, 'f.txt'));
    const dir = path.join(base, 'records');
    // WHEN one index records it as just changed and another as long settled
    const racy = DigestIndex.open(dir, '/racy');
    racy.record('f.txt', st, 'd'.repeat(64), Math.max(st.mtimeMs, st.ctimeMs) + settleMs(st) - 1);
    racy.save();
    const settled = DigestIndex.open(dir, '/settled');
    settled.record('f.txt', st, 'e'.repeat(64), Math.max(st.mtimeMs, st.ctimeMs) + settleMs(st) + 1);
    settled.save();
    // THEN only the settled one answers, and the racy one wrote no record (it had nothing to keep)
    expect(DigestIndex.open(dir, '/racy').lookup('f.txt', st)).toBeUndefined();
    expect(DigestIndex.open(dir, '/settled').lookup('f.txt', st)).toBe('e'.repeat(64));
    expect(fs.readdirSync(dir)).toHaveLength(1);
  });

  test('GIVEN a record WHEN any of size, mtime, ctime, inode or device differs THEN lookup misses', () => {
    // GIVEN
    const base = makeTempDir();
    writeTree(base, { 'f.txt': 'x' });
    const st = fs.statSync(path.join(base, 'f.txt'));
    const dir = path.join(base, 'records');
    const idx = DigestIndex.open(dir, '/root');
    idx.record('f.txt', st, 'a'.repeat(64), Date.now() + 10 * RACY_MS);
    idx.save();
    const loaded = DigestIndex.open(dir, '/root');
    // WHEN / THEN
    expect(loaded.lookup('f.txt', st)).toBe('a'.repeat(64));
    for (const field of ['size', 'mtimeMs', 'ctimeMs', 'ino', 'dev'] as const) {
      const other = Object.assign(Object.create(Object.getPrototypeOf(st)), st, { [field]: (st[field] as number) + 1 }) as fs.Stats;
      expect({ field, hit: loaded.lookup('f.txt', other) }).toEqual({ field, hit: undefined });
    }
    expect(loaded.lookup('other.txt', st)).toBeUndefined();
  });

  test('GIVEN a damaged record file WHEN opened THEN it is treated as empty', () => {
    // GIVEN
    const base = makeTempDir();
    writeTree(base, { 'f.txt': 'x' });
    const dir = path.join(base, 'records');
    const idx = DigestIndex.open(dir, '/root');
    idx.record('f.txt', fs.statSync(path.join(base, 'f.txt')), 'a'.repeat(64), Date.now() + 10 * RACY_MS);
    idx.save();
    for (const f of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, f), 'LSD3 damaged');
    // WHEN / THEN
    expect(DigestIndex.open(dir, '/root').lookup('f.txt', fs.statSync(path.join(base, 'f.txt')))).toBeUndefined();
  });

  test('GIVEN a layer with its own cache directory WHEN its key is computed THEN the digest record is kept there, not in the default cache', async () => {
    // GIVEN a tree old enough to be recorded
    const base = makeTempDir();
    const dir = path.join(base, 'layer');
    writeTree(dir, { 'nodejs/node_modules/a/index.js': 'module.exports = 1;\n' });
    await sleep(RACY_MS + 200);
    const defaultCache = path.join(base, 'default-cache');
    const ownCache = path.join(base, 'own-cache');

    // WHEN
    const key = keyWithOwnCache(dir, defaultCache, ownCache);

    // THEN the record is in the layer's cache only, and the key does not depend on where it is
    expect(recordFiles(ownCache)).toHaveLength(1);
    expect(recordFiles(defaultCache)).toEqual([]);
    expect(key).toBe(keyInFreshProcess(dir, path.join(base, 'other-cache')));
  });
});
