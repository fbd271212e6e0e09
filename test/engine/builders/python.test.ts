import * as fs from 'fs';
import * as path from 'path';
import { AWS_PY312_X86, makeContext } from './ctx';
import { LayersmithBuildError } from '../../../lib/core/errors';
import type { PythonSourceSpec } from '../../../lib/engine/api';
import { LayerSource } from '../../../lib/engine/source';
import { buildPython } from '../../../lib/engine/sources/python';
import { MissingToolError } from '../../../lib/engine/tools';
import { cleanupTempDirs, listFiles, makeTempDir, makeWheel, testWithTools, writeTree } from '../../helpers';

const pyTest = testWithTools('python3');

afterAll(cleanupTempDirs);

async function wheelhouse(): Promise<string> {
  const dir = makeTempDir('wheelhouse-');
  await makeWheel(dir, { name: 'tiny-greeter', version: '1.2.0', requires: ['tiny-dep>=0.1'], files: { 'tiny_greeter/__init__.py': 'def greet():\n    return "hi"\n' } });
  await makeWheel(dir, { name: 'tiny-dep', version: '0.3.0' });
  return dir;
}

describe('python builder (real pip, local wheels, --no-index)', () => {
  pyTest('installs a requirement and its dependency into python/ without bytecode or install paths', async () => {
    // GIVEN a requirements file naming a local wheel that depends on another local wheel
    const links = await wheelhouse();
    const proj = makeTempDir('pyproj-');
    writeTree(proj, { 'requirements.txt': 'tiny-greeter==1.2.0\n' });
    const spec = LayerSource.python({ requirements: path.join(proj, 'requirements.txt'), findLinks: [links], noIndex: true }).bind() as PythonSourceSpec;
    const ctx = makeContext(AWS_PY312_X86);

    // WHEN the builder runs
    await buildPython(spec, ctx);

    // THEN both packages land under python/ where the Lambda Python path looks
    const files = listFiles(ctx.staging);
    expect(files).toEqual(expect.arrayContaining([
      'python/tiny_greeter/__init__.py',
      'python/tiny_dep/__init__.py',
      'python/tiny_greeter-1.2.0.dist-info/METADATA',
      'python/tiny_dep-0.3.0.dist-info/METADATA',
    ]));
    expect(files.filter((f) => f.includes('__pycache__') || f.endsWith('.pyc') || f.endsWith('direct_url.json'))).toEqual([]);
    expect(files.every((f) => f.startsWith('python/'))).toBe(true);
  });

  pyTest('site-packages layout uses the target runtime version in the path', async () => {
    // GIVEN a local wheel given as a package path and a python3.11 target
    const links = await wheelhouse();
    const spec = LayerSource.python({ packages: [path.join(links, 'tiny_dep-0.3.0-py3-none-any.whl')], layout: 'site-packages', noIndex: true, findLinks: [links] }).bind() as PythonSourceSpec;
    const ctx = makeContext({ platform: 'aws', architecture: 'x86_64', runtimes: ['python3.11'] });

    // WHEN built
    await buildPython(spec, ctx);

    // THEN the package is under python/lib/python3.11/site-packages/ and its install path is not recorded
    expect(listFiles(ctx.staging)).toContain('python/lib/python3.11/site-packages/tiny_dep/__init__.py');
    expect(listFiles(ctx.staging).some((f) => f.endsWith('direct_url.json'))).toBe(false);
  });

  pyTest('selects the Linux wheel for the target architecture, not the host', async () => {
    // GIVEN the same binary distribution as an x86_64 and an aarch64 manylinux wheel
    const links = makeTempDir('wheelhouse-native-');
    for (const cpu of ['x86_64', 'aarch64']) {
      await makeWheel(links, { name: 'fastthing', version: '2.0.0', tag: `cp312-cp312-manylinux_2_17_${cpu}`, files: { 'fastthing/__init__.py': `CPU = '${cpu}'\n` } });
    }
    const spec = LayerSource.python({ packages: ['fastthing==2.0.0'], findLinks: [links], noIndex: true }).bind() as PythonSourceSpec;

    for (const [architecture, cpu] of [['arm64', 'aarch64'], ['x86_64', 'x86_64']] as const) {
      // WHEN built for each architecture
      const ctx = makeContext({ platform: 'aws', architecture, runtimes: ['python3.12'] });
      await buildPython(spec, ctx);

      // THEN the wheel of that CPU was installed
      expect(fs.readFileSync(path.join(ctx.staging, 'python/fastthing/__init__.py'), 'utf8')).toBe(`CPU = '${cpu}'\n`);
      expect(fs.readFileSync(path.join(ctx.staging, 'python/fastthing-2.0.0.dist-info/WHEEL'), 'utf8')).toContain(`manylinux_2_17_${cpu}`);
    }
  });

  pyTest('a wheel for another Python version is not picked: the error says which Pythons the index has wheels for', async () => {
    // GIVEN only a cp312 wheel and a python3.10 target
    const links = makeTempDir('wheelhouse-cp312-');
    await makeWheel(links, { name: 'fastthing', version: '2.0.0', tag: 'cp312-cp312-manylinux_2_17_x86_64' });
    const spec = LayerSource.python({ packages: ['fastthing==2.0.0'], findLinks: [links], noIndex: true }).bind() as PythonSourceSpec;
    const ctx = makeContext({ platform: 'aws', architecture: 'x86_64', runtimes: ['python3.10'] });

    // WHEN built THEN pip's failure is explained from what pip finds under other Python versions
    const err = await buildPython(spec, ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LayersmithBuildError);
    expect((err as LayersmithBuildError).code).toBe('NO_MATCHING_WHEEL');
    expect((err as Error).message).toBe("LayerSource.python: pip found no wheel of fastthing==2.0.0 for the layer's target: "
      + 'fastthing 2.0.0 has wheels for x86_64 Linux only for CPython 3.12 (e.g. fastthing-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl), none for CPython 3.10 '
      + '(no cp310 or abi3 wheel); python3.10 on AWS Lambda runs Amazon Linux 2 (glibc 2.26, x86_64). Fix: Use a runtime with CPython 3.12, or pin a release '
      + "that publishes a cp310 or abi3 wheel, or build the wheel for that Python yourself and give it through findLinks. If it is only a dependency you do not need, pipArgs: ['--no-deps'] skips it.");
  });

  test('no Python version anywhere is a clear error', async () => {
    // GIVEN a target without a python runtime and no pythonVersion
    const links = await wheelhouse();
    const spec = LayerSource.python({ packages: ['tiny-dep'], findLinks: [links], noIndex: true }).bind() as PythonSourceSpec;
    const ctx = makeContext({ platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] });

    // WHEN / THEN
    await expect(buildPython(spec, ctx)).rejects.toThrow(/no Python version to select wheels for: the target runtimes \[nodejs20\.x\] name no python3\.X\. Fix: set pythonVersion/);
  });

  test('a missing interpreter names the tool and how to install it', async () => {
    // GIVEN an interpreter that does not exist
    const links = await wheelhouse();
    const spec = LayerSource.python({ packages: ['tiny-dep'], findLinks: [links], noIndex: true, python: 'python-not-installed-anywhere' }).bind() as PythonSourceSpec;

    // WHEN / THEN
    const err = await buildPython(spec, makeContext(AWS_PY312_X86)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect((err as Error).message).toBe("LayerSource.python (pip) needs 'python-not-installed-anywhere', which is not on PATH. Fix: install python-not-installed-anywhere or put it on PATH.");
  });
});
