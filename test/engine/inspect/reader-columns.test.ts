import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { PackageRecord } from '../../../lib/core/model';
import { inspectZip, ZipInspectionError } from '../../../lib/engine/inspect';
import { isNativeCandidate } from '../../../lib/engine/inspect/natives';
import { attributeSizes, isComposerInstalled, isNodePackageJson } from '../../../lib/engine/inspect/packages';
import { ZipReader } from '../../../lib/engine/inspect/zip-reader';
import { tempDir } from '../zip/helpers';
import { rawZip, RawEntry } from '../zip/raw-zip';

// The reader keeps the central directory in columns, finds duplicates from the sorted names and
// inflates metadata files in one zlib call. These tests hold each shortcut to what the
// record-by-record reader answered: the same entries, the same first error, the same bytes.

let dir: string;
beforeEach(() => {
  dir = tempDir('layersmith-test-inspect-columns-');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const LIMITS = { maxUnzippedBytes: 1e9, maxRatio: 1e6 };

function zipOf(name: string, entries: readonly RawEntry[]): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, rawZip(entries));
  return p;
}

async function codeAndMessage(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ZipInspectionError);
    return [(e as ZipInspectionError).code, (e as Error).message];
  }
  throw new Error('expected a ZipInspectionError, got success');
}

describe('duplicates found after the central directory is read', () => {
  test('GIVEN a file "a" and a directory "a/" apart in sorted order WHEN opened THEN DUPLICATE_ENTRY names the later record and the earlier', async () => {
    // GIVEN ('a-b' and 'a.txt' sort between 'a' and 'a/')
    const zip = zipOf('apart.zip', [{ name: 'a', data: 'x' }, { name: 'a-b', data: 'y' }, { name: 'a.txt', data: 'z' }, { name: 'a/' }]);
    // WHEN
    const [code, message] = await codeAndMessage(inspectZip(zip));
    // THEN
    expect(code).toBe('DUPLICATE_ENTRY');
    expect(message).toContain('holds "a/" twice (also as "a")');
  });

  test('GIVEN three copies of two names WHEN opened THEN the first repeat in directory order is reported', async () => {
    // GIVEN 'z' repeats at record 3, 'b' only at record 4
    const zip = zipOf('order.zip', [{ name: 'b', data: '1' }, { name: 'z', data: '2' }, { name: 'z', data: '3' }, { name: 'b', data: '4' }]);
    // WHEN
    const [code, message] = await codeAndMessage(inspectZip(zip));
    // THEN
    expect(code).toBe('DUPLICATE_ENTRY');
    expect(message).toContain('holds "z" twice');
  });

  test('GIVEN a duplicate before an encrypted record WHEN opened THEN DUPLICATE_ENTRY wins, as when records were checked in turn', async () => {
    // GIVEN
    const zip = zipOf('dup-first.zip', [{ name: 'x', data: '1' }, { name: 'x', data: '2' }, { name: 'secret', data: 's', flags: 1, method: 0 }]);
    // WHEN
    const [code] = await codeAndMessage(inspectZip(zip));
    // THEN
    expect(code).toBe('DUPLICATE_ENTRY');
  });

  test('GIVEN an encrypted record before a duplicate WHEN opened THEN ENCRYPTED wins', async () => {
    // GIVEN
    const zip = zipOf('enc-first.zip', [{ name: 'secret', data: 's', flags: 1, method: 0 }, { name: 'x', data: '1' }, { name: 'x', data: '2' }]);
    // WHEN
    const [code] = await codeAndMessage(inspectZip(zip));
    // THEN
    expect(code).toBe('ENCRYPTED');
  });

  test('GIVEN a duplicate before a record with a bad name WHEN opened THEN DUPLICATE_ENTRY wins; after it, the bad name does', async () => {
    // GIVEN
    const before = zipOf('dup-then-bad.zip', [{ name: 'x', data: '1' }, { name: 'x/' }, { name: '../evil', data: 'e' }]);
    const after = zipOf('bad-then-dup.zip', [{ name: '../evil', data: 'e' }, { name: 'x', data: '1' }, { name: 'x/' }]);
    // WHEN / THEN
    expect((await codeAndMessage(inspectZip(before)))[0]).toBe('DUPLICATE_ENTRY');
    expect((await codeAndMessage(inspectZip(after)))[0]).toBe('DOT_DOT');
  });

  test('GIVEN a duplicate non-ASCII name WHEN opened THEN DUPLICATE_ENTRY', async () => {
    // GIVEN
    const zip = zipOf('utf8.zip', [{ name: '\u{1F600}/', flags: 0x800 }, { name: '\u00E9', data: '1' }, { name: '\u{1F600}', data: '2', flags: 0x800 }]);
    // WHEN
    const [code, message] = await codeAndMessage(inspectZip(zip));
    // THEN
    expect(code).toBe('DUPLICATE_ENTRY');
    expect(message).toContain('\u{1F600}');
  });

  test('GIVEN names that only look alike WHEN opened THEN no duplicate is found', async () => {
    // GIVEN
    const zip = zipOf('alike.zip', [{ name: 'a/' }, { name: 'a/a', data: '1' }, { name: 'ab', data: '2' }, { name: 'A', data: '3' }, { name: 'a.', data: '4' }]);
    // WHEN
    const m = await inspectZip(zip);
    // THEN
    expect(m.entries.map((e) => e.path)).toEqual(['A', 'a.', 'a/', 'a/a', 'ab']);
  });
});

describe('the columns and the entries built from them', () => {
  test('GIVEN an unsorted ZIP WHEN opened THEN entries are in directory order and sortedOrder lists them in byte order', () => {
    // GIVEN
    const zip = zipOf('cols.zip', [
      { name: 'b/', unixMode: 0o040700 }, { name: 'b/run', data: 'x', unixMode: 0o100755 }, { name: 'a', data: 'y', method: 0 },
      { name: 'b/link', data: 'run', method: 0, unixMode: 0o120777 },
    ]);
    // WHEN
    const reader = ZipReader.open(zip, LIMITS);
    try {
      // THEN
      expect(reader.entries.map((e) => [e.name, e.type, e.mode.toString(8), e.method, e.uncompressedSize])).toEqual([
        ['b/', 'directory', '700', 0, 0], ['b/run', 'file', '755', 8, 1], ['a', 'file', '644', 0, 1], ['b/link', 'symlink', '777', 0, 3],
      ]);
      expect(reader.sortedOrder).toEqual([2, 0, 3, 1]);
      expect(reader.entries[1]).toEqual(reader.entry(1));
      expect(reader.entries[1].crc32).toBe(zlib.crc32('x'));
    } finally {
      reader.close();
    }
  });

  test('GIVEN a sorted ASCII ZIP WHEN opened THEN no order is computed', () => {
    // GIVEN
    const zip = zipOf('sorted.zip', [{ name: 'a/' }, { name: 'a/b', data: '1' }, { name: 'b', data: '2' }]);
    // WHEN
    const reader = ZipReader.open(zip, LIMITS);
    // THEN
    expect(reader.sortedOrder).toBeUndefined();
    reader.close();
  });
});

describe('metadata files inflated together', () => {
  const pkg = (i: number) => JSON.stringify({ name: `p${i}`, version: `1.0.${i}` });
  const entries = (): RawEntry[] => [
    ...Array.from({ length: 6 }, (_, i) => ({ name: `nodejs/node_modules/p${i}/package.json`, data: pkg(i), method: i === 2 ? 0 : 8 })),
    { name: 'python/x-1.0.dist-info/METADATA', data: 'Name: x\n' },
    { name: 'python/x-1.0.dist-info/RECORD', data: 'x/__init__.py,,\n' },
    { name: 'python/x/__init__.py', data: 'pass\n' },
  ];

  test('GIVEN deflated and stored metadata WHEN read together THEN each content equals the one read alone', () => {
    // GIVEN
    const zip = zipOf('meta.zip', entries());
    const reader = ZipReader.open(zip, LIMITS, 1 << 30);
    try {
      const list = reader.entries.filter((e) => !e.name.endsWith('.py'));
      expect(list.some((e) => e.method === 0) && list.some((e) => e.method === 8)).toBe(true);
      // WHEN
      const together = reader.readWholeMany(list);
      // THEN
      expect(together?.map((b) => b.toString())).toEqual(list.map((e) => reader.readWhole(e).toString()));
    } finally {
      reader.close();
    }
  });

  test('GIVEN one package.json with a wrong CRC WHEN inspected THEN BAD_CRC names it, as reading each alone did', async () => {
    // GIVEN
    const list = entries().map((e) => (e.name === 'nodejs/node_modules/p4/package.json' ? { ...e, crc32: 0x1234 } : e));
    const zip = zipOf('badcrc.zip', list);
    const reader = ZipReader.open(zip, LIMITS, 1 << 30);
    // WHEN
    const together = reader.readWholeMany(reader.entries);
    reader.close();
    const [code, message] = await codeAndMessage(inspectZip(zip));
    // THEN
    expect(together).toBeUndefined();
    expect(code).toBe('BAD_CRC');
    expect(message).toContain('"nodejs/node_modules/p4/package.json" is corrupt: its CRC-32 is');
  });

  test('GIVEN a package.json inflating past its declared size WHEN inspected THEN BAD_CRC names it', async () => {
    // GIVEN
    const list = entries().map((e) => (e.name === 'nodejs/node_modules/p1/package.json' ? { ...e, uncompressedSize: 5 } : e));
    const zip = zipOf('long.zip', list);
    // WHEN
    const [code, message] = await codeAndMessage(inspectZip(zip));
    // THEN
    expect(code).toBe('BAD_CRC');
    expect(message).toContain('"nodejs/node_modules/p1/package.json"');
  });

  test('GIVEN a package.json that is not deflate data WHEN inspected THEN BAD_CRC says it does not inflate', async () => {
    // GIVEN
    const list = entries().map((e) => (e.name === 'nodejs/node_modules/p3/package.json' ? { ...e, compressed: Buffer.from([0xFF, 0xFF, 0xFF]) } : e));
    const zip = zipOf('garbage.zip', list);
    // WHEN
    const [code, message] = await codeAndMessage(inspectZip(zip));
    // THEN
    expect(code).toBe('BAD_CRC');
    expect(message).toContain('"nodejs/node_modules/p3/package.json" is corrupt: it does not inflate');
  });

  test('GIVEN valid metadata WHEN inspected THEN every package is found with its version and RECORD', async () => {
    // GIVEN
    const zip = zipOf('ok.zip', entries());
    // WHEN
    const m = await inspectZip(zip);
    // THEN
    expect(m.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['p0@1.0.0', 'p1@1.0.1', 'p2@1.0.2', 'p3@1.0.3', 'p4@1.0.4', 'p5@1.0.5', 'x@1.0']);
    // AND the RECORD was read: x owns its dist-info (METADATA, RECORD) and x/__init__.py, which RECORD names
    expect(m.packages[6].files).toBe(3);
    expect(m.unowned).toEqual({ files: 0, unzippedBytes: 0 });
  });
});

describe('name tests that skip their regex', () => {
  const old = {
    native: (p: string, mode: number) => {
      const base = p.slice(p.lastIndexOf('/') + 1);
      if (/\.(so|node|dylib|dll|exe|pyd|bundle|o)$/i.test(base) || /\.so\.[0-9.]+$/.test(base)) return true;
      return (mode & 0o111) !== 0 && !/\.(js|cjs|mjs|ts|py|sh|rb|php|pl|json|md|txt)$/i.test(base);
    },
    node: (p: string) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(p),
    composer: (p: string) => /(^|\/)vendor\/composer\/installed\.json$/.test(p),
  };
  const names = [
    'a/b.so', 'a/B.SO', 'lib.so.1', 'lib.so.1.2.', 'x.so.a', 'x.Node', 'x.DLL', 'x.exe', 'x.pyd', 'x.bundle', 'x.o', 'x.O', 'a.so/b',
    'bin/tool', 'bin/run.JS', 'bin/run.py', 'x.dylib', 'x.dyliB', 'x.solo', 'package.json', 'node_modules/a/package.json',
    'node_modules/@s/a/package.json', 'node_modules/@s/package.json', 'x/node_modules/a/b/package.json', 'nodejs/node_modules/a/package.jsonx',
    'vendor/composer/installed.json', 'php/vendor/composer/installed.json', 'php/xvendor/composer/installed.json', 'composer/installed.json', '.so', 'a/.so.1',
  ];

  test.each([0o644, 0o755])('GIVEN names of every kind with mode %o WHEN tested THEN the answers equal the plain regex tests', (mode) => {
    for (const n of names) {
      expect([n, isNativeCandidate(n, mode)]).toEqual([n, old.native(n, mode)]);
      expect([n, isNodePackageJson(n)]).toEqual([n, old.node(n)]);
      expect([n, isComposerInstalled(n)]).toEqual([n, old.composer(n)]);
    }
  });
});

describe('package sizes with each directory looked up once', () => {
  // The per-file walk the memo replaced: exact claims, then the deepest claimed directory, then gem extensions.
  function perFileWalk(files: { path: string; size: number }[], packages: PackageRecord[]): [string, number, number][] {
    const dirs = new Map<string, number>();
    packages.forEach((p, i) => {
      const d = p.ecosystem === 'node' ? p.path.slice(0, p.path.lastIndexOf('/') + 1) : '';
      if (d && !dirs.has(d)) dirs.set(d, i);
    });
    const counts = packages.map(() => [0, 0]);
    for (const f of files) {
      let owner: number | undefined;
      for (let i = f.path.lastIndexOf('/'); owner === undefined && i > 0; i = f.path.lastIndexOf('/', i - 1)) owner = dirs.get(f.path.slice(0, i + 1));
      if (owner !== undefined) {
        counts[owner][0]++;
        counts[owner][1] += f.size;
      }
    }
    return packages.map((p, i) => [p.name, counts[i][0], counts[i][1]]);
  }

  test('GIVEN nested node_modules trees in sorted and shuffled order WHEN sized THEN every package counts what the per-file walk counts', () => {
    // GIVEN a deterministic pseudo-random tree: packages inside packages, files at every depth, names sharing prefixes
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const segs = ['a', 'a-b', 'a.b', 'ab', 'lib', 'node_modules', 'x', 'x/y'];
    const packageDirs = new Set<string>();
    const files: { path: string; size: number }[] = [];
    for (let i = 0; i < 400; i++) {
      let p = 'nodejs/node_modules/';
      for (let depth = rand(5); depth >= 0; depth--) p += `${segs[rand(segs.length)]}/`;
      if (rand(3) === 0) packageDirs.add(p);
      files.push({ path: `${p}f${rand(4)}.js`, size: rand(1000) });
    }
    const unique = [...new Map(files.map((f) => [f.path, f])).values()];
    const packages: PackageRecord[] = [...packageDirs].map((d, i) => ({ ecosystem: 'node', name: `p${i}`, version: '1.0.0', path: `${d}package.json` }));
    const sorted = [...unique].sort((x, y) => (x.path < y.path ? -1 : 1));
    const shuffled = [...unique].sort(() => rand(3) - 1);
    // WHEN
    const fromSorted = attributeSizes(sorted, packages, new Map()).packages.map((p) => [p.name, p.files, p.unzippedBytes]);
    const fromShuffled = attributeSizes(shuffled, packages, new Map()).packages.map((p) => [p.name, p.files, p.unzippedBytes]);
    // THEN
    const want = perFileWalk(unique, packages);
    expect(want.some(([, n]) => n > 0)).toBe(true);
    expect(fromSorted).toEqual(want);
    expect(fromShuffled).toEqual(want);
  });
});
