import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { crc64Decimal, sha256Base64 } from '../../../lib/core/checksums';
import { extractZip, inspectZip, ZipErrorCode, ZipInspectionError } from '../../../lib/engine/inspect';
import { packDirectory } from '../../../lib/engine/zip';
import { tempDir, writeTree } from '../zip/helpers';
import { rawZip, RawEntry } from '../zip/raw-zip';

let dir: string;
beforeEach(() => {
  dir = tempDir('layersmith-inspect-');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeZip(name: string, entries: readonly RawEntry[], opts?: { forceZip64?: boolean }): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, rawZip(entries, opts));
  return p;
}

async function rejection(p: Promise<unknown>): Promise<ZipInspectionError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ZipInspectionError);
    return e as ZipInspectionError;
  }
  throw new Error('expected a ZipInspectionError, got success');
}

function elfHeader(machine: number, osabi = 0): Buffer {
  const b = Buffer.alloc(64);
  b.set([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, osabi]);
  b.writeUInt16LE(3, 16);
  b.writeUInt16LE(machine, 18);
  return b;
}

function machoArm64(): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(0xFEEDFACF, 0);
  b.writeUInt32LE(0x0100000C, 4);
  return b;
}

function machoFat(): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0xCAFEBABE, 0);
  b.writeUInt32BE(2, 4);
  b.writeUInt32BE(0x01000007, 8);
  b.writeUInt32BE(0x0100000C, 28);
  return b;
}

function pe(machine: number): Buffer {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3C);
  b.writeUInt32BE(0x50450000, 0x80);
  b.writeUInt16LE(machine, 0x84);
  return b;
}

describe('inspectZip: a layer built by packDirectory', () => {
  test('lists entries, sizes, modes and the checksums of the ZIP file', async () => {
    // GIVEN a small layer with a file, an executable, a symlink and an empty directory
    const root = path.join(dir, 'root');
    writeTree(root, { 'python/mod.py': 'print(1)\n', 'bin/tool': '#!/bin/sh\necho hi\n', 'empty': null });
    fs.chmodSync(path.join(root, 'bin/tool'), 0o700);
    fs.symlinkSync('tool', path.join(root, 'bin/alias'));
    const zip = path.join(dir, 'layer.zip');
    await packDirectory(root, zip, { workers: 1 });

    // WHEN it is inspected
    const m = await inspectZip(zip);

    // THEN the manifest describes exactly what is in it
    const bytes = fs.readFileSync(zip);
    expect(m.zip).toEqual({
      sha256: sha256Base64(bytes),
      crc64: crc64Decimal(bytes),
      zippedSize: bytes.length,
      unzippedSize: 9 + 18 + 4,
      entryCount: 6,
    });
    expect(m.entries.map((e) => [e.path, e.type, e.mode.toString(8), e.size])).toEqual([
      ['bin/', 'directory', '755', 0],
      ['bin/alias', 'symlink', '777', 4],
      ['bin/tool', 'file', '755', 18],
      ['empty/', 'directory', '755', 0],
      ['python/', 'directory', '755', 0],
      ['python/mod.py', 'file', '644', 9],
    ]);
    expect(m.entries[1].linkTarget).toBe('tool');
    expect(m.build).toBeUndefined();
    expect(m.excluded).toEqual([]);
  });
});

describe('inspectZip: native binaries', () => {
  test('identifies ELF, Mach-O (thin and universal) and PE headers, and ignores a Java class', async () => {
    // GIVEN a real x86_64 ELF from this machine and crafted headers for the other formats
    const realElf = fs.readFileSync('/bin/ls');
    const zip = writeZip('natives.zip', [
      { name: 'bin/ls', data: realElf, unixMode: 0o100755 },
      { name: 'lib/libarm.so', data: elfHeader(183, 3) },
      { name: 'lib/lib32.so.1', data: elfHeader(3) },
      { name: 'lib/libarmhf.so', data: elfHeader(40) },
      { name: 'nodejs/node_modules/addon/build/Release/addon.node', data: machoArm64() },
      { name: 'lib/libuniversal.dylib', data: machoFat() },
      { name: 'bin/tool.exe', data: pe(0x8664) },
      { name: 'bin/tool-arm.dll', data: pe(0xAA64), method: 0 },
      { name: 'java/Main.class', data: Buffer.from([0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 61]), unixMode: 0o100755 },
      { name: 'lib/readme.so', data: Buffer.from('not a binary') },
    ]);

    // WHEN it is inspected
    const m = await inspectZip(zip);

    // THEN each binary has the OS and CPU its header says
    expect(m.natives.map((n) => [n.path, n.format, n.os, n.cpu])).toEqual([
      ['bin/ls', 'elf', 'linux', 'x86_64'],
      ['bin/tool-arm.dll', 'pe', 'windows', 'arm64'],
      ['bin/tool.exe', 'pe', 'windows', 'x86_64'],
      ['lib/lib32.so.1', 'elf', 'linux', 'x86'],
      ['lib/libarm.so', 'elf', 'linux', 'arm64'],
      ['lib/libarmhf.so', 'elf', 'linux', 'arm'],
      ['lib/libuniversal.dylib', 'macho', 'darwin', 'arm64'],
      ['lib/libuniversal.dylib', 'macho', 'darwin', 'x86_64'],
      ['nodejs/node_modules/addon/build/Release/addon.node', 'macho', 'darwin', 'arm64'],
    ]);
    expect(m.natives.find((n) => n.path === 'lib/libarm.so')!.detail).toContain('e_machine=183');
  });
});

describe('inspectZip: packages and wheel tags', () => {
  test('reads Python dist-info, WHEEL tags, node_modules package.json, jars, composer and gemspecs', async () => {
    // GIVEN a ZIP holding one package of each ecosystem
    const zip = writeZip('packages.zip', [
      { name: 'python/Foo_Bar-1.2.0.dist-info/' },
      { name: 'python/Foo_Bar-1.2.0.dist-info/METADATA', data: Buffer.from('Metadata-Version: 2.1\nName: Foo-Bar\nVersion: 1.2.0\n') },
      { name: 'python/Foo_Bar-1.2.0.dist-info/WHEEL', data: Buffer.from('Wheel-Version: 1.0\nTag: cp312-cp312-manylinux_2_17_x86_64\nTag: cp312-cp312-manylinux2014_x86_64\n') },
      { name: 'python/six-1.16.0.dist-info/METADATA', data: Buffer.from('Name: six\n') },
      { name: 'nodejs/node_modules/left-pad/package.json', data: Buffer.from('{"name":"left-pad","version":"1.3.0"}') },
      { name: 'nodejs/node_modules/@scope/pkg/package.json', data: Buffer.from('{"name":"@scope/pkg","version":"2.0.0-beta.1"}') },
      { name: 'nodejs/node_modules/left-pad/lib/package.json', data: Buffer.from('{"name":"not-a-package","version":"9"}') },
      { name: 'java/lib/jackson-databind-2.17.1.jar', data: Buffer.from('PK') },
      { name: 'php/vendor/composer/installed.json', data: Buffer.from('{"packages":[{"name":"monolog/monolog","version":"3.5.0"}]}') },
      { name: 'ruby/gems/3.3.0/specifications/nokogiri-1.16.5-x86_64-linux.gemspec', data: Buffer.from('#') },
    ]);

    // WHEN it is inspected
    const m = await inspectZip(zip);

    // THEN every package is found with its version, and nested package.json files are not packages
    expect(m.packages.map((p) => [p.ecosystem, p.name, p.version])).toEqual([
      ['java', 'jackson-databind', '2.17.1'],
      ['node', '@scope/pkg', '2.0.0-beta.1'],
      ['node', 'left-pad', '1.3.0'],
      ['php', 'monolog/monolog', '3.5.0'],
      ['python', 'foo-bar', '1.2.0'],
      ['python', 'six', '1.16.0'],
      ['ruby', 'nokogiri', '1.16.5'],
    ]);
    expect(m.wheelTags).toEqual([{ path: 'python/Foo_Bar-1.2.0.dist-info/WHEEL', tags: ['cp312-cp312-manylinux_2_17_x86_64', 'cp312-cp312-manylinux2014_x86_64'] }]);
  });

  test('reads a zip64 end record', async () => {
    // GIVEN a ZIP whose end record defers to the zip64 record
    const zip = writeZip('z64.zip', [{ name: 'a.txt', data: Buffer.from('a') }, { name: 'b.txt', data: Buffer.from('bb') }], { forceZip64: true });
    // WHEN it is inspected THEN both entries come from the zip64 record
    const m = await inspectZip(zip);
    expect(m.entries.map((e) => e.path)).toEqual(['a.txt', 'b.txt']);
  });
});

describe('inspectZip: rejections', () => {
  const cases: Array<[ZipErrorCode, string, () => string, RegExp]> = [
    ['NOT_A_ZIP', 'a text file', () => { const p = path.join(dir, 'notes.zip'); fs.writeFileSync(p, 'just some text, not a zip at all'); return p; }, /is not a ZIP file/],
    ['NOT_A_ZIP', 'a tiny file', () => { const p = path.join(dir, 'tiny.zip'); fs.writeFileSync(p, 'x'); return p; }, /is not a ZIP file \(1 bytes/],
    ['TRUNCATED', 'a ZIP cut short', () => { const p = path.join(dir, 'cut.zip'); fs.writeFileSync(p, rawZip([{ name: 'a.txt', data: Buffer.alloc(1000, 1) }]).subarray(0, 40)); return p; }, /truncated/],
    ['TRUNCATED', 'a central directory pointing past the file', () => {
      const b = rawZip([{ name: 'a.txt', data: Buffer.from('hello') }]);
      b.writeUInt32LE(b.length * 4, b.length - 6);
      const p = path.join(dir, 'past.zip'); fs.writeFileSync(p, b); return p;
    }, /central directory claims bytes/],
    ['ABSOLUTE_PATH', 'an absolute entry', () => writeZip('abs.zip', [{ name: '/etc/passwd', data: Buffer.from('x') }]), /"\/etc\/passwd" is an absolute path/],
    ['DOT_DOT', 'a parent-directory entry', () => writeZip('dotdot.zip', [{ name: 'python/../../evil.py', data: Buffer.from('x') }]), /"python\/..\/..\/evil.py" has a '..' segment/],
    ['BACKSLASH', 'a backslash entry', () => writeZip('backslash.zip', [{ name: 'python\\mod.py', data: Buffer.from('x') }]), /contains a backslash/],
    ['NUL_BYTE', 'a NUL entry', () => writeZip('nul.zip', [{ name: Buffer.from('a\0b.txt'), data: Buffer.from('x') }]), /contains a NUL byte/],
    ['EMPTY_SEGMENT', 'a ./ entry', () => writeZip('dot.zip', [{ name: './a.txt', data: Buffer.from('x') }]), /empty or '.' path segment/],
    ['DUPLICATE_ENTRY', 'a name twice', () => writeZip('dup.zip', [{ name: 'a.txt', data: Buffer.from('1') }, { name: 'a.txt', data: Buffer.from('2') }]), /holds "a.txt" twice/],
    ['SYMLINK_ESCAPE', 'a link climbing out', () => writeZip('escape.zip', [{ name: 'lib/link', data: Buffer.from('../../etc/passwd'), unixMode: 0o120777, method: 0 }]), /"lib\/link" is a symlink to "..\/..\/etc\/passwd"/],
    ['SYMLINK_ESCAPE', 'an absolute link', () => writeZip('escape-abs.zip', [{ name: 'lib/link', data: Buffer.from('/etc/passwd'), unixMode: 0o120777, method: 0 }]), /symlink to "\/etc\/passwd"/],
    ['ZIP_BOMB_RATIO', 'a highly compressed entry', () => writeZip('ratio.zip', [{ name: 'zeros.bin', data: Buffer.alloc(4 * 1024 * 1024) }]), /ratio \d+\.\d, limit 200/],
    ['ENCRYPTED', 'an encrypted entry', () => writeZip('encrypted.zip', [{ name: 'secret.txt', data: Buffer.from('x'), flags: 1, method: 0 }]), /"secret.txt" is encrypted/],
    ['UNSUPPORTED_METHOD', 'a bzip2 entry', () => writeZip('bzip2.zip', [{ name: 'a.txt', data: Buffer.from('x'), method: 12 }]), /compression method 12/],
  ];
  test.each(cases)('%s: %s', async (code, _what, make, message) => {
    // GIVEN a bad ZIP
    const file = make();
    // WHEN it is inspected THEN it is refused with the code, the file and the entry in the message
    const err = await rejection(inspectZip(file));
    expect(err.code).toBe(code);
    expect(err.file).toBe(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(message);
  });

  test('ZIP_BOMB_TOTAL: declared sizes beyond maxUnzippedBytes', async () => {
    // GIVEN a ZIP that declares 10 MB of content
    const zip = writeZip('total.zip', [{ name: 'a.bin', data: Buffer.alloc(10), uncompressedSize: 10_000_000, method: 0 }]);
    // WHEN it is inspected with a 1 MB bound
    const err = await rejection(inspectZip(zip, { maxUnzippedBytes: 1_000_000, maxRatio: 1e9 }));
    // THEN it is refused with both numbers
    expect(err.code).toBe('ZIP_BOMB_TOTAL');
    expect(err.message).toMatch(/10000000 bytes, more than the limit of 1000000/);
  });

  test('BAD_CRC: found only with verifyCrc, names the entry and both CRCs', async () => {
    // GIVEN a ZIP whose stored CRC is wrong
    const zip = writeZip('badcrc.zip', [{ name: 'python/mod.py', data: Buffer.from('print(1)\n'), crc32: 0x12345678 }]);
    // WHEN it is inspected without and with verifyCrc
    await expect(inspectZip(zip)).resolves.toBeDefined();
    const err = await rejection(inspectZip(zip, { verifyCrc: true }));
    // THEN only the verifying read refuses it
    expect(err.code).toBe('BAD_CRC');
    expect(err.entry).toBe('python/mod.py');
    expect(err.message).toMatch(/CRC-32 is [0-9a-f]{8} but the central directory says 12345678/);
  });

  test('inspection reads only what it needs: a corrupt data stream in a plain file goes unnoticed without verifyCrc', async () => {
    // GIVEN a ZIP whose only file has garbage as deflate data
    const b = rawZip([{ name: 'data.txt', data: Buffer.from('hello hello hello hello') }]);
    const dataStart = 30 + 'data.txt'.length;
    b.fill(0xFF, dataStart, dataStart + 4);
    const zip = path.join(dir, 'garbage.zip');
    fs.writeFileSync(zip, b);
    // WHEN inspected without verification THEN the entry is listed (its data was never inflated)
    const m = await inspectZip(zip);
    expect(m.entries.map((e) => e.path)).toEqual(['data.txt']);
    // AND a verifying read refuses it
    expect((await rejection(inspectZip(zip, { verifyCrc: true }))).code).toBe('BAD_CRC');
  });
});

describe('extractZip', () => {
  test('extracts files, modes, directories and symlinks', async () => {
    // GIVEN a ZIP with an executable, a symlink and an empty directory
    const zip = writeZip('ok.zip', [
      { name: 'bin/' },
      { name: 'bin/tool', data: Buffer.from('#!/bin/sh\n'), unixMode: 0o100755 },
      { name: 'bin/alias', data: Buffer.from('tool'), unixMode: 0o120777, method: 0 },
      { name: 'empty/' },
      { name: 'python/mod.py', data: Buffer.from('x = 1\n'.repeat(100)) },
    ]);
    const dest = path.join(dir, 'out');
    // WHEN it is extracted
    await extractZip(zip, dest);
    // THEN the tree is there with modes and the link
    expect(fs.readFileSync(path.join(dest, 'python/mod.py'), 'utf8')).toBe('x = 1\n'.repeat(100));
    expect(fs.statSync(path.join(dest, 'bin/tool')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(dest, 'python/mod.py')).mode & 0o777).toBe(0o644);
    expect(fs.readlinkSync(path.join(dest, 'bin/alias'))).toBe('tool');
    expect(fs.statSync(path.join(dest, 'empty')).isDirectory()).toBe(true);
  });

  test('a bad CRC leaves nothing behind', async () => {
    // GIVEN a ZIP whose second file has a wrong CRC
    const zip = writeZip('bad.zip', [{ name: 'a.txt', data: Buffer.from('a') }, { name: 'b.txt', data: Buffer.from('b'), crc32: 1 }]);
    const dest = path.join(dir, 'out');
    // WHEN it is extracted THEN it fails and neither the destination nor a temp dir remains
    expect((await rejection(extractZip(zip, dest))).code).toBe('BAD_CRC');
    expect(fs.readdirSync(dir)).toEqual(['bad.zip']);
  });

  test('an entry inflating past its declared size is refused', async () => {
    // GIVEN a ZIP that declares 10 bytes for 10,000 bytes of content
    const zip = writeZip('liar.zip', [{ name: 'a.txt', data: Buffer.alloc(10_000, 0x61), uncompressedSize: 10 }]);
    // WHEN it is extracted THEN it is refused as corrupt
    const err = await rejection(extractZip(zip, path.join(dir, 'out'), { maxRatio: 1e9 }));
    expect(err.code).toBe('BAD_CRC');
    expect(err.entry).toBe('a.txt');
  });

  test('refuses a destination that is not empty', async () => {
    // GIVEN a destination holding a file
    const zip = writeZip('ok.zip', [{ name: 'a.txt', data: Buffer.from('a') }]);
    const dest = path.join(dir, 'out');
    writeTree(dest, { 'keep.txt': 'mine' });
    // WHEN extracting into it THEN it is refused and the file is untouched
    const err = await rejection(extractZip(zip, dest));
    expect(err.code).toBe('DESTINATION_NOT_EMPTY');
    expect(fs.readFileSync(path.join(dest, 'keep.txt'), 'utf8')).toBe('mine');
  });

  test('a rejected ZIP (escaping symlink) writes nothing', async () => {
    // GIVEN a ZIP with a symlink out of the root
    const zip = writeZip('escape.zip', [{ name: 'a.txt', data: Buffer.from('a') }, { name: 'link', data: Buffer.from('../x'), unixMode: 0o120777, method: 0 }]);
    // WHEN extracted THEN refused before anything is written
    expect((await rejection(extractZip(zip, path.join(dir, 'out')))).code).toBe('SYMLINK_ESCAPE');
    expect(fs.readdirSync(dir)).toEqual(['escape.zip']);
  });

  test('round trip: extract then pack gives the packed bytes again', async () => {
    // GIVEN a packed layer
    const root = path.join(dir, 'root');
    writeTree(root, { 'nodejs/node_modules/x/index.js': 'module.exports = 1;\n', 'bin/run': '#!/bin/sh\n' });
    fs.chmodSync(path.join(root, 'bin/run'), 0o755);
    const first = path.join(dir, 'first.zip');
    await packDirectory(root, first, { workers: 1 });
    // WHEN it is extracted and packed again
    await extractZip(first, path.join(dir, 'x'));
    const second = path.join(dir, 'second.zip');
    await packDirectory(path.join(dir, 'x'), second, { workers: 2 });
    // THEN the bytes are identical
    expect(fs.readFileSync(second).equals(fs.readFileSync(first))).toBe(true);
    expect(zlib.crc32(fs.readFileSync(second))).toBe(zlib.crc32(fs.readFileSync(first)));
  });
});
