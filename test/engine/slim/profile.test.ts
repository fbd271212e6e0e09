import * as fs from 'fs';
import * as path from 'path';
import type { SlimRecord } from '../../../lib/core';
import { DEFAULT_RULE_IDS, slimLayer, slimSpec, type SlimSpec } from '../../../lib/engine/slim';
import { cleanupTempDirs, makeTempDir, testWithTools, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

const DEFAULT: SlimSpec = { keep: [], remove: [], strip: true };
const PY311 = { runtimes: ['python3.11'], architecture: 'x86_64' as const };

/** A layer with one file per rule of the default profile, and files every rule must leave alone. */
const LAYER: Record<string, string> = {
  'python/pkg/__init__.py': 'from . import core\nfrom pkg.testing import helper\n',
  'python/pkg/core.py': 'VALUE = 1\n',
  'python/pkg/testing.py': 'from pkg.tests._helpers import helper\n',
  'python/pkg/tests/__init__.py': '',
  'python/pkg/tests/_helpers.py': 'def helper():\n    return 1\n',
  'python/pkg/tests/test_core.py': `import pytest\n${'#'.repeat(500)}\n`,
  'python/pkg/conftest.py': 'import pytest\n',
  'python/pkg/__pycache__/core.cpython-311.pyc': 'bytecode-bytes',
  'python/pkg/legacy.pyc': 'more-bytecode',
  'python/pkg/docs/index.rst': 'Docs\n====\n',
  'python/pkg/doc/__init__.py': 'TOPICS = []\n',
  'python/pkg/examples/demo.py': 'print("demo")\n',
  'python/pkg/core.pyi': 'VALUE: int\n',
  'python/pkg/_speedups.pyx': 'def f(): pass\n',
  'python/pkg/_speedups.pxd': 'cdef int x\n',
  'python/pkg/src/_speedups.c': 'int f(void) { return 1; }\n',
  'python/pkg/include/pkg.h': '#define PKG 1\n',
  'python/pkg/src/extra.cpp': 'int g() { return 2; }\n',
  'python/pkg/data/table.map': 'a python data file named .map stays\n',
  'python/pkg/README.md': 'a python package README stays (node-docs is for node_modules)\n',
  'python/pkg/LICENSE.txt': 'MIT\n',
  'python/pkg-1.0.dist-info/METADATA': 'Name: pkg\nVersion: 1.0\n',
  'python/pkg-1.0.dist-info/RECORD': 'pkg/__init__.py,,\n',
  'python/pkg-1.0.dist-info/licenses/NOTES.md': 'dist-info is never touched\n',
  'nodejs/node_modules/lib/package.json': '{"name":"lib","version":"1.0.0"}\n',
  'nodejs/node_modules/lib/index.js': 'module.exports = 1;\n',
  'nodejs/node_modules/lib/index.js.map': '{"version":3}\n',
  'nodejs/node_modules/lib/README.md': '# lib\n',
  'nodejs/node_modules/lib/LICENSE.md': 'MIT\n',
  'nodejs/node_modules/lib/index.d.ts': 'export declare const x: number;\n',
  'nodejs/node_modules/lib/.github/workflows/ci.yml': 'on: push\n',
  'nodejs/node_modules/lib/.travis.yml': 'language: node_js\n',
  'nodejs/node_modules/lib/test/index.test.js': 'test()\n',
  'nodejs/node_modules/lib/example/run.js': 'run()\n',
};

/** What each default rule must remove from LAYER (the rescued test helper excepted). */
const EXPECTED: Record<string, string[]> = {
  'bytecode': ['python/pkg/__pycache__/core.cpython-311.pyc', 'python/pkg/legacy.pyc'],
  'tests': ['python/pkg/tests/test_core.py', 'python/pkg/conftest.py', 'nodejs/node_modules/lib/test/index.test.js'],
  'docs': ['python/pkg/docs/index.rst'],
  'node-docs': ['nodejs/node_modules/lib/README.md'],
  'examples': ['python/pkg/examples/demo.py', 'nodejs/node_modules/lib/example/run.js'],
  'type-stubs': ['python/pkg/core.pyi', 'nodejs/node_modules/lib/index.d.ts'],
  'extension-sources': ['python/pkg/_speedups.pyx', 'python/pkg/_speedups.pxd', 'python/pkg/src/_speedups.c', 'python/pkg/include/pkg.h', 'python/pkg/src/extra.cpp'],
  'source-maps': ['nodejs/node_modules/lib/index.js.map'],
  'ci-metadata': ['nodejs/node_modules/lib/.github/workflows/ci.yml', 'nodejs/node_modules/lib/.travis.yml'],
};

const STAYS = [
  'python/pkg/__init__.py', 'python/pkg/core.py', 'python/pkg/testing.py', 'python/pkg/doc/__init__.py', 'python/pkg/data/table.map',
  'python/pkg/README.md', 'python/pkg/LICENSE.txt', 'python/pkg-1.0.dist-info/METADATA', 'python/pkg-1.0.dist-info/RECORD',
  'python/pkg-1.0.dist-info/licenses/NOTES.md', 'nodejs/node_modules/lib/package.json', 'nodejs/node_modules/lib/index.js',
  'nodejs/node_modules/lib/LICENSE.md',
];

describe('the default profile', () => {
  let root: string;
  let record: SlimRecord;
  const size = (rel: string) => Buffer.byteLength(LAYER[rel]);

  beforeAll(async () => {
    // GIVEN a layer holding something for every rule, slimmed with the default profile
    root = makeTempDir('layersmith-test-slim-');
    writeTree(root, LAYER);
    record = await slimLayer(root, DEFAULT, { ...PY311, work: makeTempDir('layersmith-test-slim-work-') });
  });

  test('pins the rule ids', () => {
    expect(DEFAULT_RULE_IDS).toEqual([...Object.keys(EXPECTED), 'strip-debug']);
  });

  test.each(Object.entries(EXPECTED))('rule %s removes exactly its files and records their count and bytes', (rule, files) => {
    for (const f of files) expect(fs.existsSync(path.join(root, f))).toBe(false);
    expect(record.rules.find((r) => r.rule === rule)).toEqual({ rule, files: files.length, bytes: files.reduce((n, f) => n + size(f), 0) });
  });

  test('keeps code, package metadata, licences, package.json, a Python package named doc and non-Node .map/.md files', () => {
    for (const f of STAYS) expect(fs.existsSync(path.join(root, f))).toBe(true);
  });

  test('a test helper that kept library code imports stays, with the package that encloses it', () => {
    expect(fs.readFileSync(path.join(root, 'python/pkg/tests/_helpers.py'), 'utf8')).toContain('def helper');
    expect(record.kept).toEqual([
      { path: 'python/pkg/tests/__init__.py', reason: 'imported by python/pkg/testing.py' },
      { path: 'python/pkg/tests/_helpers.py', reason: 'imported by python/pkg/testing.py' },
    ]);
  });

  test('directories emptied by the removals are gone; the totals add up', () => {
    for (const d of ['python/pkg/__pycache__', 'python/pkg/docs', 'python/pkg/examples', 'python/pkg/src', 'nodejs/node_modules/lib/.github']) {
      expect(fs.existsSync(path.join(root, d))).toBe(false);
    }
    const removed = Object.values(EXPECTED).flat().reduce((n, f) => n + size(f), 0);
    const all = Object.keys(LAYER).reduce((n, f) => n + size(f), 0);
    expect(record).toMatchObject({ beforeBytes: all, savedBytes: removed, afterBytes: all - removed });
  });

  testWithTools('python3.11')('the import check ran with the local 3.11 interpreter on every top-level package and public subpackage', () => {
    expect(record.verification).toMatchObject({ ran: true, modules: ['pkg', 'pkg.doc', 'pkg.tests'] });
    expect(record.verification.interpreter).toMatch(/^python3\.11 \(3\.11\.\d+\)$/);
  });
});

describe('keep and remove', () => {
  test('keep globs win over the profile; remove globs add removals recorded under their own rule', async () => {
    // GIVEN the layer, keeping examples and removing a data directory
    const root = makeTempDir('layersmith-test-slim-');
    writeTree(root, { ...LAYER, 'python/pkg/big/blob.bin': 'x'.repeat(1000) });
    // WHEN slimmed
    const record = await slimLayer(root, { keep: ['examples', '**/*.pyi'], remove: ['python/pkg/big'], strip: true }, PY311);
    // THEN kept files stay and say why, and the removal is counted
    expect(fs.existsSync(path.join(root, 'python/pkg/examples/demo.py'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'python/pkg/core.pyi'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'python/pkg/big'))).toBe(false);
    expect(record.kept).toEqual(expect.arrayContaining([
      { path: 'python/pkg/examples/demo.py', reason: 'keep: examples' },
      { path: 'python/pkg/core.pyi', reason: 'keep: **/*.pyi' },
    ]));
    expect(record.rules[0]).toEqual({ rule: 'remove:python/pkg/big', files: 1, bytes: 1000 });
    // 'examples' names that directory only; the Node package's example/ still goes
    expect(record.rules.find((r) => r.rule === 'examples')).toEqual({ rule: 'examples', files: 1, bytes: Buffer.byteLength(LAYER['nodejs/node_modules/lib/example/run.js']) });
    expect(record.rules.find((r) => r.rule === 'type-stubs')).toEqual({ rule: 'type-stubs', files: 1, bytes: Buffer.byteLength(LAYER['nodejs/node_modules/lib/index.d.ts']) });
  });

  testWithTools('python3.11')('a remove glob deleting a module that kept code imports fails the build naming the module and the rule', async () => {
    // GIVEN a remove glob that deletes pkg/core.py, which pkg/__init__.py imports
    const root = makeTempDir('layersmith-test-slim-');
    writeTree(root, LAYER);
    // WHEN slimmed THEN the build error names the module, the exception and the rule, and the fix
    const err = await slimLayer(root, { keep: [], remove: ['**/core.py'], strip: true }, PY311).then(() => undefined, (e) => e);
    expect(err).toMatchObject({ code: 'SLIM_BROKE_IMPORT', kind: 'build' });
    expect(err.message).toContain("pkg, pkg.doc, pkg.tests no longer import (ImportError: cannot import name 'core' from partially initialized module 'pkg'");
    expect(err.message).toContain("broken by rule 'remove:**/core.py'");
    expect(err.message).toContain('Fix: drop or narrow the remove glob');
  });

  test('slim options: true is the default profile; unknown options, non-arrays and empty patterns fail loudly', () => {
    expect(slimSpec(true, 'X')).toEqual(DEFAULT);
    expect(slimSpec(false, 'X')).toBeUndefined();
    expect(slimSpec(undefined, 'X')).toBeUndefined();
    expect(slimSpec({ keep: [' a/** '], strip: false }, 'X')).toEqual({ keep: ['a/**'], remove: [], strip: false });
    expect(() => slimSpec({ kep: ['a'] } as never, 'LayerSource.python')).toThrow("LayerSource.python: slim has unknown option(s) 'kep'");
    expect(() => slimSpec({ keep: 'a' } as never, 'X')).toThrow('slim.keep must be an array');
    expect(() => slimSpec({ remove: [''] }, 'X')).toThrow('slim.remove holds an empty or non-string pattern');
    expect(() => slimSpec({ strip: 'yes' } as never, 'X')).toThrow('slim.strip must be a boolean');
    expect(() => slimSpec('yes' as never, 'X')).toThrow('slim must be true, false or { keep, remove, strip }');
  });
});

describe('the import check says plainly when it cannot run', () => {
  test('no interpreter of the runtime\'s version on PATH', async () => {
    const root = makeTempDir('layersmith-test-slim-');
    writeTree(root, LAYER);
    const record = await slimLayer(root, DEFAULT, { ...PY311, envPath: makeTempDir('layersmith-test-empty-path-') });
    expect(record.verification).toEqual({
      ran: false, modules: [], note: 'import check not run: no local Python 3.11 interpreter (python3.11, or python3 of that version) is on PATH.',
    });
    expect(record.savedBytes).toBeGreaterThan(0);
  });

  test('a layer for another architecture, and a layer without python/', async () => {
    const root = makeTempDir('layersmith-test-slim-');
    writeTree(root, LAYER);
    const other = process.arch === 'arm64' ? 'x86_64' : 'arm64';
    const arm = await slimLayer(root, DEFAULT, { runtimes: ['python3.11'], architecture: other });
    expect(arm.verification.ran).toBe(false);
    expect(arm.verification.note).toContain(`the layer is for ${other}; its extension modules cannot load here`);
    const tools = makeTempDir('layersmith-test-slim-');
    writeTree(tools, { 'bin/tool': '#!/bin/sh\n', 'bin/README.md': '# x' });
    const rec = await slimLayer(tools, DEFAULT, { runtimes: ['provided.al2023'], architecture: 'x86_64' });
    expect(rec.verification.note).toBe('import check not run: the layer has neither python/ nor nodejs/node_modules; '
      + 'the import check covers Python and Node layers.');
    expect(rec.rules).toEqual([]);
  });
});

describe('Node layers', () => {
  const NODE_LAYER = {
    'nodejs/node_modules/lib/package.json': '{"name":"lib","version":"1.0.0","main":"index.js"}',
    'nodejs/node_modules/lib/index.js': "module.exports = require('./util');\n",
    'nodejs/node_modules/lib/util.js': 'module.exports = 42;\n',
    'nodejs/node_modules/lib/README.md': '# lib\n',
    'nodejs/node_modules/@scope/esm-only/package.json': '{"name":"@scope/esm-only","version":"1.0.0","exports":{"import":"./index.mjs"}}',
    'nodejs/node_modules/@scope/esm-only/index.mjs': 'export default 1;\n',
  };
  const major = Number(process.versions.node.split('.')[0]);
  const NODE = { runtimes: [`nodejs${major}.x`], architecture: (process.arch === 'arm64' ? 'arm64' : 'x86_64') as 'arm64' | 'x86_64' };

  test('every package is required with the layer on NODE_PATH; one that never loaded is reported, not blamed', async () => {
    const root = makeTempDir('layersmith-test-slim-');
    writeTree(root, NODE_LAYER);
    const rec = await slimLayer(root, DEFAULT, NODE);
    expect(rec.rules).toEqual([{ rule: 'node-docs', files: 1, bytes: Buffer.byteLength(NODE_LAYER['nodejs/node_modules/lib/README.md']) }]);
    expect(rec.verification).toMatchObject({ ran: true, modules: ['lib'], alreadyBroken: ['@scope/esm-only'] });
    expect(rec.verification.interpreter).toBe(`node (${process.versions.node})`);
  });

  test('a remove glob deleting a file a package requires fails the build naming the package and the rule', async () => {
    const root = makeTempDir('layersmith-test-slim-');
    writeTree(root, NODE_LAYER);
    const err = await slimLayer(root, { keep: [], remove: ['**/lib/util.js'], strip: true }, NODE).then(() => undefined, (e) => e);
    expect(err).toMatchObject({ code: 'SLIM_BROKE_IMPORT' });
    expect(err.message).toContain("lib no longer imports (MODULE_NOT_FOUND: Cannot find module './util'");
    expect(err.message).toContain("broken by rule 'remove:**/lib/util.js'");
    expect(err.message).toContain('require() with NODE_PATH=nodejs/node_modules');
  });
});
