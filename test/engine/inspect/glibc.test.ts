import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { inspectZip } from '../../../lib/engine/inspect';
import { elfGlibcRequirement, elfVersionNeeds } from '../../../lib/engine/inspect/natives';
import { packDirectory } from '../../../lib/engine/zip';
import { cleanupTempDirs, makeTempDir, testWithTools } from '../../helpers';
import { downloadWheel, extractFromWheel } from '../python/fixtures';

const RUST = 'cryptography/hazmat/bindings/_rust.abi3.so';
let dir: string;
let rustSo: string;

beforeAll(() => {
  dir = makeTempDir();
  // A real wheel from pip's configured index: cryptography's abi3 manylinux_2_34 build.
  const wheel = downloadWheel('cryptography==50.0.2', path.join(dir, 'wheels'));
  rustSo = extractFromWheel(wheel, RUST, path.join(dir, 'layer', 'python', RUST));
});
afterAll(cleanupTempDirs);

test('the real cryptography _rust.abi3.so needs GLIBC_2.34, read from .gnu.version_r', () => {
  const elf = fs.readFileSync(rustSo);
  expect(elfVersionNeeds(elf)).toEqual(expect.arrayContaining(['GLIBC_2.2.5', 'GLIBC_2.34', 'GCC_3.0']));
  expect(elfGlibcRequirement(elf)).toBe('2.34');
});

testWithTools('gcc')('a .so compiled here that calls getrandom needs GLIBC_2.25, one without libc calls needs none', () => {
  // GIVEN getrandom(2), versioned GLIBC_2.25 in glibc, and a function calling nothing
  fs.writeFileSync(path.join(dir, 'r.c'), '#include <sys/random.h>\nint f(void){char b[4]; return (int)getrandom(b, 4, 0);}\n');
  fs.writeFileSync(path.join(dir, 'n.c'), 'int g(int x){return x + 1;}\n');
  execFileSync('gcc', ['-shared', '-fPIC', '-o', path.join(dir, 'r.so'), path.join(dir, 'r.c')]);
  execFileSync('gcc', ['-shared', '-fPIC', '-nostdlib', '-o', path.join(dir, 'n.so'), path.join(dir, 'n.c')]);
  // THEN
  expect(elfGlibcRequirement(fs.readFileSync(path.join(dir, 'r.so')))).toBe('2.25');
  expect(elfGlibcRequirement(fs.readFileSync(path.join(dir, 'n.so')))).toBeUndefined();
});

test('malformed or non-ELF input gives no requirement and no exception', () => {
  const elf = fs.readFileSync(rustSo);
  expect(elfGlibcRequirement(Buffer.from('not an elf at all, just text'))).toBeUndefined();
  expect(elfGlibcRequirement(elf.subarray(0, 4096))).toBeUndefined();
  const broken = Buffer.from(elf);
  broken.writeBigUInt64LE(BigInt(elf.length * 2), 0x28);
  expect(elfGlibcRequirement(broken)).toBeUndefined();
});

test('inspectZip records each binary\'s GLIBC and the highest of the layer', async () => {
  // GIVEN a layer directory with the real .so
  const zip = path.join(dir, 'layer.zip');
  await packDirectory(path.join(dir, 'layer'), zip);
  // WHEN
  const m = await inspectZip(zip);
  // THEN
  expect(m.natives).toEqual([expect.objectContaining({ path: `python/${RUST}`, format: 'elf', cpu: 'x86_64', glibc: '2.34' })]);
  expect(m.glibc).toBe('2.34');
});
