import * as path from 'path';
import { cleanupTempDirs, manifestOf, runCli, tempDir, writeTree } from './helpers';
import { writeAssemblyManifest, writeAssemblyRecord, type LayerRecord } from '../../lib/core/assembly';
import type { LayerManifest } from '../../lib/core/model';
import { packDirectory } from '../../lib/engine/zip';

afterAll(cleanupTempDirs);

describe('inspect: where the bytes go', () => {
  test('--json lists every package with files and unzipped bytes, largest first, plus the bytes in no package; the text lists the largest', async () => {
    // GIVEN a layer with a Python dist (RECORD), a Node package and a loose file
    const root = tempDir('sizes');
    writeTree(root, {
      'python/big/__init__.py': 'x'.repeat(3000),
      'python/big/data.bin': 'y'.repeat(5000),
      'python/big-2.0.dist-info/METADATA': 'Name: big\n',
      'python/big-2.0.dist-info/RECORD': 'big/__init__.py,,\nbig/data.bin,,\nbig-2.0.dist-info/METADATA,,\nbig-2.0.dist-info/RECORD,,\n',
      'python/small.py': 'z'.repeat(100),
      'python/small-1.0.dist-info/METADATA': 'Name: small\n',
      'python/small-1.0.dist-info/top_level.txt': 'small\n',
      'nodejs/node_modules/left-pad/package.json': '{"name":"left-pad","version":"1.3.0"}',
      'nodejs/node_modules/left-pad/index.js': 'w'.repeat(400),
      'bin/tool': 'v'.repeat(50),
    });
    const zip = path.join(tempDir('sizes-zip'), 'layer.zip');
    await packDirectory(root, zip);

    // WHEN inspected
    const json = runCli(['inspect', zip, '--json']);
    const text = runCli(['inspect', zip]);

    // THEN
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    const recordBytes = 3000 + 5000 + 'Name: big\n'.length + Buffer.byteLength(String(
      'big/__init__.py,,\nbig/data.bin,,\nbig-2.0.dist-info/METADATA,,\nbig-2.0.dist-info/RECORD,,\n'));
    expect(result.packages).toEqual([
      { ecosystem: 'python', name: 'big', version: '2.0', files: 4, unzippedBytes: recordBytes },
      { ecosystem: 'node', name: 'left-pad', version: '1.3.0', files: 2, unzippedBytes: 400 + '{"name":"left-pad","version":"1.3.0"}'.length },
      { ecosystem: 'python', name: 'small', version: '1.0', files: 3, unzippedBytes: 100 + 'Name: small\n'.length + 'small\n'.length },
    ]);
    expect(result.unowned).toEqual({ files: 1, unzippedBytes: 50 });
    expect(result.manifest.packages.find((p: { name: string }) => p.name === 'big')).toMatchObject({ files: 4, unzippedBytes: recordBytes });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Largest packages \(unzipped; 3 of 3\)\n {2}big {7}8,\d{3} B \(\d+\.\d KiB\) · \d+\.\d% · 4 files\n {2}left-pad /);
    expect(text.stdout).toContain('(in no package: 50 B in 1 file)');
  });
});

describe('report: largest packages and what slim saved', () => {
  function layerRecord(dir: string, manifest: LayerManifest): void {
    const record: LayerRecord = {
      kind: 'layer',
      schemaVersion: 1,
      platform: 'aws',
      framework: 'aws-cdk',
      stack: 'App',
      path: 'App/Sci',
      compatibleRuntimes: ['python3.11'],
      compatibleArchitectures: ['x86_64'],
      inputKey: 'k1',
      manifestFile: writeAssemblyManifest(dir, 'k1', manifest),
      retention: 'destroy',
      grants: [],
    };
    writeAssemblyRecord(dir, record);
  }

  test('the Markdown lists the largest packages with their share and the slim savings per rule; the JSON has the bytes', () => {
    // GIVEN a slimmed layer's manifest with six sized packages
    const base = manifestOf({ 'python/a.py': 600_000, 'python/b.py': 400_000 });
    const sizes: Array<[string, number]> = [['scipy', 500_000], ['numpy', 250_000], ['pandas', 150_000], ['pytz', 50_000], ['six', 30_000], ['tzdata', 19_000]];
    const manifest: LayerManifest = {
      ...base,
      packages: sizes.map(([name, bytes]) => ({ ecosystem: 'python' as const, name, version: '1.0', path: `python/${name}-1.0.dist-info/`, files: 3, unzippedBytes: bytes })),
      unowned: { files: 2, unzippedBytes: 1_000 },
      slim: {
        beforeBytes: 1_250_000,
        afterBytes: 1_000_000,
        savedBytes: 250_000,
        rules: [{ rule: 'tests', files: 10, bytes: 200_000 }, { rule: 'strip-debug', files: 2, bytes: 50_000 }],
        kept: [],
        stripSkipped: [],
        verification: { ran: true, modules: ['numpy'] },
      },
    };
    const dir = tempDir('sizes-report');
    layerRecord(dir, manifest);

    // WHEN reported
    const md = runCli(['report', dir]);
    const json = runCli(['report', dir, '--format', 'json']);

    // THEN
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('| slim | saved 250,000 B (244.1 KiB) of 1,250,000 B (1.2 MiB) (20.0%): tests 200,000 B (195.3 KiB), strip-debug 50,000 B (48.8 KiB) |');
    expect(md.stdout).toContain('Largest packages (5 of 6; files in no package: 1,000 B):');
    const rows = md.stdout.split('\n').filter((l) => /^\| `(scipy|numpy|pandas|pytz|six|tzdata)` \|/.test(l));
    expect(rows.map((r) => r.split('|')[1].trim())).toEqual(['`scipy`', '`numpy`', '`pandas`', '`pytz`', '`six`']);
    expect(rows[0]).toBe('| `scipy` | 1.0 | 3 | 500,000 B (488.3 KiB) | 50.0% |');
    const layer = JSON.parse(json.stdout).layers[0];
    expect(layer.packages.find((p: { name: string }) => p.name === 'tzdata')).toMatchObject({ unzippedBytes: 19_000, files: 3 });
    expect(layer).toMatchObject({ unownedBytes: 1_000, slim: { savedBytes: 250_000 } });
  });
});
