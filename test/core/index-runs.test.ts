import { layer, manifest } from './manifest-helper';
import { analyzeStack, indexManifest, overlappingFiles, resolveRuntime } from '../../lib/core';
import type { RuntimeInfo } from '../../lib/core';
import { layoutOf } from '../../lib/core/rules';

// The layout rule counts whole runs of sorted paths with binary searches and the overlap merge
// gallops over runs absent from the other layer; these tests hold both to the plain per-file
// definitions on trees that mix every case (runtime dirs, site-packages of several versions,
// python/lib/python... outside site-packages, root files, nothing-matches files).

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PARTS = [
  'python/requests/api.py', 'python/lib/python3.12/site-packages/numpy/core.py', 'python/lib/python3.11/site-packages/six.py',
  'python/lib/python3.12/notes.txt', 'python/lib/pythonx/site-packages/a.py', 'python/zz.py', 'nodejs/node_modules/lodash/index.js',
  'nodejs/node20/node_modules/x/index.js', 'bin/tool', 'lib/libz.so', 'bootstrap', 'README.md', 'java/lib/a.jar', 'site-packages/b.py',
  'pythonic/a.py', 'ruby/lib/x.rb',
];

function randomFiles(seed: number, count: number): string[] {
  const next = rng(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const base = PARTS[Math.floor(next() * PARTS.length)];
    const slash = base.lastIndexOf('/');
    // Vary the leaf so runs have many files, keep the directory so runs stay realistic.
    out.add(next() < 0.2 ? base : `${base.slice(0, slash + 1)}f${Math.floor(next() * 50)}${base.slice(slash + 1)}`);
  }
  return [...out];
}

/** The definition the fast version must agree with, one file at a time. */
function naiveLayout(files: readonly string[], runtime: RuntimeInfo): { inside: number; outside: string[] } {
  const prefixes = runtime.searchPaths.map((p) => `${p}/`);
  let inside = 0;
  const outside: string[] = [];
  for (const file of [...files].sort()) {
    const site = /^python\/lib\/python[^/]+\/site-packages\//.exec(file);
    const ok = site ? prefixes.includes(site[0]) : runtime.rootFiles.includes(file) || prefixes.some((p) => file.startsWith(p));
    if (ok) inside++;
    else outside.push(file);
  }
  return { inside, outside };
}

const RUNTIMES: Array<[ 'aws' | 'alicloud', string ]> = [
  ['aws', 'python3.12'], ['aws', 'python3.11'], ['alicloud', 'python3.10'], ['aws', 'nodejs20.x'], ['aws', 'provided.al2023'], ['aws', 'java21'],
];

describe('layout by runs of sorted paths', () => {
  test.each(RUNTIMES)('GIVEN 40 random layers WHEN classified for %s %s THEN it matches the per-file definition', (platform, id) => {
    const runtime = resolveRuntime(platform, id);
    for (let seed = 1; seed <= 40; seed++) {
      // GIVEN
      const files = randomFiles(seed, 5 + (seed * 7) % 120);
      // WHEN
      const got = layoutOf(indexManifest(manifest({ files })), runtime);
      // THEN
      const want = naiveLayout(files, runtime);
      expect({ seed, inside: got.inside, outside: [...got.outside] }).toEqual({ seed, ...want });
    }
  });
});

describe('overlap merge', () => {
  test('GIVEN pairs of random layers WHEN overlapped THEN the result is the sorted intersection, either way round', () => {
    for (let seed = 1; seed <= 60; seed++) {
      // GIVEN
      const a = randomFiles(seed, 1 + (seed * 13) % 150);
      const b = randomFiles(seed + 1000, 1 + (seed * 29) % 150);
      const ia = indexManifest(manifest({ files: a }));
      const ib = indexManifest(manifest({ files: b }));
      // WHEN
      const ab = overlappingFiles(ia, ib);
      // THEN
      const setB = new Set(b);
      expect([...ab]).toEqual(a.filter((f) => setB.has(f)).sort());
      expect(overlappingFiles(ib, ia)).toBe(ab);
    }
  });

  test('GIVEN an index WHEN its files array is read THEN it lists files and symlinks only, sorted, and fileCount matches', () => {
    // GIVEN
    const idx = indexManifest(manifest({ files: ['b/x.py', 'a/y.py', 'a/b/c.py'] }));
    // WHEN / THEN
    expect(idx.files).toEqual(['a/b/c.py', 'a/y.py', 'b/x.py']);
    expect(idx.fileCount).toBe(3);
    expect(idx.filePath(1)).toBe('a/y.py');
  });

  test('GIVEN a manifest whose entries are not in code-unit order WHEN indexed THEN files come out sorted', () => {
    // GIVEN
    const sorted = manifest({ files: ['z.py', 'a.py'] });
    const m = { ...sorted, entries: [...sorted.entries].reverse() };
    // WHEN
    const idx = indexManifest(m);
    // THEN
    expect(idx.files).toEqual(['a.py', 'z.py']);
  });
});

describe('shadowing by merging pair overlaps', () => {
  test('GIVEN five random layers WHEN the stack is analysed THEN every path in two or more layers is reported once with all its holders', () => {
    for (let seed = 1; seed <= 25; seed++) {
      // GIVEN
      const fileLists = [0, 1, 2, 3, 4].map((k) => randomFiles(seed * 10 + k, 20 + ((seed + k) * 17) % 60));
      const layers = fileLists.map((files, k) => layer(`L${k}`, { files }));
      // WHEN
      const report = analyzeStack({ platform: 'aws', function: { path: 'Fn', runtime: 'python3.12', architecture: 'x86_64' }, layers });
      // THEN
      const holders = new Map<string, string[]>();
      fileLists.forEach((files, k) => files.forEach((f) => holders.set(f, [...(holders.get(f) ?? []), `L${k}`])));
      const want = [...holders].filter(([, ls]) => ls.length > 1).sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([path, ls]) => ({ path, layers: ls, winner: ls[ls.length - 1] }));
      expect(report.shadowed.map((s) => ({ path: s.path, layers: [...s.layers], winner: s.winner }))).toEqual(want);
    }
  });
});
