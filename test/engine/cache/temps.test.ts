import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  copyFileAtomic, makeStagingDir, processIsGone, STALE_TEMP_MS, sweepStagingDirs, sweepStaleTemps, tempPath, writeFileAtomic,
} from '../../../lib/engine/atomic';
import { packDirectory } from '../../../lib/engine/zip';
import { cleanupTempDirs, makeTempDir, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

/** The pid of a process that has exited. */
function deadPid(): number {
  const res = spawnSync(process.execPath, ['-e', '0']);
  return res.pid!;
}

function age(file: string, ms: number): void {
  const past = new Date(Date.now() - ms);
  fs.utimesSync(file, past, past);
}

describe('temp names', () => {
  test('tempPath is a sibling of dest carrying this pid; staging dirs are layersmith-<purpose>-<pid>-<rand>', () => {
    const dest = path.join(os.tmpdir(), 'x', 'a.zip');
    expect(tempPath(dest)).toMatch(new RegExp(`^${dest.replace(/\./g, '\\.')}\\.tmp-${process.pid}-[0-9a-f]{8}$`));
    expect(tempPath(dest)).not.toBe(tempPath(dest));

    const dir = makeStagingDir('python');
    try {
      expect(path.dirname(dir)).toBe(os.tmpdir());
      expect(path.basename(dir)).toMatch(new RegExp(`^layersmith-python-${process.pid}-[0-9a-f]{8}$`));
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => makeStagingDir('a/../b')).toThrow("makeStagingDir: purpose 'a/../b' must be letters and digits");
  });

  test('processIsGone: an exited child is gone; this process and its parent are not', () => {
    expect(processIsGone(deadPid())).toBe(true);
    expect(processIsGone(process.pid)).toBe(false);
    expect(processIsGone(process.ppid)).toBe(false);
    expect(processIsGone(0)).toBe(false);
  });
});

describe('atomic writes', () => {
  test('writeFileAtomic and copyFileAtomic leave the content and no temp', () => {
    const d = makeTempDir('layersmith-test-atomic-');
    writeFileAtomic(path.join(d, 'a.json'), '{"a":1}');
    copyFileAtomic(path.join(d, 'a.json'), path.join(d, 'b.json'));
    expect(fs.readdirSync(d).sort()).toEqual(['a.json', 'b.json']);
    expect(fs.readFileSync(path.join(d, 'b.json'), 'utf8')).toBe('{"a":1}');
  });

  test('a failed write or copy leaves neither the temp nor a destination', () => {
    const d = makeTempDir('layersmith-test-atomic-');
    // A directory in the way makes the final rename fail after the temp was written.
    fs.mkdirSync(path.join(d, 'taken'));
    fs.writeFileSync(path.join(d, 'taken', 'x'), 'x');
    expect(() => writeFileAtomic(path.join(d, 'taken'), 'data')).toThrow();
    expect(() => copyFileAtomic(path.join(d, 'missing'), path.join(d, 'out'))).toThrow();
    expect(fs.readdirSync(d)).toEqual(['taken']);
  });
});

describe('sweepStaleTemps (cache directory)', () => {
  test('removes the temps of dead processes and old temps; keeps young temps of live ones and everything else', () => {
    // GIVEN every kind of entry a cache directory can hold
    const cacheDir = makeTempDir('layersmith-test-sweep-');
    const key = 'd'.repeat(64);
    const dead = deadPid();
    const entries = {
      deadZip: `${key}.zip.tmp-${dead}-0a1b2c3d`,
      deadPackTemp: `${key}.zip.tmp-${dead}-0a1b2c3d.tmp-${dead}-4e5f6071`,
      legacyPackTemp: `.${key}.zip.tmp-${dead}-abc.${dead}.m1abcdef12.tmp`,
      liveYoung: `${key}.manifest.json.tmp-${process.pid}-11112222`,
      parentYoung: `${key}.zip.tmp-${process.ppid}-33334444`,
      liveOld: `${key}.zip.tmp-${process.ppid}-55556666`,
      zip: `${key}.zip`,
      manifest: `${key}.manifest.json`,
      lock: `${key}.lock`,
    };
    for (const name of Object.values(entries)) fs.writeFileSync(path.join(cacheDir, name), 'x');
    fs.mkdirSync(path.join(cacheDir, `extracted.tmp-${dead}-77778888`));
    fs.writeFileSync(path.join(cacheDir, `extracted.tmp-${dead}-77778888`, 'f'), 'f');
    age(path.join(cacheDir, entries.liveOld), STALE_TEMP_MS + 60_000);
    age(path.join(cacheDir, entries.zip), STALE_TEMP_MS + 60_000);

    // WHEN swept
    const removed = sweepStaleTemps(cacheDir);

    // THEN the dead ones and the old one went, nothing else
    expect(removed.sort()).toEqual([entries.deadZip, entries.deadPackTemp, entries.legacyPackTemp, entries.liveOld, `extracted.tmp-${dead}-77778888`].sort());
    expect(fs.readdirSync(cacheDir).sort()).toEqual([entries.liveYoung, entries.parentYoung, entries.zip, entries.manifest, entries.lock].sort());
  });

  test('the temp packDirectory writes is recognised: once abandoned, the sweeper removes it', async () => {
    // GIVEN a pack in progress whose temp (by its real name) is copied into a cache directory
    const root = makeTempDir('layersmith-test-packtemp-');
    for (let i = 0; i < 600; i++) writeTree(root, { [`f/${i}.txt`]: `file ${i}\n`.repeat(50) });
    const out = makeTempDir('layersmith-test-packout-');
    const cacheDir = makeTempDir('layersmith-test-packcache-');
    const seen = new Set<string>();
    await packDirectory(root, path.join(out, 'layer.zip'), {
      onProgress: () => {
        for (const name of fs.readdirSync(out)) {
          if (name !== 'layer.zip' && !seen.has(name)) {
            seen.add(name);
            fs.writeFileSync(path.join(cacheDir, name), 'partial zip');
          }
        }
      },
    });
    expect(seen.size).toBe(1);
    const [temp] = [...seen];

    // WHEN the copy is older than the bound (its build was killed a day ago)
    age(path.join(cacheDir, temp), STALE_TEMP_MS + 60_000);

    // THEN the sweeper removes it; before, its name matched no sweeper pattern and it stayed forever
    expect(sweepStaleTemps(cacheDir)).toEqual([temp]);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });
});

describe('sweepStagingDirs (OS temp directory)', () => {
  test('removes staging dirs of dead processes and old ones; keeps live ones and other people\'s directories', () => {
    // GIVEN a temp directory with staging dirs and unrelated entries
    const tmp = makeTempDir('layersmith-test-tmpdir-');
    const dead = deadPid();
    const names = {
      dead: `layersmith-python-${dead}-0a1b2c3d`,
      live: `layersmith-sync-${process.pid}-0a1b2c3d`,
      liveOld: `layersmith-node-${process.ppid}-0a1b2c3d`,
      legacyOld: 'layersmith-customRuntime-Ab12Cd',
      legacyYoung: 'layersmith-python-Zz9Yy8',
      testDir: `layersmith-test-${dead}-0a1b2c3d-x`,
      otherTestDir: 'layersmith-test-Ab12Cd',
      foreign: 'something-else',
    };
    for (const n of Object.values(names)) {
      fs.mkdirSync(path.join(tmp, n));
      fs.writeFileSync(path.join(tmp, n, 'f'), 'f');
    }
    age(path.join(tmp, names.liveOld), STALE_TEMP_MS + 60_000);
    age(path.join(tmp, names.legacyOld), STALE_TEMP_MS + 60_000);
    age(path.join(tmp, names.otherTestDir), STALE_TEMP_MS + 60_000);

    // WHEN swept
    const removed = sweepStagingDirs(tmp);

    // THEN
    expect(removed.sort()).toEqual([names.dead, names.liveOld, names.legacyOld].sort());
    expect(fs.readdirSync(tmp).sort()).toEqual([names.live, names.legacyYoung, names.testDir, names.otherTestDir, names.foreign].sort());
  });
});
