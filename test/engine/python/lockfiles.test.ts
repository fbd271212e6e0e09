import * as fs from 'fs';
import * as path from 'path';
import { downloadWheel, sha256Hex } from './fixtures';
import { LayersmithBuildError, LayersmithValidationError } from '../../../lib/core/errors';
import type { BuildTarget } from '../../../lib/engine/api';
import { computeInputKey } from '../../../lib/engine/cache';
import { buildLayer } from '../../../lib/engine/engine';
import { findProjectFile, readLockfile } from '../../../lib/engine/python/lockfiles';
import { evaluateMarker, targetEnvironment } from '../../../lib/engine/python/markers';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, testWithTools, writeTree } from '../../helpers';

process.env.PIP_RETRIES = '0';
const pyTest = testWithTools('python3');
const quiet = { progress: false };
const PY312: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };
const PY311: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.11'] };

/** Real sha256 hashes of real wheels from pip's configured index. */
const hash: Record<string, string> = {};
const file: Record<string, string> = {};
let cacheDir: string;

beforeAll(() => {
  cacheDir = makeTempDir();
  const wheels = makeTempDir();
  for (const [name, req] of [
    ['six', 'six==1.17.0'], ['colorama', 'colorama==0.4.6'], ['typing-extensions', 'typing-extensions==4.16.0'],
    ['attrs', 'attrs==26.1.0'], ['idna', 'idna==3.20'], ['numpy', 'numpy==2.1.3'],
  ]) {
    const whl = downloadWheel(req, wheels, name === 'numpy' ? 'manylinux2014_x86_64' : undefined);
    hash[name] = `sha256:${sha256Hex(whl)}`;
    file[name] = path.basename(whl);
  }
});
afterAll(cleanupTempDirs);

const VERSIONS: Record<string, string> = { 'six': '1.17.0', 'colorama': '0.4.6', 'typing-extensions': '4.16.0', 'attrs': '26.1.0', 'idna': '3.20', 'numpy': '2.1.3' };

/** A uv.lock as uv writes it: the project (virtual) with markers on its edges, a dev group and an extra. */
function uvLock(badHashFor?: string): string {
  const pkg = (name: string) => [
    '[[package]]',
    `name = "${name}"`,
    `version = "${VERSIONS[name]}"`,
    'source = { registry = "https://pypi.org/simple" }',
    'wheels = [',
    `    { url = "https://files.pythonhosted.org/packages/xx/${file[name]}", hash = "${name === badHashFor ? `sha256:${'0'.repeat(64)}` : hash[name]}", size = 1 },`,
    ']',
    '',
  ].join('\n');
  return [
    'version = 1',
    'revision = 2',
    'requires-python = ">=3.11"',
    '',
    '[[package]]',
    'name = "demo"',
    'version = "0.1.0"',
    'source = { virtual = "." }',
    'dependencies = [',
    '    { name = "colorama", marker = "python_full_version < \'3.12\'" },',
    '    { name = "six" },',
    '    { name = "typing-extensions", marker = "python_full_version >= \'3.12\' and sys_platform == \'linux\'" },',
    ']',
    '',
    '[package.optional-dependencies]',
    'idna = [',
    '    { name = "idna" },',
    ']',
    '',
    '[package.dev-dependencies]',
    'dev = [',
    '    { name = "attrs" },',
    ']',
    '',
    ...['attrs', 'colorama', 'idna', 'six', 'typing-extensions'].map(pkg),
  ].join('\n');
}

function poetryLock(): string {
  const pkg = (name: string, groups: string[], markers?: string) => [
    '[[package]]',
    `name = "${name}"`,
    `version = "${VERSIONS[name]}"`,
    'description = ""',
    'optional = false',
    'python-versions = ">=3.9"',
    `groups = [${groups.map((g) => `"${g}"`).join(', ')}]`,
    ...(markers ? [`markers = ${JSON.stringify(markers)}`] : []),
    'files = [',
    `    {file = "${file[name]}", hash = "${hash[name]}"},`,
    ']',
    '',
  ].join('\n');
  return [
    pkg('attrs', ['dev']),
    pkg('colorama', ['main'], 'sys_platform == "win32"'),
    pkg('numpy', ['main']),
    pkg('six', ['main']),
    '[metadata]',
    'lock-version = "2.1"',
    'python-versions = "^3.11"',
    'content-hash = "0000"',
    '',
  ].join('\n');
}

function pipfileLock(badHashFor?: string): string {
  const entry = (name: string, markers?: string) => ({
    hashes: [name === badHashFor ? `sha256:${'0'.repeat(64)}` : hash[name]],
    index: 'pypi',
    ...(markers ? { markers } : {}),
    version: `==${VERSIONS[name]}`,
  });
  return JSON.stringify({
    _meta: { 'hash': { sha256: '0' }, 'pipfile-spec': 6, 'requires': { python_version: '3.12' }, 'sources': [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }] },
    default: { 'six': entry('six'), 'colorama': entry('colorama', "platform_machine == 'aarch64'"), 'typing-extensions': entry('typing-extensions', "python_version >= '3.12'") },
    develop: { attrs: entry('attrs') },
  }, null, 4);
}

function project(files: Record<string, string>): string {
  const dir = makeTempDir();
  writeTree(dir, files);
  return dir;
}

function installed(m: { packages: readonly { ecosystem: string; name: string; version: string }[] }): string[] {
  return m.packages.filter((p) => p.ecosystem === 'python').map((p) => `${p.name}==${p.version}`).sort();
}

describe('environment markers are evaluated for the target, not this machine', () => {
  test.each([
    ['python_version >= "3.12"', '3.12', 'x86_64', true],
    ['python_version >= "3.12"', '3.11', 'x86_64', false],
    ['python_full_version < \'3.12\' or platform_machine == "aarch64"', '3.12', 'arm64', true],
    ['sys_platform == "darwin" or os_name == "nt"', '3.12', 'x86_64', false],
    ['(platform_system == "Linux" and implementation_name == "cpython") and python_version ~= "3.10"', '3.11', 'x86_64', true],
    ['"linux" in sys_platform and platform_python_implementation != "PyPy"', '3.11', 'x86_64', true],
    ['python_version == "3.1*"', '3.11', 'x86_64', false],
    ['python_version != "3.12.*"', '3.12', 'x86_64', false],
  ] as const)('%s on CPython %s %s is %s', (marker, py, arch, expected) => {
    expect(evaluateMarker(marker, targetEnvironment(py, arch))).toBe(expected);
  });

  test('extra markers match the extras being installed', () => {
    expect(evaluateMarker('extra == "Plot_Lib"', targetEnvironment('3.12', 'x86_64', ['plot-lib']))).toBe(true);
    expect(evaluateMarker('extra == "plot"', targetEnvironment('3.12', 'x86_64'))).toBe(false);
  });

  test('a marker that does not parse is an error naming it', () => {
    expect(() => evaluateMarker('python_version >>= "3"', targetEnvironment('3.12', 'x86_64'))).toThrow(/^cannot read the environment marker 'python_version >>= "3"': /);
    expect(() => evaluateMarker('weird_var == "x"', targetEnvironment('3.12', 'x86_64'))).toThrow("cannot read the environment marker 'weird_var == \"x\"': unknown marker variable 'weird_var'");
    expect(() => evaluateMarker('(python_version == "3.12"', targetEnvironment('3.12', 'x86_64'))).toThrow(/a parenthesis is not closed/);
  });
});

describe('reading lockfiles (no pip)', () => {
  test('the first of uv.lock, poetry.lock, Pipfile.lock, requirements.txt wins', () => {
    const dir = project({ 'requirements.txt': 'six\n', 'Pipfile.lock': pipfileLock(), 'poetry.lock': poetryLock() });
    expect(findProjectFile(dir)).toEqual({ kind: 'poetry', file: path.join(dir, 'poetry.lock') });
    fs.rmSync(path.join(dir, 'poetry.lock'));
    expect(findProjectFile(dir)?.kind).toBe('pipenv');
    fs.rmSync(path.join(dir, 'Pipfile.lock'));
    expect(findProjectFile(dir)?.kind).toBe('requirements');
  });

  test('uv.lock: default deps for the target, groups and extras on request, every hash kept', () => {
    const dir = project({ 'uv.lock': uvLock() });
    const lock = { kind: 'uv' as const, file: path.join(dir, 'uv.lock') };
    expect(readLockfile(lock, targetEnvironment('3.12', 'x86_64')).map((p) => p.name)).toEqual(['six', 'typing-extensions']);
    expect(readLockfile(lock, targetEnvironment('3.11', 'x86_64')).map((p) => p.name)).toEqual(['colorama', 'six']);
    const all = readLockfile(lock, targetEnvironment('3.12', 'x86_64'), { groups: ['dev'], extras: ['idna'] });
    expect(all.map((p) => `${p.name}==${p.version}`)).toEqual(['attrs==26.1.0', 'idna==3.20', 'six==1.17.0', 'typing-extensions==4.16.0']);
    expect(all.find((p) => p.name === 'six')?.hashes).toEqual([hash.six]);
  });

  test('a broken or unusable lockfile is an error naming the file and the package', () => {
    const dir = project({
      'uv.lock': 'version = 1\n[[package]\n',
      'poetry.lock': '[[package]]\nname = "six"\nversion = "1.17.0"\ngroups = ["main"]\nfiles = []\n',
      'Pipfile.lock': JSON.stringify({ default: { six: { version: '>=1', hashes: ['sha256:00'] }, gitpkg: { git: 'https://example.invalid/x.git' } } }),
    });
    const env = targetEnvironment('3.12', 'x86_64');
    const err = (fn: () => unknown): LayersmithBuildError => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(LayersmithBuildError);
        return e as LayersmithBuildError;
      }
      throw new Error('expected an error');
    };
    const uv = err(() => readLockfile({ kind: 'uv', file: path.join(dir, 'uv.lock') }, env));
    expect([uv.code, uv.message]).toEqual(['LOCKFILE_INVALID', expect.stringMatching(new RegExp(`^LayerSource\\.python: ${dir}/uv\\.lock: it does not parse as TOML`))]);
    expect(err(() => readLockfile({ kind: 'poetry', file: path.join(dir, 'poetry.lock') }, env)).message).toContain('poetry.lock: six 1.17.0 records no hash');
    expect(err(() => readLockfile({ kind: 'pipenv', file: path.join(dir, 'Pipfile.lock') }, env)).message).toContain('Pipfile.lock: six is not pinned with == (version ">=1")');
    expect(err(() => readLockfile({ kind: 'pipenv', file: path.join(dir, 'Pipfile.lock') }, env, { groups: ['develop'] })).message).toContain('it has no "develop" category');
    writeTree(dir, { 'Pipfile.lock': JSON.stringify({ default: { gitpkg: { git: 'https://example.invalid/x.git' } } }) });
    const git = err(() => readLockfile({ kind: 'pipenv', file: path.join(dir, 'Pipfile.lock') }, env));
    expect(git.code).toBe('LOCKFILE_UNSUPPORTED');
    expect(git.message).toContain('locks gitpkg from git (https://example.invalid/x.git)');
  });

  test('more lockfiles that cannot be installed: each error names the file and what is wrong', () => {
    const env = targetEnvironment('3.12', 'x86_64');
    const dir = makeTempDir();
    const failure = (kind: 'uv' | 'poetry' | 'pipenv', name: string, text: string): LayersmithBuildError => {
      writeTree(dir, { [name]: text });
      try {
        readLockfile({ kind, file: path.join(dir, name) }, env);
      } catch (e) {
        expect(e).toBeInstanceOf(LayersmithBuildError);
        return e as LayersmithBuildError;
      }
      throw new Error(`expected ${name} to fail`);
    };
    const root = '[[package]]\nname = "demo"\nversion = "0.1.0"\nsource = { virtual = "." }\n';
    expect(failure('uv', 'uv.lock', '[[package]]\nname = "six"\nversion = "1.17.0"\nsource = { registry = "r" }\n').message)
      .toContain('uv.lock: no package has a virtual or editable source');
    expect(failure('uv', 'uv.lock', `${root}dependencies = [{ name = "ghost" }]\n`).message).toContain('uv.lock: a dependency on ghost has no [[package]] entry');
    expect(failure('uv', 'uv.lock', `${root}dependencies = [{ name = "six", marker = "python_version <> '3'" }]\n`).message)
      .toContain("uv.lock: cannot read the environment marker 'python_version <> '3'': expected <variable> <operator>");
    const git = failure('uv', 'uv.lock', `${root}dependencies = [{ name = "tool" }]\n[[package]]\nname = "tool"\nversion = "1.0"\nsource = { git = "https://example.invalid/t.git" }\n`);
    expect([git.code, git.message]).toEqual(['LOCKFILE_UNSUPPORTED', expect.stringContaining('locks tool from git, which cannot be installed from a package index with hashes checked')]);
    const poetryGit = failure('poetry', 'poetry.lock', '[[package]]\nname = "tool"\nversion = "1.0"\ngroups = ["main"]\nfiles = []\n[package.source]\ntype = "git"\nurl = "https://example.invalid/t.git"\n');
    expect(poetryGit.code).toBe('LOCKFILE_UNSUPPORTED');
    expect(failure('pipenv', 'Pipfile.lock', '{"develop": {}}').message).toContain('Pipfile.lock: it has no "default" section');
  });

  test('a project directory emptied after the source was declared fails the build naming it', async () => {
    const dir = project({ 'requirements.txt': 'six==1.17.0\n' });
    const source = LayerSource.python({ projectDir: dir });
    fs.rmSync(path.join(dir, 'requirements.txt'));
    const err = await buildLayer(source, PY312, { cacheDir, ...quiet }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LayersmithBuildError);
    expect((err as LayersmithBuildError).code).toBe('NO_PROJECT_FILE');
    expect((err as Error).message).toContain(`projectDir '${dir}' holds none of uv.lock, poetry.lock, Pipfile.lock, requirements.txt`);
  });

  test('projectDir options are checked when the source is declared', () => {
    const empty = makeTempDir();
    const dir = project({ 'uv.lock': uvLock() });
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(LayersmithValidationError);
        return (e as LayersmithValidationError).code;
      }
      return 'no error';
    };
    expect(code(() => LayerSource.python({ projectDir: empty }))).toBe('NO_PROJECT_FILE');
    expect(code(() => LayerSource.python({ projectDir: dir, packages: ['six'] }))).toBe('PROJECT_AND_REQUIREMENTS');
    expect(code(() => LayerSource.python({ packages: ['six'], groups: ['dev'] }))).toBe('GROUPS_WITHOUT_PROJECT');
    expect(code(() => LayerSource.python({ projectDir: dir, glibc: '2.x' }))).toBe('BAD_GLIBC');
  });

  test('the lockfile is in the cache key', () => {
    const dir = project({ 'uv.lock': uvLock() });
    const before = computeInputKey(LayerSource.python({ projectDir: dir }).bind(), PY312);
    writeTree(dir, { 'uv.lock': uvLock('six') });
    expect(computeInputKey(LayerSource.python({ projectDir: dir }).bind(), PY312)).not.toBe(before);
    expect(computeInputKey(LayerSource.python({ projectDir: dir, groups: ['dev'] }).bind(), PY312)).not.toBe(computeInputKey(LayerSource.python({ projectDir: dir }).bind(), PY312));
  });
});

describe('building from lockfiles (real pip, real index, real hashes)', () => {
  pyTest('uv.lock for python3.12 installs exactly the locked default packages for that target', async () => {
    // GIVEN a uv project; this machine's Python is 3.11, for which colorama would be chosen instead
    const dir = project({ 'uv.lock': uvLock() });
    // WHEN
    const art = await buildLayer(LayerSource.python({ projectDir: dir }), PY312, { cacheDir, ...quiet });
    // THEN
    expect(installed(art.manifest)).toEqual(['six==1.17.0', 'typing-extensions==4.16.0']);
    expect(art.manifest.build?.unpinned).toBeUndefined();
    expect(art.manifest.build?.notes).toEqual(['installed 2 packages locked in uv.lock, hashes checked']);
  });

  pyTest('uv.lock with the dev group and an extra adds exactly those', async () => {
    const dir = project({ 'uv.lock': uvLock() });
    const art = await buildLayer(LayerSource.python({ projectDir: dir, groups: ['dev'], extras: ['idna'] }), PY312, { cacheDir, ...quiet });
    expect(installed(art.manifest)).toEqual(['attrs==26.1.0', 'idna==3.20', 'six==1.17.0', 'typing-extensions==4.16.0']);
  });

  pyTest('poetry.lock installs the locked numpy 2.1.3, not the newest that fits, and skips dev and win32-only packages', async () => {
    const dir = project({ 'poetry.lock': poetryLock(), 'pyproject.toml': '[tool.poetry]\nname = "demo"\n' });
    const art = await buildLayer(LayerSource.python({ projectDir: dir }), PY311, { cacheDir, ...quiet });
    expect(installed(art.manifest)).toEqual(['numpy==2.1.3', 'six==1.17.0']);
  });

  pyTest('Pipfile.lock evaluates markers for an arm64 target and installs the develop category on request', async () => {
    const dir = project({ 'Pipfile.lock': pipfileLock() });
    const arm: BuildTarget = { platform: 'aws', architecture: 'arm64', runtimes: ['python3.12'] };
    const art = await buildLayer(LayerSource.python({ projectDir: dir, groups: ['develop'] }), arm, { cacheDir, ...quiet });
    expect(installed(art.manifest)).toEqual(['attrs==26.1.0', 'colorama==0.4.6', 'six==1.17.0', 'typing-extensions==4.16.0']);
  });

  pyTest.each([['uv.lock', uvLock], ['Pipfile.lock', pipfileLock]] as const)('%s: a wrong hash fails naming the package', async (name, make) => {
    // GIVEN a lockfile whose hash for six is not the hash of the file the index serves
    const dir = project({ [name]: make('six') });
    // WHEN
    const err = await buildLayer(LayerSource.python({ projectDir: dir }), PY312, { cacheDir, ...quiet }).then(() => undefined, (e: unknown) => e);
    // THEN
    expect(err).toBeInstanceOf(LayersmithBuildError);
    expect((err as LayersmithBuildError).code).toBe('LOCK_HASH_MISMATCH');
    expect((err as Error).message).toContain(`the package index gave files whose hashes ${path.join(dir, name)} does not record: six 1.17.0 (downloaded sha256 ${hash.six.slice(7)}, the lockfile records sha256 ${'0'.repeat(64)})`);
  });

  pyTest('requirements.txt in a project directory is installed as requirements, and unpinned lines warn', async () => {
    const dir = project({ 'requirements.txt': 'six\nidna==3.20\n' });
    const art = await buildLayer(LayerSource.python({ projectDir: dir }), PY312, { cacheDir, ...quiet });
    expect(installed(art.manifest)).toEqual(['idna==3.20', 'six==1.17.0']);
    expect(art.manifest.build?.unpinned).toEqual(['six']);
  });
});
