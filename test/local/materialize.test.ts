import * as fs from 'fs';
import * as path from 'path';
import { leftovers, dirWith } from './apps';
import { UsageError } from '../../lib/cli/errors';
import { materializeOpt } from '../../lib/local';
import { cleanupTempDirs, makeTempDir, writeZip } from '../helpers';

afterAll(cleanupTempDirs);

/** Three layers: each has its own file, all three hold shared/x, the last two hold shared/y. */
async function threeLayers(dir: string): Promise<{ name: string; source: string }[]> {
  const files: Record<string, string>[] = [
    { 'python/one.py': '1', 'python/shared/x.py': 'x1' },
    { 'python/two.py': '2', 'python/shared/x.py': 'x2', 'python/shared/y.py': 'y2' },
    { 'python/three.py': '3', 'python/shared/x.py': 'x3', 'python/shared/y.py': 'y3' },
  ];
  const out = [];
  for (const [i, f] of files.entries()) {
    const zip = path.join(dir, `l${i + 1}.zip`);
    await writeZip(zip, f);
    out.push({ name: `L${i + 1}`, source: zip });
  }
  return out;
}

function read(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}

describe('materializeOpt', () => {
  test('GIVEN three layers sharing paths WHEN materialized for AWS THEN directories merge and the last layer wins each shared file', async () => {
    // GIVEN
    const dir = makeTempDir();
    const layers = await threeLayers(dir);
    const out = path.join(dir, 'opt');

    // WHEN
    const result = await materializeOpt({ platform: 'aws', layers, outDir: out });

    // THEN
    expect(['one', 'two', 'three'].map((n) => read(out, `python/${n}.py`))).toEqual(['1', '2', '3']);
    expect(read(out, 'python/shared/x.py')).toBe('x3');
    expect(read(out, 'python/shared/y.py')).toBe('y3');
    expect(result.precedence).toBe('last-wins');
    expect(result.files).toBe(5);
    expect(result.layers.map((l) => [l.position, l.name, l.files])).toEqual([[1, 'L1', 2], [2, 'L2', 3], [3, 'L3', 3]]);
    expect(result.shadowed).toEqual([
      { path: 'python/shared/x.py', layers: ['L1', 'L2', 'L3'], winner: 'L3' },
      { path: 'python/shared/y.py', layers: ['L2', 'L3'], winner: 'L3' },
    ]);
    expect(leftovers(dir)).toEqual([]);
  });

  test('GIVEN the same layers WHEN materialized for FC THEN the first layer holding a path wins it', async () => {
    // GIVEN
    const dir = makeTempDir();
    const out = path.join(dir, 'opt');

    // WHEN
    const result = await materializeOpt({ platform: 'alicloud', layers: await threeLayers(dir), outDir: out });

    // THEN
    expect(read(out, 'python/shared/x.py')).toBe('x1');
    expect(read(out, 'python/shared/y.py')).toBe('y2');
    expect(result.precedence).toBe('first-wins');
    expect(result.shadowed.map((s) => s.winner)).toEqual(['L1', 'L2']);
  });

  test('GIVEN a layer given as a directory WHEN materialized THEN its files are copied, the source untouched', async () => {
    // GIVEN
    const src = dirWith({ 'bin/tool': 'tool' });
    const out = path.join(makeTempDir(), 'opt');

    // WHEN
    await materializeOpt({ platform: 'aws', layers: [{ name: 'tools', source: src }], outDir: out });

    // THEN
    expect(read(out, 'bin/tool')).toBe('tool');
    expect(read(src, 'bin/tool')).toBe('tool');
  });

  test('GIVEN an out dir that is not empty WHEN materialized THEN a UsageError and nothing written', async () => {
    // GIVEN
    const dir = makeTempDir();
    const out = path.join(dir, 'opt');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep'), 'k');

    // WHEN / THEN
    await expect(materializeOpt({ platform: 'aws', layers: await threeLayers(dir), outDir: out })).rejects.toThrow(UsageError);
    expect(fs.readdirSync(out)).toEqual(['keep']);
    expect(leftovers(dir)).toEqual([]);
  });

  test.each([
    ['not a ZIP', (dir: string) => { fs.writeFileSync(path.join(dir, 'bad.zip'), 'nope'); return path.join(dir, 'bad.zip'); }, /^layer bad: .*bad\.zip/],
    ['missing', (dir: string) => path.join(dir, 'missing.zip'), /^layer bad: .*missing\.zip does not exist; pass the layer's ZIP file$/],
  ])('GIVEN a layer that is %s WHEN materialized THEN a UsageError naming the layer, and no staging left behind', async (_what, make, message) => {
    // GIVEN
    const dir = makeTempDir();
    const good = (await threeLayers(dir))[0];

    // WHEN / THEN
    const run = materializeOpt({ platform: 'aws', layers: [good, { name: 'bad', source: make(dir) }], outDir: path.join(dir, 'opt') });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
    expect(fs.existsSync(path.join(dir, 'opt'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });
});
