import { LayersmithBuildError } from '../../../lib/core/errors';
import type { BuildTarget } from '../../../lib/engine/api';
import { buildLayer } from '../../../lib/engine/engine';
import { unsatisfiedRequirements, wheelFileTags } from '../../../lib/engine/python/explain';
import { hashMismatch } from '../../../lib/engine/python/install';
import { unpinnedRequirements } from '../../../lib/engine/python/requirements';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, makeWheel, testWithTools } from '../../helpers';

process.env.PIP_RETRIES = '0';
const pyTest = testWithTools('python3');
afterAll(cleanupTempDirs);

async function failure(source: LayerSource, target: BuildTarget): Promise<LayersmithBuildError> {
  const err = await buildLayer(source, target, { cacheDir: makeTempDir(), progress: false }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(LayersmithBuildError);
  return err as LayersmithBuildError;
}

describe('when no wheel fits, pip is asked what the index offers', () => {
  pyTest('only an aarch64 wheel for an x86_64 layer: the error names the CPU', async () => {
    const links = makeTempDir();
    await makeWheel(links, { name: 'armonly', version: '1.0.0', tag: 'cp312-cp312-manylinux_2_17_aarch64' });
    const err = await failure(LayerSource.python({ packages: ['armonly==1.0.0'], findLinks: [links], noIndex: true }),
      { platform: 'alicloud', architecture: 'x86_64', runtimes: ['python3.12'] });
    expect(err.code).toBe('NO_MATCHING_WHEEL');
    expect(err.message).toBe("LayerSource.python: pip found no wheel of armonly==1.0.0 for the layer's target: armonly 1.0.0 has Linux wheels for CPython 3.12 only for "
      + 'aarch64 (armonly-1.0.0-cp312-cp312-manylinux_2_17_aarch64.whl), none for x86_64; python3.12 on Function Compute runs Debian 11 (glibc 2.31, x86_64). '
      + 'Fix: Build the layer for arm64 (and run the functions there), or pin a release with a x86_64 wheel.');
  });

  pyTest('nothing at all (only a macOS wheel): the error says no Linux wheel exists for any CPython', async () => {
    const links = makeTempDir();
    await makeWheel(links, { name: 'maconly', version: '1.0.0', tag: 'cp312-cp312-macosx_11_0_arm64' });
    const err = await failure(LayerSource.python({ packages: ['maconly'], findLinks: [links], noIndex: true }),
      { platform: 'aws', architecture: 'arm64', runtimes: ['python3.13'] });
    expect(err.code).toBe('NO_MATCHING_WHEEL');
    expect(err.message).toMatch(/^LayerSource\.python: pip found no wheel of maconly for the layer's target: the package index pip is configured with has no wheel of maconly matching 'maconly' for Linux on any CPython 3 .*Fix: Check the name and version \(pip index versions maconly\)/);
  });

  pyTest('a layer for runtimes with no known OS says which glibc it assumed', async () => {
    const links = makeTempDir();
    await makeWheel(links, { name: 'newglibc', version: '1.0.0', tag: 'cp312-cp312-manylinux_2_28_x86_64' });
    const err = await failure(LayerSource.python({ packages: ['newglibc==1.0.0'], findLinks: [links], noIndex: true, pythonVersion: '3.12' }),
      { platform: 'alicloud', architecture: 'x86_64', runtimes: ['custom-container'] });
    expect(err.message).toContain("for the layer's target (wheels selected for glibc 2.17 (manylinux2014): no OS is known for custom-container; set glibc to change it)");
    expect(err.message).toContain('newglibc 1.0.0 has wheels for CPython 3.12 x86_64 only for manylinux_2_28_x86_64 (glibc 2.28)');
  });
});

describe('reading pip\'s output', () => {
  test('unsatisfied requirements and the versions pip saw', () => {
    expect(unsatisfiedRequirements([
      'ERROR: Could not find a version that satisfies the requirement numpy==2.4.6 (from versions: 1.26.4, 2.2.6)',
      'ERROR: No matching distribution found for numpy==2.4.6',
    ])).toEqual([{ requirement: 'numpy==2.4.6', fittingVersions: ['1.26.4', '2.2.6'] }]);
    expect(unsatisfiedRequirements(['ERROR: Could not find a version that satisfies the requirement x (from versions: none)', 'ERROR: No matching distribution found for x']))
      .toEqual([{ requirement: 'x', fittingVersions: [] }]);
    expect(unsatisfiedRequirements(['ERROR: something else'])).toEqual([]);
  });

  test('hash mismatches with the expected and downloaded hashes', () => {
    expect(hashMismatch([
      'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes.',
      '    six==1.17.0 from file:///somewhere/six-1.17.0-py2.py3-none-any.whl#sha256=abcd:',
      '        Expected sha256 0000',
      '             Got        abcd',
    ])).toEqual([{ name: 'six', version: '1.17.0', expected: '0000', got: 'abcd' }]);
    expect(hashMismatch(['    six==1.17.0 from x:'])).toEqual([]);
  });

  test('wheel file tags', () => {
    expect(wheelFileTags('numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl'))
      .toEqual({ pythons: ['cp311'], abis: ['cp311'], platforms: ['manylinux_2_27_x86_64', 'manylinux_2_28_x86_64'] });
    expect(wheelFileTags('not-a-wheel.tar.gz')).toBeUndefined();
  });

  test('unpinned requirements: no ==, a range or a wildcard; pins, local files, URLs and options are not', () => {
    expect(unpinnedRequirements([
      'numpy', 'pandas==2.2.3', 'x>=1', 'y==2.*', 'z[a]==1.0 ; python_version<"3.12"', '# comment', '-r other.txt', './w.whl',
      'a==1 \\', '  --hash=sha256:ab', 'b>1,<2', 'c===1.0', 'd @ https://example.invalid/d-1.0.tar.gz', 'e ~= 1.2  # compatible',
    ])).toEqual(['numpy', 'x>=1', 'y==2.*', 'b>1,<2', 'e ~= 1.2']);
  });
});
