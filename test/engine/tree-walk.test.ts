import * as fs from 'fs';
import * as path from 'path';
import { layerTreeDigest, treeDigest, withDigestRecords } from '../../lib/engine/digest';
import { DigestIndex, digestIndexDir, TreeRecord } from '../../lib/engine/digest-index';
import { settleMs } from '../../lib/engine/file-times';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';

/**
 * The walk behind a directory key reuses what its record says (directory listings whose stamps
 * match, file digests whose stamps match, the tree digest when nothing differs), and still gives
 * exactly the key a walk without any record gives, whatever changed in between.
 */

afterAll(cleanupTempDirs);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until everything under `dir` is old enough to be trusted by the record. */
async function settle(dir: string): Promise<void> {
  await sleep(settleMs(fs.statSync(dir)) + 150);
}

interface Fixture {
  readonly dir: string;
  readonly cacheDir: string;
}

async function recordedTree(files: Record<string, string>): Promise<Fixture> {
  const base = makeTempDir();
  const dir = path.join(base, 'layer');
  writeTree(dir, files);
  await settle(dir);
  const f = { dir, cacheDir: path.join(base, 'cache') };
  keyed(f);
  return f;
}

/** The layer digest with the fixture's records (default excludes, as a directory source has). */
function keyed(f: Fixture, excludes: string[] = []): string {
  return withDigestRecords(f.cacheDir, () => layerTreeDigest(f.dir, excludes));
}

/** The same digest computed with no record at all. */
function fresh(f: Fixture, excludes: string[] = []): string {
  return withDigestRecords(makeTempDir('layersmith-test-norecord-'), () => layerTreeDigest(f.dir, excludes));
}

/** Counts readdirSync and file reads while `fn` runs. */
function counted<T>(fn: () => T): { value: T; listed: string[]; opened: string[] } {
  const realFs = jest.requireActual<typeof fs>('fs');
  const listed: string[] = [];
  const opened: string[] = [];
  const readdir = realFs.readdirSync;
  const open = realFs.openSync;
  const s1 = jest.spyOn(realFs, 'readdirSync').mockImplementation(((p: fs.PathLike, ...rest: unknown[]) => {
    listed.push(String(p));
    return (readdir as (...a: unknown[]) => unknown).call(realFs, p, ...rest);
  }) as typeof fs.readdirSync);
  const s2 = jest.spyOn(realFs, 'openSync').mockImplementation(((p: fs.PathLike, ...rest: unknown[]) => {
    opened.push(String(p));
    return (open as (...a: unknown[]) => number).call(realFs, p, ...rest);
  }) as typeof fs.openSync);
  try {
    return { value: fn(), listed, opened };
  } finally {
    s1.mockRestore();
    s2.mockRestore();
  }
}

const FILES = {
  'nodejs/node_modules/a/index.js': 'module.exports = 1;\n',
  'nodejs/node_modules/a/package.json': '{"name":"a","version":"1.0.0"}\n',
  'nodejs/node_modules/b/lib/b.js': 'module.exports = 2;\n',
  'nodejs/node_modules/b/package.json': '{"name":"b","version":"2.0.0"}\n',
};

describe('a recorded tree walk', () => {
  test('GIVEN an unchanged, settled tree WHEN keyed again THEN no directory is listed and no file is read, and the key is the same', async () => {
    const f = await recordedTree(FILES);
    const first = keyed(f);
    const { value, listed, opened } = counted(() => keyed(f));
    expect(value).toBe(first);
    expect(value).toBe(fresh(f));
    expect(listed).toEqual([]);
    expect(opened.filter((p) => p.startsWith(f.dir))).toEqual([]);
  });

  test('GIVEN a recorded tree WHEN a file is added THEN only its directory is listed again, and the key is that of the new tree', async () => {
    const f = await recordedTree(FILES);
    const before = keyed(f);
    fs.writeFileSync(path.join(f.dir, 'nodejs/node_modules/b/lib/extra.js'), 'x\n');
    const { value, listed, opened } = counted(() => keyed(f));
    expect(value).not.toBe(before);
    expect(value).toBe(fresh(f));
    expect(listed).toEqual([path.join(f.dir, 'nodejs/node_modules/b/lib')]);
    expect(opened.filter((p) => p.startsWith(f.dir))).toEqual([path.join(f.dir, 'nodejs/node_modules/b/lib/extra.js')]);

    // AND the record written then describes the new tree: once settled, nothing is listed or read again
    await settle(f.dir);
    expect(keyed(f)).toBe(value);
    const again = counted(() => keyed(f));
    expect(again.value).toBe(value);
    expect(again.listed).toEqual([]);
    expect(again.opened.filter((p) => p.startsWith(f.dir))).toEqual([]);
  });

  test('GIVEN a recorded tree WHEN a file is removed THEN the key is that of the new tree', async () => {
    const f = await recordedTree(FILES);
    const before = keyed(f);
    fs.rmSync(path.join(f.dir, 'nodejs/node_modules/a/index.js'));
    expect(keyed(f)).not.toBe(before);
    expect(keyed(f)).toBe(fresh(f));
  });

  test('GIVEN a recorded tree WHEN a whole directory is removed THEN the key is that of the new tree', async () => {
    const f = await recordedTree(FILES);
    fs.rmSync(path.join(f.dir, 'nodejs/node_modules/b'), { recursive: true });
    expect(keyed(f)).toBe(fresh(f));
  });

  test('GIVEN a recorded tree WHEN a file changes with the same size and its mtime put back THEN the key changes', async () => {
    const f = await recordedTree(FILES);
    const file = path.join(f.dir, 'nodejs/node_modules/b/lib/b.js');
    const past = Math.floor(Date.now() / 1000) - 3600;
    fs.utimesSync(file, past, past);
    await settle(f.dir);
    const before = keyed(f);
    expect(keyed(f)).toBe(before);
    const st = fs.statSync(file);
    fs.writeFileSync(file, 'module.exports = 3;\n');
    fs.utimesSync(file, past, past);
    expect([fs.statSync(file).size, fs.statSync(file).mtimeMs]).toEqual([st.size, st.mtimeMs]);
    const after = keyed(f);
    expect(after).not.toBe(before);
    expect(after).toBe(fresh(f));
  });

  test('GIVEN a recorded tree WHEN an excluded file is added THEN the key does not change', async () => {
    const f = await recordedTree(FILES);
    const before = keyed(f);
    fs.writeFileSync(path.join(f.dir, 'nodejs/node_modules/a/.env'), 'SECRET=1\n');
    fs.mkdirSync(path.join(f.dir, 'nodejs/node_modules/a/__pycache__'));
    expect(keyed(f)).toBe(before);
    await settle(f.dir);
    expect(keyed(f)).toBe(before);
  });

  test('GIVEN a recorded tree WHEN a file is replaced by a directory of the same name THEN the key is that of the new tree', async () => {
    const f = await recordedTree(FILES);
    const file = path.join(f.dir, 'nodejs/node_modules/a/index.js');
    fs.rmSync(file);
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'inner.js'), 'y\n');
    expect(keyed(f)).toBe(fresh(f));
  });

  test('GIVEN a recorded tree with a symlink WHEN the link is pointed elsewhere THEN the key changes', async () => {
    const f = await recordedTree(FILES);
    const link = path.join(f.dir, 'nodejs/node_modules/a/link');
    fs.symlinkSync('index.js', link);
    await settle(f.dir);
    const before = keyed(f);
    expect(keyed(f)).toBe(before);
    fs.rmSync(link);
    fs.symlinkSync('package.json', link);
    expect(keyed(f)).not.toBe(before);
    expect(keyed(f)).toBe(fresh(f));
  });

  test('GIVEN a tree recorded with some excludes WHEN keyed with other excludes THEN listings are not reused and each key is right', async () => {
    const f = await recordedTree({ ...FILES, 'nodejs/node_modules/a/README.md': '# a\n' });
    const withDocs = keyed(f);
    const { value: noDocs, listed } = counted(() => keyed(f, ['*.md']));
    expect(noDocs).not.toBe(withDocs);
    expect(noDocs).toBe(fresh(f, ['*.md']));
    expect(listed.length).toBeGreaterThan(0);
    expect(keyed(f)).toBe(withDocs);
  });

  test('GIVEN a record whose listing is stale (an entry gone, the directory stamps made to match) THEN the walk lists everything and is still right', async () => {
    // GIVEN a record, a file removed, and the record's stamps of its directory set to the directory's new ones
    const f = await recordedTree(FILES);
    const dir = path.join(f.dir, 'nodejs/node_modules/a');
    fs.rmSync(path.join(dir, 'index.js'));
    const file = path.join(digestIndexDir(f.cacheDir), fs.readdirSync(digestIndexDir(f.cacheDir))[0]);
    const record = TreeRecord.load(file, f.dir)!;
    const i = record.rels.indexOf('nodejs/node_modules/a');
    expect(record.isListed(i)).toBe(true);
    const bytes = fs.readFileSync(file);
    const st = fs.statSync(dir);
    const stampsAt = (8 + bytes.readUInt32LE(4) + 7) & ~7;
    [st.size, st.mtimeMs, st.ctimeMs, st.ino, st.dev].forEach((v, j) => bytes.writeDoubleLE(v, stampsAt + (i * 5 + j) * 8));
    fs.writeFileSync(file, bytes);
    expect(TreeRecord.load(file, f.dir)!.matches(i, st)).toBe(true);

    // WHEN keyed / THEN the missing entry was noticed and the key is the new tree's
    const { value, listed } = counted(() => keyed(f));
    expect(value).toBe(fresh(f));
    expect(listed).toContain(dir);
  });

  test('GIVEN a recorded tree WHEN a plain treeDigest (no excludes) is taken THEN it has its own scope and the same answer as without a record', async () => {
    const f = await recordedTree({ ...FILES, 'nodejs/node_modules/a/.env': 'X=1\n' });
    const plain = withDigestRecords(f.cacheDir, () => treeDigest(f.dir));
    expect(plain).toBe(withDigestRecords(makeTempDir(), () => treeDigest(f.dir)));
    expect(plain).not.toBe(keyed(f));
    expect(withDigestRecords(f.cacheDir, () => treeDigest(f.dir))).toBe(plain);
  });

  test('GIVEN a recorded tree THEN DigestIndex answers file lookups from it, and exists() sees it', async () => {
    const f = await recordedTree(FILES);
    const file = path.join(f.dir, 'nodejs/node_modules/a/index.js');
    const idx = DigestIndex.open(digestIndexDir(f.cacheDir), f.dir);
    expect(DigestIndex.exists(digestIndexDir(f.cacheDir), f.dir)).toBe(true);
    expect(DigestIndex.exists(digestIndexDir(f.cacheDir), path.join(f.dir, 'other'))).toBe(false);
    expect(idx.lookup('nodejs/node_modules/a/index.js', fs.statSync(file))).toMatch(/^[0-9a-f]{64}$/);
    expect(idx.lookup('nodejs/node_modules/a', fs.statSync(path.dirname(file)))).toBeUndefined();
  });
});
