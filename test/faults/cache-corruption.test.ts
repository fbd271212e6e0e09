import { createHash } from 'crypto';
import * as fs from 'fs';
import type { BuildTarget, LayerArtifact } from '../../lib/engine/api';
import { artifactPaths, readArtifact } from '../../lib/engine/cache';
import { STAMP_SETTLE_MS, verifiedStampPath } from '../../lib/engine/cache-verify';
import { buildLayer } from '../../lib/engine/engine';
import { isSettled } from '../../lib/engine/file-times';
import { LayerSource } from '../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, openedDuring, writeTree } from '../helpers';

/**
 * Every way a cache entry can be damaged after its commit is detected on the next read: the
 * entry is removed, the layer is rebuilt, and the rebuilt ZIP is byte-identical to the original.
 */

afterAll(cleanupTempDirs);

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };
const quiet = { progress: false };

function layerDir(): string {
  const dir = makeTempDir('layersmith-test-src-');
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`python/pkg/mod${i}.py`] = `VALUE = ${i}\n`.repeat(50 + i);
  writeTree(dir, files);
  return dir;
}

interface Fixture {
  readonly cacheDir: string;
  readonly source: LayerSource;
  readonly first: LayerArtifact;
  readonly original: Buffer;
}

/**
 * A committed entry. `stamped`: wait until the ZIP is old enough to be stamped, then read it once
 * so the verification stamp exists, as every later synth finds it (in-place damage must then beat
 * the stamp, not just the size check).
 */
async function builtOnce(stamped: boolean): Promise<Fixture> {
  const cacheDir = makeTempDir('layersmith-test-cache-');
  const source = LayerSource.fromDirectory(layerDir());
  const first = await buildLayer(source, TARGET, { cacheDir, ...quiet });
  const zipStat = fs.statSync(first.zipPath);
  const before = Date.now();
  expect(readArtifact(cacheDir, first.inputKey)).toBeDefined();
  const after = Date.now();
  // a fresh ZIP is never stamped (its ctime could still tick with a later write); a settled one is
  if (!isSettled(zipStat, after)) expect(fs.existsSync(verifiedStampPath(first.zipPath))).toBe(false);
  if (isSettled(zipStat, before)) expect(fs.existsSync(verifiedStampPath(first.zipPath))).toBe(true);
  if (!stamped) fs.rmSync(verifiedStampPath(first.zipPath), { force: true });
  if (stamped) {
    await new Promise((r) => setTimeout(r, STAMP_SETTLE_MS + 100));
    expect(readArtifact(cacheDir, first.inputKey)).toBeDefined();
    expect(fs.existsSync(verifiedStampPath(first.zipPath))).toBe(true);
  }
  return { cacheDir, source, first, original: fs.readFileSync(first.zipPath) };
}

/** Captures stderr lines written while `fn` runs. */
async function stderrOf<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const saved = process.env.LAYERSMITH_QUIET;
  delete process.env.LAYERSMITH_QUIET;
  try {
    return { value: await fn(), lines };
  } finally {
    if (saved !== undefined) process.env.LAYERSMITH_QUIET = saved;
    spy.mockRestore();
  }
}

const corruptions: Array<{ name: string; stamped: boolean; damage: (f: Fixture) => void; why: RegExp }> = [
  {
    name: 'a truncated ZIP (half its bytes)',
    stamped: false,
    damage: (f) => fs.truncateSync(f.first.zipPath, Math.floor(f.original.length / 2)),
    why: /the ZIP is \d+ bytes but its manifest records \d+/,
  },
  {
    name: 'a zero-length ZIP',
    stamped: false,
    damage: (f) => fs.writeFileSync(f.first.zipPath, ''),
    why: /the ZIP is 0 bytes but its manifest records \d+/,
  },
  {
    name: 'a ZIP altered in place (one byte flipped, same size)',
    stamped: true,
    damage: (f) => {
      const fd = fs.openSync(f.first.zipPath, 'r+');
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, 100);
      b[0] ^= 0xff;
      fs.writeSync(fd, b, 0, 1, 100);
      fs.closeSync(fd);
    },
    why: /the ZIP's SHA-256 is \S+ but its manifest records \S+/,
  },
  {
    name: 'a ZIP altered in place with its mtime put back (ctime still moves)',
    stamped: true,
    damage: (f) => {
      const st = fs.statSync(f.first.zipPath);
      const bytes = Buffer.from(f.original);
      bytes[200] ^= 0x01;
      fs.writeFileSync(f.first.zipPath, bytes);
      fs.utimesSync(f.first.zipPath, st.atime, st.mtime);
    },
    why: /the ZIP's SHA-256 is \S+ but its manifest records \S+/,
  },
  {
    name: 'a ZIP replaced by another file of the same size (new inode)',
    stamped: true,
    damage: (f) => {
      const other = Buffer.alloc(f.original.length, 0x50);
      const tmp = `${f.first.zipPath}.other`;
      fs.writeFileSync(tmp, other);
      fs.renameSync(tmp, f.first.zipPath);
    },
    why: /the ZIP's SHA-256 is \S+ but its manifest records \S+/,
  },
  {
    name: 'a manifest whose SHA-256 does not match its ZIP',
    stamped: true,
    damage: (f) => {
      const m = JSON.parse(fs.readFileSync(f.first.manifestPath, 'utf8'));
      m.zip.sha256 = createHash('sha256').update('something else').digest('base64');
      fs.writeFileSync(f.first.manifestPath, JSON.stringify(m, null, 2) + '\n');
    },
    why: /the ZIP's SHA-256 is \S+ but its manifest records \S+/,
  },
  {
    name: 'a manifest whose size does not match its ZIP',
    stamped: false,
    damage: (f) => {
      const m = JSON.parse(fs.readFileSync(f.first.manifestPath, 'utf8'));
      m.zip.zippedSize += 1;
      fs.writeFileSync(f.first.manifestPath, JSON.stringify(m, null, 2) + '\n');
    },
    why: /the ZIP is \d+ bytes but its manifest records \d+/,
  },
  {
    name: 'a manifest that records no ZIP facts',
    stamped: false,
    damage: (f) => {
      const m = JSON.parse(fs.readFileSync(f.first.manifestPath, 'utf8'));
      delete m.zip;
      fs.writeFileSync(f.first.manifestPath, JSON.stringify(m));
    },
    why: /its manifest records no ZIP size and SHA-256/,
  },
  {
    name: 'a forged stamp (claims the damaged ZIP was verified, but for another manifest)',
    stamped: true,
    damage: (f) => {
      const stamp = JSON.parse(fs.readFileSync(verifiedStampPath(f.first.zipPath), 'utf8'));
      const bytes = Buffer.from(f.original);
      bytes[300] ^= 0x01;
      fs.writeFileSync(f.first.zipPath, bytes);
      const st = fs.statSync(f.first.zipPath);
      fs.writeFileSync(verifiedStampPath(f.first.zipPath), JSON.stringify({ ...stamp, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, manifest: 'f'.repeat(64) }));
    },
    why: /the ZIP's SHA-256 is \S+ but its manifest records \S+/,
  },
];

describe('a damaged cache entry is detected, removed and rebuilt, never shipped', () => {
  test.each(corruptions)('$name', async ({ stamped, damage, why }) => {
    // GIVEN a committed cache entry (stamped: once verified and stamped)
    const f = await builtOnce(stamped);

    // WHEN it is damaged and the layer is built again
    damage(f);
    const { value: again, lines } = await stderrOf(() => buildLayer(f.source, TARGET, { cacheDir: f.cacheDir, ...quiet }));

    // THEN the damaged entry was not used: the layer was rebuilt into the same place
    expect(again.cacheHit).toBe(false);
    expect(again.zipPath).toBe(f.first.zipPath);
    // and the rebuilt ZIP is byte-identical to the original, and matches its manifest
    expect(fs.readFileSync(again.zipPath).equals(f.original)).toBe(true);
    expect(JSON.parse(fs.readFileSync(again.manifestPath, 'utf8'))).toEqual(f.first.manifest);
    // and one line said which file was damaged and why
    const said = lines.filter((l) => l.includes('is damaged'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(f.first.zipPath);
    expect(said[0]).toMatch(why);
    expect(said[0]).toMatch(/removed it, rebuilding/);
    // and the next read is a hit again
    expect(readArtifact(f.cacheDir, f.first.inputKey)?.cacheHit).toBe(true);
  });

  test('a truncated manifest (half-written JSON) is a miss, and the rebuild replaces it', async () => {
    // GIVEN an entry whose manifest was cut off
    const f = await builtOnce(false);
    const text = fs.readFileSync(f.first.manifestPath, 'utf8');
    fs.writeFileSync(f.first.manifestPath, text.slice(0, text.length / 3));

    // WHEN read and built again
    expect(readArtifact(f.cacheDir, f.first.inputKey)).toBeUndefined();
    const again = await buildLayer(f.source, TARGET, { cacheDir: f.cacheDir, ...quiet });

    // THEN rebuilt, same bytes, complete manifest
    expect(again.cacheHit).toBe(false);
    expect(fs.readFileSync(again.zipPath).equals(f.original)).toBe(true);
    expect(fs.readFileSync(again.manifestPath, 'utf8')).toBe(text);
  });

  test('a ZIP whose manifest is gone is a miss and is replaced by the rebuild', async () => {
    // GIVEN an entry whose manifest was removed (as a kill between the two renames leaves it)
    const f = await builtOnce(false);
    fs.rmSync(f.first.manifestPath);

    // WHEN built again
    const again = await buildLayer(f.source, TARGET, { cacheDir: f.cacheDir, ...quiet });

    // THEN rebuilt to the same bytes
    expect(again.cacheHit).toBe(false);
    expect(fs.readFileSync(again.zipPath).equals(f.original)).toBe(true);
  });
});

describe('what verification costs', () => {
  test('an intact entry with a current stamp is a hit without reading the ZIP; without a stamp it is hashed and stamped again', async () => {
    // GIVEN a verified, stamped entry
    const f = await builtOnce(true);
    let hit: LayerArtifact | undefined;
    let rehashed: LayerArtifact | undefined;
    const stampPath = verifiedStampPath(f.first.zipPath);
    const stamp = fs.readFileSync(stampPath, 'utf8');

    // WHEN read again
    const openedOnHit = openedDuring(() => {
      hit = readArtifact(f.cacheDir, f.first.inputKey);
    });
    // THEN a hit, and the ZIP was never opened for hashing
    expect(hit?.cacheHit).toBe(true);
    expect(openedOnHit).not.toContain(f.first.zipPath);

    // WHEN the stamp is gone (e.g. a cache restored from a CI archive) and the entry is read
    const openedUnstamped = openedDuring(() => {
      fs.rmSync(stampPath);
      rehashed = readArtifact(f.cacheDir, f.first.inputKey);
    });

    // THEN the ZIP was hashed, it is a hit, and the same stamp is back
    expect(openedUnstamped).toContain(f.first.zipPath);
    expect(rehashed?.cacheHit).toBe(true);
    expect(fs.readFileSync(stampPath, 'utf8')).toBe(stamp);
    expect(artifactPaths(f.cacheDir, f.first.inputKey).zipPath).toBe(f.first.zipPath);
  });

  test('a cache where the stamp cannot be written still verifies and hits, leaving no temp', async () => {
    // GIVEN a verified entry whose stamp cannot be written (a directory sits at its path)
    const f = await builtOnce(true);
    const stampPath = verifiedStampPath(f.first.zipPath);
    fs.rmSync(stampPath);
    fs.mkdirSync(stampPath);

    // WHEN read twice
    const { value, lines } = await stderrOf(async () => [readArtifact(f.cacheDir, f.first.inputKey), readArtifact(f.cacheDir, f.first.inputKey)]);

    // THEN both are hits, nothing damaged is reported, no temp stays behind
    expect(value.map((v) => v?.cacheHit)).toEqual([true, true]);
    expect(lines.filter((l) => l.includes('damaged'))).toEqual([]);
    expect(fs.readdirSync(f.cacheDir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
