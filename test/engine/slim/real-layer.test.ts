import { execFileSync } from 'child_process';
import * as path from 'path';
import { inspectLayerZip, renderInspectJson } from '../../../lib/cli/inspect';
import { analyzeStack } from '../../../lib/core';
import type { BuildTarget, LayerArtifact } from '../../../lib/engine/api';
import { buildLayer } from '../../../lib/engine/engine';
import { extractZip } from '../../../lib/engine/inspect';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, testWithTools } from '../../helpers';

// The layer issue #12 measured: numpy + pandas + scipy for python3.11 x86_64 from the local index.
const PY311: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.11'] };
const PACKAGES = ['numpy', 'pandas', 'scipy'];

jest.setTimeout(20 * 60 * 1000);

let savedRetries: string | undefined;
beforeAll(() => {
  savedRetries = process.env.PIP_RETRIES;
  // pip's default index is unreachable here; without this it retries for ~45 s
  process.env.PIP_RETRIES = '0';
});
afterAll(() => {
  if (savedRetries === undefined) delete process.env.PIP_RETRIES;
  else process.env.PIP_RETRIES = savedRetries;
  cleanupTempDirs();
});

describe('numpy + pandas + scipy', () => {
  let plain: LayerArtifact;
  let slim: LayerArtifact;

  beforeAll(async () => {
    const cacheDir = makeTempDir('layersmith-test-slim-cache-');
    plain = await buildLayer(LayerSource.python({ packages: PACKAGES }), PY311, { cacheDir, progress: false });
    slim = await buildLayer(LayerSource.python({ packages: PACKAGES, slim: true }), PY311, { cacheDir, progress: false });
  });

  testWithTools('python3')('inspect --json lists the three packages with their files and unzipped bytes', async () => {
    const json = JSON.parse(renderInspectJson(await inspectLayerZip({ file: plain.zipPath, platform: 'aws', runtimes: ['python3.11'], architecture: 'x86_64' })));
    const byName = new Map<string, { files: number; unzippedBytes: number; ecosystem: string; version: string }>(
      json.packages.map((p: { name: string }) => [p.name, p]));
    for (const name of PACKAGES) {
      const p = byName.get(name)!;
      expect(p).toMatchObject({ ecosystem: 'python', version: expect.stringMatching(/^\d+\.\d+/) });
      expect(p.files).toBeGreaterThan(500);
      expect(p.unzippedBytes).toBeGreaterThan(30_000_000);
    }
    const total = json.packages.reduce((n: number, p: { unzippedBytes: number }) => n + p.unzippedBytes, 0) + json.unowned.unzippedBytes;
    expect(total).toBe(plain.manifest.zip.unzippedSize);
    // scipy is the largest, and the three are at the top
    expect(json.packages.slice(0, 3).map((p: { name: string }) => p.name)).toEqual(['scipy', 'numpy', 'pandas']);
  });

  testWithTools('python3')('a stack over the budget with this layer names its largest packages and the bytes to cut', () => {
    // GIVEN the real layer plus 50,000,000 bytes of function code (262,144,000 is the AWS budget)
    const layer = { layerId: 'App/SciPy', displayName: 'App/SciPy', manifest: plain.manifest };
    const code = 50_000_000;
    const [f] = analyzeStack({ platform: 'aws', function: { path: 'App/Fn', runtime: 'python3.11', architecture: 'x86_64', codeSize: code }, layers: [layer] })
      .errors.filter((e) => e.ruleId === 'LS-UNZIPPED-BUDGET');
    const excess = plain.manifest.zip.unzippedSize + code - 262_144_000;
    expect(f.message).toMatch(/Largest packages: scipy \S+ [\d,]+ bytes in App\/SciPy, numpy \S+ [\d,]+ bytes in App\/SciPy, pandas /);
    expect(f.message).toContain(`Cut at least ${excess.toLocaleString('en-US')} bytes to fit.`);
    expect(f.data).toMatchObject({ excessBytes: excess });
  });

  testWithTools('python3.11')('slim: true makes the layer at least 18% smaller and says what each rule took', () => {
    const before = plain.manifest.zip.unzippedSize;
    const after = slim.manifest.zip.unzippedSize;
    expect(after).toBeLessThanOrEqual(before * 0.82);
    const record = slim.manifest.slim!;
    expect(record.rules.map((r) => r.rule)).toEqual(expect.arrayContaining(['tests', 'type-stubs', 'extension-sources', 'strip-debug']));
    // numpy.testing imports numpy._core.tests._natype: deleting every tests/ directory breaks scipy.linalg
    expect(record.kept).toContainEqual({ path: 'python/numpy/_core/tests/_natype.py', reason: 'imported by python/numpy/testing/_private/utils.py' });
    // stripping numpy.libs breaks import numpy ("ELF load command address/offset not page-aligned")
    expect(record.stripSkipped.filter((s) => s.path.startsWith('python/numpy.libs/')).length).toBeGreaterThan(0);
    expect(record.stripSkipped.find((s) => s.path.startsWith('python/numpy/_core/_multiarray_umath'))?.reason)
      .toMatch(/lie before the end of the last loaded segment/);
    expect(record.verification).toMatchObject({ ran: true, modules: expect.arrayContaining(['numpy', 'pandas', 'scipy.linalg', 'scipy.sparse', 'scipy.stats']) });
  });

  testWithTools('python3.11')('import numpy, pandas, scipy.linalg, scipy.sparse, scipy.stats works from the slimmed ZIP', async () => {
    const opt = makeTempDir('layersmith-test-slim-opt-');
    const root = path.join(opt, 'layer');
    await extractZip(slim.zipPath, root);
    const script = [
      'import sys',
      `sys.path[:0] = [${JSON.stringify(path.join(root, 'python'))}]`,
      'import numpy, pandas, scipy.linalg, scipy.sparse, scipy.stats',
      'print(numpy.__file__)',
      'print(round(float(scipy.linalg.det([[1.0, 2.0], [3.0, 4.0]])), 6))',
      'print(int(scipy.sparse.identity(3).sum()), float(scipy.stats.norm.cdf(0)), int(pandas.Series([1, 2]).sum()))',
    ].join('\n');
    const out = execFileSync('python3.11', ['-S', '-B', '-c', script], { cwd: opt, encoding: 'utf8' }).trim().split('\n');
    expect(out[0].startsWith(path.join(root, 'python', 'numpy'))).toBe(true);
    expect(out.slice(1)).toEqual(['-2.0', '3 0.5 3']);
  });
});
