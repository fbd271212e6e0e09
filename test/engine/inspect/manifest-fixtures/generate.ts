/*
 * Writes the fixtures of manifest-fixtures.test.ts. Run from the repository root:
 *
 *   npx ts-node --transpile-only test/engine/inspect/manifest-fixtures/generate.ts zips
 *   npx ts-node --transpile-only test/engine/inspect/manifest-fixtures/generate.ts manifests
 *
 * `zips` writes the ZIPs (Info-ZIP zip, gcc and python3 on PATH): once; they are committed as
 * they came out, so the test does not depend on the tool versions of the machine it runs on.
 * `manifests` writes <name>.manifest.json, inspectZip's answer for each ZIP, with the code of
 * the working tree. The committed JSON came from main at cd0b903, before inspectZip was made
 * faster: the test pins that the faster code answers exactly the same.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspectZip } from '../../../../lib/engine/inspect';
import { packDirectory } from '../../../../lib/engine/zip';
import { writeZip } from '../../../helpers';
import { rawZip } from '../../../helpers/raw-zip';

const HERE = __dirname;

function put(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
  fs.chmodSync(abs, mode);
}

/** A small ELF shared object needing GLIBC_2.25 (getrandom), compiled here. */
function elfSo(tmp: string): Buffer {
  fs.writeFileSync(path.join(tmp, 'r.c'), '#include <sys/random.h>\nint f(void){char b[4]; return (int)getrandom(b, 4, 0);}\n');
  execFileSync('gcc', ['-shared', '-fPIC', '-s', '-o', path.join(tmp, 'r.so'), path.join(tmp, 'r.c')]);
  return fs.readFileSync(path.join(tmp, 'r.so'));
}

function machoArm64(): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(0xFEEDFACF, 0);
  b.writeUInt32LE(0x0100000C, 4);
  return b;
}

function peAmd64(): Buffer {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3C);
  b.writeUInt32BE(0x50450000, 0x80);
  b.writeUInt16LE(0x8664, 0x84);
  return b;
}

/** A layer touching every kind of package inspectZip knows, plus names that sort differently in UTF-16 and UTF-8. */
function mixedTree(root: string, so: Buffer): void {
  const nm = 'nodejs/node_modules';
  for (let p = 0; p < 12; p++) {
    put(root, `${nm}/pkg-${p}/package.json`, JSON.stringify({ name: `pkg-${p}`, version: `1.${p}.0` }));
    put(root, `${nm}/pkg-${p}/index.js`, `module.exports = ${p};\n`);
    put(root, `${nm}/pkg-${p}/lib/util.js`, `// util ${p}\n`.repeat(p + 1));
    put(root, `${nm}/pkg-${p}/lib/package.json`, '{"type":"commonjs"}');
  }
  put(root, `${nm}/@scope/thing/package.json`, JSON.stringify({ name: '@scope/thing', version: '2.0.0-beta.1' }));
  put(root, `${nm}/@scope/thing/dist/index.mjs`, 'export default 1;\n');
  put(root, `${nm}/pkg-3/node_modules/inner/package.json`, JSON.stringify({ name: 'inner', version: '0.0.1' }));
  put(root, `${nm}/pkg-3/node_modules/inner/inner.js`, 'module.exports = 0;\n');
  put(root, `${nm}/broken/package.json`, '{ not json');
  put(root, `${nm}/broken/index.js`, '');
  put(root, `${nm}/noversion/package.json`, JSON.stringify({ name: 'noversion' }));
  put(root, `${nm}/addon/package.json`, JSON.stringify({ name: 'addon', version: '3.1.4' }));
  put(root, `${nm}/addon/build/Release/addon.node`, so);
  put(root, `${nm}/addon/bin/cli`, '#!/bin/sh\necho hi\n', 0o755);
  put(root, `${nm}/addon/bin/tool.js`, '#!/usr/bin/env node\n', 0o755);
  put(root, 'nodejs/bin/native-tool', so, 0o755);
  put(root, 'nodejs/empty.txt', '');

  const site = 'python/lib/python3.11/site-packages';
  put(root, `${site}/greeter/__init__.py`, 'X = 1\n');
  put(root, `${site}/greeter/_speed.cpython-311-x86_64-linux-gnu.so`, so);
  put(root, `${site}/greeter-1.0.0.dist-info/METADATA`, 'Metadata-Version: 2.1\nName: greeter\nVersion: 1.0.0\n');
  put(root, `${site}/greeter-1.0.0.dist-info/WHEEL`, 'Wheel-Version: 1.0\nTag: cp311-cp311-manylinux_2_28_x86_64\nTag: cp311-cp311-linux_x86_64\n');
  put(root, `${site}/greeter-1.0.0.dist-info/RECORD`, [
    'greeter/__init__.py,sha256=x,6', 'greeter/_speed.cpython-311-x86_64-linux-gnu.so,,', '"greeter/odd,name.txt",,',
    '../../../bin/greet,,', 'greeter-1.0.0.dist-info/METADATA,,', 'greeter-1.0.0.dist-info/RECORD,,', '',
  ].join('\n'));
  put(root, `${site}/greeter/odd,name.txt`, 'comma\n');
  put(root, 'python/bin/greet', '#!/usr/bin/python3\nimport greeter\n', 0o755);
  put(root, `${site}/Old_Lib-0.9.dist-info/METADATA`, 'Name: Old_Lib\n');
  put(root, `${site}/Old_Lib-0.9.dist-info/top_level.txt`, 'oldlib\n\nold_helper\n');
  put(root, `${site}/oldlib/core.py`, 'pass\n');
  put(root, `${site}/old_helper.py`, 'pass\n');
  put(root, `${site}/old_helper.cpython-311.pyc`, Buffer.from([0x6f, 0x0d, 0x0d, 0x0a]));
  put(root, `${site}/stray.py`, 'pass\n');

  put(root, 'java/lib/commons-lang3-3.14.0.jar', 'PK fake jar');
  put(root, 'java/lib/noversion.jar', 'PK');
  const gems = 'ruby/gems/3.2.0';
  put(root, `${gems}/specifications/rack-3.0.8.gemspec`, 'Gem::Specification.new');
  put(root, `${gems}/gems/rack-3.0.8/lib/rack.rb`, 'module Rack; end\n');
  put(root, `${gems}/cache/rack-3.0.8.gem`, 'gem');
  put(root, `${gems}/specifications/nokogiri-1.15.0-x86_64-linux.gemspec`, 'Gem::Specification.new');
  put(root, `${gems}/gems/nokogiri-1.15.0-x86_64-linux/lib/nokogiri.rb`, 'module Nokogiri; end\n');
  put(root, `${gems}/extensions/x86_64-linux/3.2.0/nokogiri-1.15.0-x86_64-linux/nokogiri.so`, so);
  put(root, 'php/vendor/composer/installed.json', JSON.stringify({
    packages: [
      { 'name': 'monolog/monolog', 'version': '3.5.0', 'install-path': '../monolog/monolog' },
      { name: 'psr/log', version: '3.0.0' },
    ],
  }));
  put(root, 'php/vendor/monolog/monolog/src/Logger.php', '<?php\n');
  put(root, 'php/vendor/psr/log/src/LoggerInterface.php', '<?php\n');
  put(root, 'php/vendor/autoload.php', '<?php\n');

  put(root, 'native/libthing.dylib', machoArm64());
  put(root, 'native/thing.exe', peAmd64());
  for (const name of ['b.txt', '\u{1F600}.txt', 'a.txt', '\uFFFD.txt', '\u00E9t\u00E9.txt', '\u4E2D\u6587.txt', 'Z.txt', 'a-b.txt', 'a.b.txt', 'a_b.txt']) {
    put(root, `names/${name}`, `${name}\n`);
  }
  fs.mkdirSync(path.join(root, 'empty-dir'), { recursive: true });
  fs.symlinkSync('../nodejs/node_modules/pkg-1/index.js', path.join(root, 'names/link-to-pkg1'));
  fs.symlinkSync('a.txt', path.join(root, 'names/link-a'));
}

/** node_modules like the bench's, smaller: 60 packages of 20 entries. */
function benchLikeTree(root: string): void {
  const nm = path.join(root, 'nodejs', 'node_modules');
  for (let p = 0; p < 60; p++) {
    const dir = path.join(nm, `pkg-${p}`);
    fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `pkg-${p}`, version: `1.${p}.0`, main: 'index.js' }));
    fs.writeFileSync(path.join(dir, 'index.js'), 'module.exports = require(\'./lib/f0\');\n');
    for (let f = 0; f < 16; f++) fs.writeFileSync(path.join(dir, 'lib', `f${f}.js`), `// file ${f} of pkg-${p}\nmodule.exports = ${f * 40};\n`.repeat(4));
  }
}

function zipWithInfoZip(tree: string, out: string, args: string[]): void {
  fs.rmSync(out, { force: true });
  execFileSync('zip', ['-q', '-r', ...args, out, '.'], { cwd: tree });
}

/** Python's zipfile: MS-DOS host entries (no Unix mode), a directory known only by its DOS attribute, stored and deflated. */
function zipWithPython(out: string): void {
  const script = `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w')
def add(name, data, system, attr, method=zipfile.ZIP_DEFLATED):
    i = zipfile.ZipInfo(name, (2021, 6, 1, 12, 0, 0))
    i.create_system = system
    i.external_attr = attr
    i.compress_type = method
    z.writestr(i, data)
add('python/zzz.py', b'print(1)\\n' * 20, 0, 0x20)
add('python/dosdir', b'', 0, 0x10, zipfile.ZIP_STORED)
add('python/aaa.py', b'x = 1\\n', 3, (0o100755 << 16))
add('python/nomode.txt', b'no mode bits', 3, 0)
add('python/tiny-1.0.dist-info/METADATA', b'Name: tiny\\n', 3, (0o100644 << 16))
add('python/tiny-1.0.dist-info/WHEEL', b'Tag: py3-none-any\\n', 3, (0o100644 << 16))
add('python/tiny-1.0.dist-info/RECORD', b'tiny.py,,\\ntiny-1.0.dist-info/METADATA,,\\n', 3, (0o100644 << 16), zipfile.ZIP_STORED)
add('python/tiny.py', b'', 3, (0o100644 << 16))
add('python/\\u00fcber.py', b'# umlaut\\n', 3, (0o100644 << 16))
add('python/link', b'aaa.py', 3, (0o120777 << 16), zipfile.ZIP_STORED)
z.close()
`;
  execFileSync('python3', ['-c', script, out]);
}

async function writeZips(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-test-fixtures-'));
  try {
    const so = elfSo(tmp);
    const mixed = path.join(tmp, 'mixed');
    mixedTree(mixed, so);
    // Info-ZIP in readdir order: with its extra fields, without them (-X), and without directory entries (-D).
    zipWithInfoZip(mixed, path.join(HERE, 'infozip-mixed.zip'), ['-y']);
    zipWithInfoZip(mixed, path.join(HERE, 'infozip-mixed-nodirs.zip'), ['-y', '-X', '-D']);
    const bench = path.join(tmp, 'bench');
    benchLikeTree(bench);
    zipWithInfoZip(bench, path.join(HERE, 'infozip-node-modules.zip'), ['-X']);
    // packDirectory refuses symlinks leaving the tree only; it follows none of these out.
    await packDirectory(mixed, path.join(HERE, 'packed-mixed.zip'), { workers: 1 });
    await packDirectory(bench, path.join(HERE, 'packed-node-modules.zip'), { workers: 1 });
    zipWithPython(path.join(HERE, 'python-zipfile.zip'));
    // archiver, entries in the order given (shuffled), no directory entries.
    const files: Record<string, string> = {};
    const modes: Record<string, number> = {};
    for (const i of [7, 3, 11, 0, 5, 9, 1, 10, 2, 8, 4, 6]) {
      files[`nodejs/node_modules/m${i}/package.json`] = JSON.stringify({ name: `m${i}`, version: `0.${i}.0` });
      files[`nodejs/node_modules/m${i}/index.js`] = `module.exports = ${i};\n`;
      modes[`nodejs/node_modules/m${i}/index.js`] = 0o755;
    }
    await writeZip(path.join(HERE, 'archiver-shuffled.zip'), files, modes);
    // The raw builder: zip64 end records and a zip64 size field, unsorted, stored and deflated, mode 0.
    fs.writeFileSync(path.join(HERE, 'raw-zip64.zip'), rawZip([
      { name: 'python/', unixMode: 0o040755 },
      { name: 'python/z.py', data: 'z = 1\n'.repeat(10) },
      { name: 'python/big.bin', data: 'x', uncompressedSize: 0xFFFFFFFF, zip64Size: 1 },
      { name: 'python/a.py', data: 'a', method: 0, unixMode: 0 },
      { name: 'python/A.py', data: 'A', unixMode: 0o100600 },
      { name: 'python/sub/', unixMode: 0 },
    ], { forceZip64: true }));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export const FIXTURES = [
  'infozip-mixed', 'infozip-mixed-nodirs', 'infozip-node-modules', 'packed-mixed', 'packed-node-modules',
  'python-zipfile', 'archiver-shuffled', 'raw-zip64',
];

async function writeManifests(): Promise<void> {
  for (const name of FIXTURES) {
    const m = await inspectZip(path.join(HERE, `${name}.zip`));
    fs.writeFileSync(path.join(HERE, `${name}.manifest.json`), `${JSON.stringify(m, null, 1)}\n`);
  }
}

if (require.main === module) {
  const what = process.argv[2];
  (what === 'zips' ? writeZips() : what === 'manifests' ? writeManifests() : Promise.reject(new Error('say zips or manifests')))
    .catch((e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    });
}
