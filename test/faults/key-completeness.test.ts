import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget } from '../../lib/engine/api';
import { computeInputKey } from '../../lib/engine/cache';
import { LayerSource } from '../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';

/**
 * The key is complete: for every source kind, changing any file its builder reads changes the
 * key; changing only mtimes, modes other than the executable bit, or the checkout path does not.
 * Each kind has a project fixture; each mutation edits one file of a fresh copy of it.
 */

afterAll(cleanupTempDirs);

interface KindCase {
  readonly kind: string;
  readonly target: BuildTarget;
  /** The project's files (relative path -> content). */
  readonly files: Record<string, string>;
  /** Files made executable. */
  readonly exec?: string[];
  /** Symlinks (relative path -> target). */
  readonly links?: Record<string, string>;
  /** The source over a checkout at `dir`. */
  readonly source: (dir: string) => LayerSource;
  /** Each file the builder reads: editing it must change the key. */
  readonly reads: string[];
  /** Files the builder does not read (left out of the layer): editing them must not. */
  readonly ignored?: string[];
}

const PY: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };

const CASES: KindCase[] = [
  {
    kind: 'directory',
    target: PY,
    files: { 'python/app/__init__.py': 'X = 1\n', 'bin/tool': '#!/bin/sh\necho hi\n', '.env': 'SECRET=1\n', 'python/app/__pycache__/a.pyc': 'bc' },
    exec: ['bin/tool'],
    links: { 'bin/tool-link': 'tool' },
    source: (d) => LayerSource.fromDirectory(d),
    reads: ['python/app/__init__.py', 'bin/tool'],
    ignored: ['.env', 'python/app/__pycache__/a.pyc'],
  },
  {
    kind: 'python (requirements with -r, -c, a local wheel, a path dependency and -f)',
    target: PY,
    files: {
      'requirements.txt': '-r base.txt\n-c constraints.txt\n./vendor/tiny-1.0-py3-none-any.whl\n-e ./localpkg\n-f ./wheels\nrequests==2.32.3  # pinned\n',
      'base.txt': '-r nested/more.txt\nnumpy==2.1.0\n',
      'nested/more.txt': 'six==1.16.0\n',
      'constraints.txt': 'urllib3<3\n',
      'vendor/tiny-1.0-py3-none-any.whl': 'PK-wheel-bytes',
      'localpkg/pyproject.toml': '[project]\nname = "localpkg"\nversion = "0.1"\n',
      'localpkg/localpkg/__init__.py': 'V = 1\n',
      'wheels/extra-1.0-py3-none-any.whl': 'PK-extra',
      'README.md': 'not read by pip\n',
    },
    source: (d) => LayerSource.python({ requirements: path.join(d, 'requirements.txt') }),
    reads: ['requirements.txt', 'base.txt', 'nested/more.txt', 'constraints.txt', 'vendor/tiny-1.0-py3-none-any.whl', 'localpkg/pyproject.toml', 'localpkg/localpkg/__init__.py', 'wheels/extra-1.0-py3-none-any.whl'],
    ignored: ['README.md'],
  },
  {
    kind: 'python (packages: a local wheel, findLinks)',
    target: PY,
    files: { 'dist/app-1.0-py3-none-any.whl': 'PK-app', 'links/dep-2.0-py3-none-any.whl': 'PK-dep' },
    source: (d) => LayerSource.python({ packages: [path.join(d, 'dist', 'app-1.0-py3-none-any.whl')], findLinks: [path.join(d, 'links')], noIndex: true }),
    reads: ['dist/app-1.0-py3-none-any.whl', 'links/dep-2.0-py3-none-any.whl'],
  },
  {
    kind: 'node (package-lock.json, .npmrc)',
    target: { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] },
    files: { 'package.json': '{"name":"a","version":"1.0.0"}', 'package-lock.json': '{"lockfileVersion":3}', '.npmrc': 'omit=optional\n', 'index.js': 'not read by npm ci\n' },
    source: (d) => LayerSource.node({ packageDir: d }),
    reads: ['package.json', 'package-lock.json', '.npmrc'],
    ignored: ['index.js'],
  },
  {
    kind: 'node (npm-shrinkwrap.json)',
    target: { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] },
    files: { 'package.json': '{"name":"a","version":"1.0.0"}', 'npm-shrinkwrap.json': '{"lockfileVersion":3}' },
    source: (d) => LayerSource.node({ packageDir: d }),
    reads: ['package.json', 'npm-shrinkwrap.json'],
  },
  {
    kind: 'java (jars directory)',
    target: { platform: 'aws', architecture: 'x86_64', runtimes: ['java21'] },
    files: { 'jars/a.jar': 'PK-a', 'jars/b.jar': 'PK-b' },
    source: (d) => LayerSource.java({ jarsDir: path.join(d, 'jars') }),
    reads: ['jars/a.jar', 'jars/b.jar'],
  },
  {
    kind: 'java (pom with a settings file)',
    target: { platform: 'aws', architecture: 'x86_64', runtimes: ['java21'] },
    files: { 'pom.xml': '<project/>', 'settings.xml': '<settings/>', 'src/Main.java': 'class Main {}' },
    source: (d) => LayerSource.java({ pom: path.join(d, 'pom.xml'), mavenArgs: ['-o', '-s', 'settings.xml'] }),
    reads: ['pom.xml', 'settings.xml'],
    ignored: ['src/Main.java'],
  },
  {
    kind: 'php (composer.lock, a path repository)',
    target: { platform: 'alicloud', architecture: 'x86_64', runtimes: ['php7.2'] },
    files: {
      'composer.json': JSON.stringify({ require: { 'acme/util': '*' }, repositories: [{ type: 'path', url: 'packages/util' }] }),
      'composer.lock': '{"packages":[]}',
      'packages/util/composer.json': '{"name":"acme/util"}',
      'packages/util/src/Util.php': '<?php class Util {}',
    },
    source: (d) => LayerSource.php({ composerDir: d }),
    reads: ['composer.json', 'composer.lock', 'packages/util/composer.json', 'packages/util/src/Util.php'],
  },
  {
    kind: 'ruby (Gemfile.lock, vendor/cache, a path gem)',
    target: { platform: 'aws', architecture: 'x86_64', runtimes: ['ruby3.3'] },
    files: {
      'Gemfile': "source 'https://rubygems.org'\ngem 'rack', '3.0.0'\ngem 'mygem', path: 'gems/mygem'\n",
      'Gemfile.lock': 'GEM\n',
      'vendor/cache/rack-3.0.0.gem': 'gem-bytes',
      'gems/mygem/mygem.gemspec': 'Gem::Specification.new',
      'gems/mygem/lib/mygem.rb': 'module Mygem; end',
    },
    source: (d) => LayerSource.ruby({ gemfileDir: d }),
    reads: ['Gemfile', 'Gemfile.lock', 'vendor/cache/rack-3.0.0.gem', 'gems/mygem/mygem.gemspec', 'gems/mygem/lib/mygem.rb'],
  },
  {
    kind: 'customRuntime',
    target: { platform: 'aws', architecture: 'x86_64', runtimes: ['provided.al2023'] },
    files: { 'bootstrap': '#!/bin/sh\n', 'extra/bin/helper': 'x', 'extra/.git/HEAD': 'ref' },
    exec: ['bootstrap'],
    source: (d) => LayerSource.customRuntime({ bootstrap: path.join(d, 'bootstrap'), dir: path.join(d, 'extra') }),
    reads: ['bootstrap', 'extra/bin/helper'],
    ignored: ['extra/.git/HEAD'],
  },
  {
    kind: 'command (its declared inputs)',
    target: PY,
    files: { 'build.sh': 'cp -r src "$1"\n', 'src/a.txt': 'a', 'src/deep/b.txt': 'b', 'notes.txt': 'not an input' },
    source: (d) => LayerSource.command({ command: ['sh', path.join(d, 'build.sh'), '{output}'], cwd: d, inputs: ['build.sh', 'src'] }),
    reads: ['build.sh', 'src/a.txt', 'src/deep/b.txt'],
    ignored: ['notes.txt'],
  },
];

/** A fresh checkout of a case under a new path. */
function checkout(c: KindCase): string {
  const dir = makeTempDir('layersmith-test-key-');
  writeTree(dir, c.files, c.exec ?? []);
  for (const [name, target] of Object.entries(c.links ?? {})) fs.symlinkSync(target, path.join(dir, name));
  return dir;
}

function keyOf(c: KindCase, dir: string): string {
  return computeInputKey(c.source(dir).bind(), c.target);
}

describe.each(CASES.map((c) => [c.kind, c] as const))('the key of a %s source', (_kind, c) => {
  test.each(c.reads)('changes when %s changes', (file) => {
    // GIVEN a checkout and its key
    const dir = checkout(c);
    const before = keyOf(c, dir);
    // WHEN one file the builder reads changes by one byte
    fs.appendFileSync(path.join(dir, file), ' ');
    // THEN the key changes
    expect(keyOf(c, dir)).not.toBe(before);
  });

  test.each(c.reads)('changes when %s gains or loses the executable bit', (file) => {
    const dir = checkout(c);
    const before = keyOf(c, dir);
    const abs = path.join(dir, file);
    fs.chmodSync(abs, (fs.statSync(abs).mode & 0o111) !== 0 ? 0o644 : 0o755);
    expect(keyOf(c, dir)).not.toBe(before);
  });

  test('does not change with mtimes, non-executable modes or the checkout path', () => {
    // GIVEN two checkouts at different paths
    const a = checkout(c);
    const b = checkout(c);
    const key = keyOf(c, a);
    // WHEN the second one's files get other mtimes and other non-executable modes
    for (const file of Object.keys(c.files)) {
      const abs = path.join(b, file);
      fs.utimesSync(abs, new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
      fs.chmodSync(abs, (fs.statSync(abs).mode & 0o111) !== 0 ? 0o750 : 0o600);
    }
    // THEN both keys are the same
    expect(keyOf(c, b)).toBe(key);
  });

  if (c.ignored && c.ignored.length > 0) {
    test.each(c.ignored)('does not change when %s (not read by the build) changes', (file) => {
      const dir = checkout(c);
      const before = keyOf(c, dir);
      fs.appendFileSync(path.join(dir, file), ' changed');
      expect(keyOf(c, dir)).toBe(before);
    });
  }
});

describe('pip configuration that changes what is installed', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('index-url and find-links in the pip config file, and PIP_* variables, change the key; other settings do not', () => {
    // GIVEN a python source and a pip config file
    const dir = makeTempDir('layersmith-test-key-');
    writeTree(dir, { 'requirements.txt': 'six==1.16.0\n', 'pip.conf': '[global]\ntimeout = 60\n', 'wheels/a-1.0-py3-none-any.whl': 'PK' });
    process.env.PIP_CONFIG_FILE = path.join(dir, 'pip.conf');
    delete process.env.PIP_INDEX_URL;
    delete process.env.PIP_FIND_LINKS;
    const c = { target: PY, source: () => LayerSource.python({ requirements: path.join(dir, 'requirements.txt') }) };
    const key = () => computeInputKey(c.source().bind(), c.target);
    const base = key();

    // WHEN a setting that does not pick distributions changes: THEN the same key
    fs.writeFileSync(path.join(dir, 'pip.conf'), '[global]\ntimeout = 5\nretries = 0\n');
    expect(key()).toBe(base);

    // WHEN the index changes: THEN another key
    fs.writeFileSync(path.join(dir, 'pip.conf'), '[global]\nindex-url = http://127.0.0.1:9/simple\n');
    const withIndex = key();
    expect(withIndex).not.toBe(base);

    // WHEN a find-links directory is configured, and then gains a wheel: THEN the key follows
    fs.writeFileSync(path.join(dir, 'pip.conf'), `[install]\nfind-links =\n    ${path.join(dir, 'wheels')}\n`);
    const withLinks = key();
    expect(withLinks).not.toBe(base);
    fs.writeFileSync(path.join(dir, 'wheels', 'b-2.0-py3-none-any.whl'), 'PK');
    expect(key()).not.toBe(withLinks);

    // WHEN the environment sets the index: THEN another key
    fs.writeFileSync(path.join(dir, 'pip.conf'), '[global]\ntimeout = 5\n');
    process.env.PIP_INDEX_URL = 'http://127.0.0.1:9/other';
    expect(key()).not.toBe(base);
  });
});
