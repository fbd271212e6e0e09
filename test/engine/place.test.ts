import * as fs from 'fs';
import * as path from 'path';
import { placeArtifact } from '../../lib/engine';
import type { BuildTarget } from '../../lib/engine/api';
import { readArtifact } from '../../lib/engine/cache';
import { STAMP_SETTLE_MS, verifiedStampPath } from '../../lib/engine/cache-verify';
import { buildLayer } from '../../lib/engine/engine';
import { LayerSource } from '../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, openedDuring, writeTree } from '../helpers';

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };


afterAll(() => cleanupTempDirs());

describe('placeArtifact', () => {
  test('GIVEN a cached ZIP WHEN placed on the same file system THEN dest is a hard link to it with the same bytes', () => {
    // GIVEN
    const dir = makeTempDir();
    const zip = path.join(dir, 'cache.zip');
    fs.writeFileSync(zip, Buffer.from('PK\u0005\u0006 layer bytes'));
    fs.mkdirSync(path.join(dir, 'out'));
    const dest = path.join(dir, 'out', 'layer.zip');
    fs.writeFileSync(dest, 'an older bundle');
    // WHEN
    const method = placeArtifact(zip, dest);
    // THEN
    expect(method).toBe('hardlink');
    expect(fs.statSync(dest).ino).toBe(fs.statSync(zip).ino);
    expect(fs.readFileSync(dest).equals(fs.readFileSync(zip))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual(['layer.zip']);
  });

  test('GIVEN a destination on another file system WHEN placed THEN the bytes are cloned or copied', () => {
    // GIVEN /dev/shm (tmpfs) next to a cache on the temp directory's file system
    const dir = makeTempDir();
    const zip = path.join(dir, 'cache.zip');
    fs.writeFileSync(zip, Buffer.alloc(100_000, 7));
    const otherFs = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(dir).dev ? '/dev/shm' : undefined;
    const outDir = fs.mkdtempSync(path.join(otherFs ?? dir, 'layersmith-test-place-'));
    try {
      const dest = path.join(outDir, 'layer.zip');
      // WHEN
      const method = placeArtifact(zip, dest);
      // THEN
      expect(method).toBe(otherFs ? 'reflink-or-copy' : 'hardlink');
      expect(fs.readFileSync(dest).equals(fs.readFileSync(zip))).toBe(true);
      expect(fs.readdirSync(outDir)).toEqual(['layer.zip']);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  test('GIVEN a verified cache entry WHEN hard-linked into an assembly THEN the next read trusts its stamp; a later change is caught', async () => {
    // GIVEN a committed entry, old enough to be stamped, read once (so stamped)
    const dir = makeTempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`python/pkg/m${i}.py`] = `V = ${i}\n`.repeat(40);
    writeTree(path.join(dir, 'src'), files);
    const cacheDir = path.join(dir, 'cache');
    const built = await buildLayer(LayerSource.fromDirectory(path.join(dir, 'src')), TARGET, { cacheDir, progress: false });
    await new Promise((r) => setTimeout(r, STAMP_SETTLE_MS + 100));
    expect(readArtifact(cacheDir, built.inputKey)).toBeDefined();
    expect(fs.existsSync(verifiedStampPath(built.zipPath))).toBe(true);
    const ctimeBefore = fs.statSync(built.zipPath).ctimeMs;

    // WHEN it is placed by hard link (which moves the ZIP's ctime) and read again
    fs.mkdirSync(path.join(dir, 'out'));
    expect(placeArtifact(built.zipPath, path.join(dir, 'out', 'layer.zip'))).toBe('hardlink');
    expect(fs.statSync(built.zipPath).nlink).toBe(2);
    let hit: unknown;
    const opened = openedDuring(() => {
      hit = readArtifact(cacheDir, built.inputKey);
    });
    // THEN it is a hit without hashing the ZIP (the link's own ctime change was carried into the stamp)
    expect(hit).toBeDefined();
    expect(opened).not.toContain(built.zipPath);
    expect(fs.statSync(built.zipPath).ctimeMs).not.toBe(ctimeBefore);

    // WHEN the placed copy (the same inode) is then altered in place, size and mtime put back
    const st = fs.statSync(built.zipPath);
    const fd = fs.openSync(path.join(dir, 'out', 'layer.zip'), 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 40);
    fs.closeSync(fd);
    fs.utimesSync(built.zipPath, st.atime, st.mtime);
    // THEN the next read hashes, refuses and removes the entry
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(readArtifact(cacheDir, built.inputKey)).toBeUndefined();
    } finally {
      stderr.mockRestore();
    }
    expect(fs.existsSync(built.zipPath)).toBe(false);
  });

  test('GIVEN a missing ZIP WHEN placed THEN it throws and leaves neither dest nor a temp file', () => {
    // GIVEN
    const dir = makeTempDir();
    const dest = path.join(dir, 'layer.zip');
    // WHEN / THEN
    expect(() => placeArtifact(path.join(dir, 'missing.zip'), dest)).toThrow(/ENOENT/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
