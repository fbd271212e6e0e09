import * as path from 'path';
import { downloadWheel, extractFromWheel } from './fixtures';
import { analyzeLayer, type Finding, type LayerManifest } from '../../../lib/core';
import { LayersmithBuildError } from '../../../lib/core/errors';
import type { BuildTarget } from '../../../lib/engine/api';
import { buildLayer } from '../../../lib/engine/engine';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, testWithTools } from '../../helpers';

// Real wheels from pip's configured index (CPython 3.11 x86_64 builds of numpy, pyarrow, cryptography...).
process.env.PIP_RETRIES = '0';
const pyTest = testWithTools('python3');
const quiet = { progress: false };
const aws = (...runtimes: string[]): BuildTarget => ({ platform: 'aws', architecture: 'x86_64', runtimes });

let cacheDir: string;
beforeAll(() => {
  cacheDir = makeTempDir();
});
afterAll(cleanupTempDirs);

function wheelTagsOf(m: LayerManifest, dist: string): string[] {
  return m.wheelTags.find((w) => w.path.startsWith(`python/${dist}-`))?.tags.slice() ?? [];
}

function findingsFor(m: LayerManifest, platform: 'aws' | 'alicloud', runtimes: string[], rule: string): Finding[] {
  return analyzeLayer({ platform, path: 'App/Layer', manifest: m, compatibleRuntimes: runtimes, compatibleArchitectures: [] }).filter((f) => f.ruleId === rule);
}

async function buildError(source: LayerSource, target: BuildTarget): Promise<LayersmithBuildError> {
  const err = await buildLayer(source, target, { cacheDir, ...quiet }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(LayersmithBuildError);
  return err as LayersmithBuildError;
}

describe('wheels for the runtime\'s OS (real pip, real index)', () => {
  pyTest('python3.11 on AWS: unpinned numpy gets a manylinux2014 wheel and warns LS-UNPINNED', async () => {
    // WHEN
    const art = await buildLayer(LayerSource.python({ packages: ['numpy'] }), aws('python3.11'), { cacheDir, ...quiet });
    // THEN the newest numpy that Amazon Linux 2 (glibc 2.26) loads: a manylinux2014 build, not 2.4.6's manylinux_2_28
    const numpy = art.manifest.packages.find((p) => p.name === 'numpy');
    expect(numpy?.version).toBe('2.2.6');
    expect(wheelTagsOf(art.manifest, 'numpy')).toEqual(expect.arrayContaining(['cp311-cp311-manylinux2014_x86_64']));
    expect(art.manifest.build?.unpinned).toEqual(['numpy']);
    const [warning] = findingsFor(art.manifest, 'aws', ['python3.11'], 'LS-UNPINNED');
    expect(warning.severity).toBe('warning');
    expect(warning.fix).toContain('numpy==2.2.6');
    expect(findingsFor(art.manifest, 'aws', ['python3.11'], 'LS-GLIBC')).toEqual([]);
  });

  pyTest('pinned numpy==2.4.6 (manylinux_2_27/2_28 only) fails for python3.11 with the glibc explanation', async () => {
    // WHEN
    const err = await buildError(LayerSource.python({ packages: ['numpy==2.4.6'] }), aws('python3.11'));
    // THEN
    expect(err.code).toBe('NO_MATCHING_WHEEL');
    expect(err.message).toBe("LayerSource.python: pip found no wheel of numpy==2.4.6 for the layer's target: "
      + 'numpy 2.4.6 has wheels for CPython 3.11 x86_64 only for manylinux_2_27_x86_64.manylinux_2_28_x86_64 (glibc 2.27); '
      + 'python3.11 on AWS Lambda runs Amazon Linux 2 (glibc 2.26, x86_64), which cannot load them. '
      + 'Fix: Use python3.12 or later (Amazon Linux 2023, glibc 2.34), or pin a release with a manylinux2014 or manylinux_2_26 wheel '
      + '(the newest release of numpy with a wheel that loads there is 2.2.6: pin numpy==2.2.6).');
  });

  pyTest('pyarrow (manylinux_2_28 only) fails for python3.11 naming the version the index has', async () => {
    const err = await buildError(LayerSource.python({ packages: ['pyarrow'] }), aws('python3.11'));
    expect(err.code).toBe('NO_MATCHING_WHEEL');
    expect(err.message).toMatch(/^LayerSource\.python: pip found no wheel of pyarrow for the layer's target: pyarrow 25\.0\.1 has wheels for CPython 3\.11 x86_64 only for manylinux_2_28_x86_64 \(glibc 2\.28\); python3\.11 on AWS Lambda runs Amazon Linux 2 \(glibc 2\.26, x86_64\), which cannot load them\. Fix: Use python3\.12 or later/);
    // no release of pyarrow here loads on glibc 2.26, so no pin is suggested
    expect(err.message).not.toContain('pin pyarrow==');
  });

  pyTest('python3.12: cryptography==50.0.2 with --no-deps gets its abi3 manylinux_2_34 wheel', async () => {
    // WHEN
    const art = await buildLayer(LayerSource.python({ packages: ['cryptography==50.0.2'], pipArgs: ['--no-deps'] }), aws('python3.12'), { cacheDir, ...quiet });
    // THEN
    expect(wheelTagsOf(art.manifest, 'cryptography')).toEqual(['cp311-abi3-manylinux_2_34_x86_64']);
    expect(art.manifest.glibc).toBe('2.34');
    expect(art.manifest.build?.unpinned).toBeUndefined();
    expect(findingsFor(art.manifest, 'aws', ['python3.12'], 'LS-GLIBC')).toEqual([]);
  });

  pyTest('python3.12 without --no-deps: the dependency cffi has a wheel only for CPython 3.11, and the error says so', async () => {
    const err = await buildError(LayerSource.python({ packages: ['cryptography==50.0.2'] }), aws('python3.12'));
    expect(err.code).toBe('NO_MATCHING_WHEEL');
    expect(err.message).toMatch(/^LayerSource\.python: pip found no wheel of cffi\S* for the layer's target: cffi 2\.1\.1 has wheels for x86_64 Linux only for CPython 3\.11 \(e\.g\. cffi-2\.1\.1-cp311-cp311-manylinux2014_x86_64\.manylinux_2_17_x86_64\.whl\), none for CPython 3\.12 \(no cp312 or abi3 wheel\); python3\.12 on AWS Lambda runs Amazon Linux 2023 \(glibc 2\.34, x86_64\)\. Fix: Use a runtime with CPython 3\.11, .*pipArgs: \['--no-deps'\] skips it\.$/);
  });

  pyTest('a layer for python3.12 and python3.11 is built for the older OS, not the first runtime\'s, and says so', async () => {
    // GIVEN python3.12 first (Amazon Linux 2023) and python3.11 (Amazon Linux 2); the index has CPython 3.11 wheels
    const source = LayerSource.python({ packages: ['numpy==2.2.6'], pythonVersion: '3.11' });
    // WHEN
    const art = await buildLayer(source, aws('python3.12', 'python3.11'), { cacheDir, ...quiet });
    // THEN
    expect(art.manifest.build?.notes).toEqual(["wheels selected for python3.11's Amazon Linux 2 (glibc 2.26), the oldest OS among python3.12, python3.11"]);
    expect(wheelTagsOf(art.manifest, 'numpy')).toEqual(expect.arrayContaining(['cp311-cp311-manylinux2014_x86_64']));
  });

  pyTest('the glibc option replaces the runtime OS: FC python3.12 (Debian 11) with glibc 2.28 takes a manylinux_2_28 wheel', async () => {
    const art = await buildLayer(
      LayerSource.python({ packages: ['pyarrow==25.0.1'], pythonVersion: '3.11', glibc: '2.28', pipArgs: ['--no-deps'] }),
      { platform: 'alicloud', architecture: 'x86_64', runtimes: ['python3.12'] }, { cacheDir, ...quiet });
    expect(wheelTagsOf(art.manifest, 'pyarrow')).toEqual(['cp311-cp311-manylinux_2_28_x86_64']);
  });
});

describe('LS-GLIBC on a directory layer holding cryptography\'s _rust.abi3.so (needs GLIBC_2.34)', () => {
  let manifest: LayerManifest;
  beforeAll(async () => {
    const dir = makeTempDir();
    const wheel = downloadWheel('cryptography==50.0.2', path.join(dir, 'wheels'));
    extractFromWheel(wheel, 'cryptography/hazmat/bindings/_rust.abi3.so', path.join(dir, 'layer', 'python', 'cryptography/hazmat/bindings/_rust.abi3.so'));
    manifest = (await buildLayer(LayerSource.fromDirectory(path.join(dir, 'layer')), aws('python3.11'), { cacheDir, ...quiet })).manifest;
  });

  test.each([['aws', 'python3.11', '2.26'], ['alicloud', 'python3.12', '2.31']] as const)('%s %s (glibc %s) fails', (platform, runtime, glibc) => {
    const [f, ...rest] = findingsFor(manifest, platform, [runtime], 'LS-GLIBC');
    expect(rest).toEqual([]);
    expect(f.severity).toBe('error');
    expect(f.message).toContain('python/cryptography/hazmat/bindings/_rust.abi3.so needs GLIBC_2.34');
    expect(f.message).toContain(`(glibc ${glibc})`);
  });

  test.each([['aws', 'python3.12'], ['alicloud', 'custom.debian12']] as const)('%s %s passes', (platform, runtime) => {
    expect(findingsFor(manifest, platform, [runtime], 'LS-GLIBC')).toEqual([]);
  });
});
