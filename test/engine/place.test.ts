import * as fs from 'fs';
import * as path from 'path';
import { placeArtifact } from '../../lib/engine';
import { cleanupTempDirs, makeTempDir } from '../helpers';

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

  test('GIVEN a missing ZIP WHEN placed THEN it throws and leaves neither dest nor a temp file', () => {
    // GIVEN
    const dir = makeTempDir();
    const dest = path.join(dir, 'layer.zip');
    // WHEN / THEN
    expect(() => placeArtifact(path.join(dir, 'missing.zip'), dest)).toThrow(/ENOENT/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
