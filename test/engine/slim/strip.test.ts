import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseElf, sameProgramHeaders, slimLayer, stripHazard, STRIP_DENY_LIST, type ElfLayout } from '../../../lib/engine/slim';
import { findTool } from '../../../lib/engine/tools';
import { cleanupTempDirs, makeTempDir, testWithTools, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

const SPEC = { keep: [], remove: [], strip: true };

/** A shared object with DWARF debug info and a symbol table, built by the real gcc. */
function debugSharedObject(dir: string): string {
  const src = path.join(dir, 'fast.c');
  fs.writeFileSync(src, 'int fast_answer(void) { return 42; }\nstatic int helper(int x) { return x * 2; }\nint twice(int x) { return helper(x); }\n');
  const out = path.join(dir, 'libfast.so');
  execFileSync('gcc', ['-g', '-O0', '-shared', '-fPIC', '-o', out, src]);
  return out;
}

function place(root: string, rel: string, from: string): string {
  const dest = path.join(root, rel);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(from, dest);
  return dest;
}

describe('strip-debug', () => {
  testWithTools('gcc', 'strip', 'python3')('strips a debug build, skips vendored libraries, deny-listed packages and kept files; the stripped file still loads', async () => {
    // GIVEN the same debug .so as a package's own library, an auditwheel-vendored one, one under cv2/ and one kept by glob
    const build = makeTempDir('layersmith-test-slim-gcc-');
    const so = debugSharedObject(build);
    const root = makeTempDir('layersmith-test-slim-');
    writeTree(root, { 'python/pkg/__init__.py': '' });
    const own = place(root, 'python/pkg/libfast.so', so);
    place(root, 'python/pkg.libs/libfast-1a2b3c4d.so', so);
    place(root, 'python/cv2/libfast.so', so);
    place(root, 'python/keepme/libfast.so', so);
    const before = fs.statSync(so).size;

    // WHEN slimmed
    const record = await slimLayer(root, { ...SPEC, keep: ['python/keepme/**'] }, { runtimes: ['python3.11'], architecture: 'x86_64' });

    // THEN only the package's own library is stripped, the bytes saved are recorded, and the others say why not
    const after = fs.statSync(own).size;
    expect(after).toBeLessThan(before);
    expect(record.rules).toEqual([{ rule: 'strip-debug', files: 1, bytes: before - after }]);
    expect(record.stripSkipped).toEqual([
      { path: 'python/cv2/libfast.so', reason: `opencv-python is on the strip deny-list (${STRIP_DENY_LIST[0].source})` },
      { path: 'python/keepme/libfast.so', reason: 'keep: python/keepme/**' },
      { path: 'python/pkg.libs/libfast-1a2b3c4d.so', reason: 'a vendored library (auditwheel *.libs/ or delocate .dylibs/): patched files are never stripped' },
    ]);
    expect(fs.readFileSync(path.join(root, 'python/pkg.libs/libfast-1a2b3c4d.so'))).toEqual(fs.readFileSync(so));
    // the stripped copy has the same program headers and no debug sections, and the dynamic loader still runs it
    const a = parseElf(fs.readFileSync(so))!;
    const b = parseElf(fs.readFileSync(own))!;
    expect(sameProgramHeaders(a, b)).toBe(true);
    expect(a.sections.some((s) => s.name === '.debug_info')).toBe(true);
    expect(b.sections.some((s) => s.name.startsWith('.debug') || s.name === '.symtab')).toBe(false);
    const answer = execFileSync('python3', ['-c', `import ctypes; print(ctypes.CDLL(${JSON.stringify(own)}).twice(21))`], { encoding: 'utf8' });
    expect(answer.trim()).toBe('42');
  });

  testWithTools('gcc', 'strip')('an AArch64 object is skipped with a note when no strip tool on PATH handles it', async () => {
    // GIVEN a debug .so whose e_machine says AArch64, and a PATH holding only binutils strip (x86-64 targets here)
    const build = makeTempDir('layersmith-test-slim-gcc-');
    const bytes = fs.readFileSync(debugSharedObject(build));
    bytes.writeUInt16LE(183, 18);
    const root = makeTempDir('layersmith-test-slim-');
    fs.mkdirSync(path.join(root, 'python/pkg'), { recursive: true });
    fs.writeFileSync(path.join(root, 'python/pkg/libarm.so'), bytes);
    const bin = makeTempDir('layersmith-test-slim-path-');
    fs.symlinkSync(findTool('strip')!, path.join(bin, 'strip'));
    const help = execFileSync('strip', ['--help'], { encoding: 'utf8' });

    // WHEN slimmed for arm64
    const record = await slimLayer(root, SPEC, { runtimes: ['python3.11'], architecture: 'arm64', envPath: bin });

    // THEN the file is untouched and the note names the missing tool (unless this binutils does list AArch64)
    if (/supported targets:.*aarch64/.test(help)) {
      expect(record.rules.map((r) => r.rule)).toEqual(['strip-debug']);
    } else {
      expect(record.stripSkipped).toEqual([{
        path: 'python/pkg/libarm.so',
        reason: 'no strip tool here handles AArch64 objects (binutils strip lists no such target; llvm-strip is not installed)',
      }]);
      expect(fs.readFileSync(path.join(root, 'python/pkg/libarm.so'))).toEqual(bytes);
    }
  });
});

describe('stripHazard: what strip would move', () => {
  const layout = (sections: ElfLayout['sections'], loads: Array<[number, number]>): ElfLayout => ({
    kind: 'ET_DYN',
    machine: 62,
    programHeaders: loads.map(([offset, filesz]) => ({ type: 1, flags: 4, offset, vaddr: offset, filesz, memsz: filesz, align: 4096 })),
    sections,
  });
  const sec = (name: string, type: number, offset: number, size: number, flags = 0) => ({ name, type, flags, offset, size });

  test('symbol tables after the last loaded byte are safe to strip', () => {
    expect(stripHazard(layout([sec('.text', 1, 0x1000, 0x100, 0x6), sec('.symtab', 2, 0x3000, 0x80), sec('.strtab', 3, 0x3080, 0x40)],
      [[0, 0x2000]]))).toBeUndefined();
  });

  test('a PT_LOAD appended after the symbol table (patchelf, auditwheel repair) is a hazard naming the sections', () => {
    const hazard = stripHazard(layout([sec('.symtab', 2, 0x3000, 0x80), sec('.strtab', 3, 0x3080, 0x40), sec('.dynstr', 3, 0x5000, 0x100, 0x2)],
      [[0, 0x2000], [0x5000, 0x100]]));
    expect(hazard).toBe('sections .symtab, .strtab lie before the end of the last loaded segment (offset 20736): a patched file whose program headers strip would move');
  });

  test('a file without loadable segments is not stripped; non-ELF bytes do not parse', () => {
    expect(stripHazard(layout([], []))).toBe('no loadable segments');
    expect(parseElf(Buffer.from('not an elf file at all, just text padding it out past fifty-two bytes'))).toBeUndefined();
  });
});
