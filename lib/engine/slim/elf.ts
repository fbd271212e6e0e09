import * as fs from 'fs';

/** One program header, the fields the loader uses. */
export interface ProgramHeader {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
  readonly align: number;
}

/** One section header (name resolved from .shstrtab). */
export interface SectionHeader {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
}

/** What strip decisions need from an ELF file. */
export interface ElfLayout {
  /** 'ET_DYN' shared objects and PIE, 'ET_EXEC' executables, 'ET_REL' objects, else 'other'. */
  readonly kind: 'ET_DYN' | 'ET_EXEC' | 'ET_REL' | 'other';
  /** e_machine: 62 x86-64, 183 AArch64. */
  readonly machine: number;
  readonly programHeaders: readonly ProgramHeader[];
  readonly sections: readonly SectionHeader[];
}

const PT_LOAD = 1;
const SHF_ALLOC = 0x2;
const SHT_NOBITS = 8;
const SHT_SYMTAB = 2;

/** The ELF layout of a file, or undefined when it is not a well-formed ELF file. */
export function readElfLayout(file: string): ElfLayout | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  return parseElf(buf);
}

/** The ELF layout of bytes, or undefined when they are not a well-formed ELF file. */
export function parseElf(buf: Buffer): ElfLayout | undefined {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7F454C46) return undefined;
  const is64 = buf[4] === 2;
  const little = buf[5] !== 2;
  const u16 = (o: number) => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const word = (o: number) => (is64 ? Number(little ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  try {
    const type = u16(16);
    const machine = u16(18);
    const phoff = word(is64 ? 32 : 28);
    const shoff = word(is64 ? 40 : 32);
    const phentsize = u16(is64 ? 54 : 42);
    const phnum = u16(is64 ? 56 : 44);
    const shentsize = u16(is64 ? 58 : 46);
    const shnum = u16(is64 ? 60 : 48);
    const shstrndx = u16(is64 ? 62 : 50);
    const programHeaders: ProgramHeader[] = [];
    // field offsets inside one program header: ELF64 moves p_flags up front
    const at64 = { flags: 4, offset: 8, vaddr: 16, filesz: 32, memsz: 40, align: 48 };
    const at = is64 ? at64 : { flags: 24, offset: 4, vaddr: 8, filesz: 16, memsz: 20, align: 28 };
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      const flags = u32(o + at.flags);
      const [offset, vaddr, filesz, memsz, align] = [at.offset, at.vaddr, at.filesz, at.memsz, at.align].map((x) => word(o + x));
      programHeaders.push({ type: u32(o), flags, offset, vaddr, filesz, memsz, align });
    }
    const raw: Array<{ nameOff: number; type: number; flags: number; offset: number; size: number }> = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push(is64
        ? { nameOff: u32(o), type: u32(o + 4), flags: word(o + 8), offset: word(o + 24), size: word(o + 32) }
        : { nameOff: u32(o), type: u32(o + 4), flags: u32(o + 8), offset: u32(o + 16), size: u32(o + 20) });
    }
    const strtab = raw[shstrndx];
    const name = (off: number): string => {
      if (!strtab) return '';
      const start = strtab.offset + off;
      const end = buf.indexOf(0, start);
      return buf.subarray(start, end < 0 ? start : end).toString('latin1');
    };
    const sections = raw.map((s) => ({ name: name(s.nameOff), type: s.type, flags: s.flags, offset: s.offset, size: s.size }));
    const kind = type === 3 ? 'ET_DYN' : type === 2 ? 'ET_EXEC' : type === 1 ? 'ET_REL' : 'other';
    return { kind, machine, programHeaders, sections };
  } catch {
    // Offsets past the end of the buffer: a truncated or corrupt file, not ours to strip.
    return undefined;
  }
}

/** Bytes `strip --strip-unneeded` can drop: non-loaded sections that are debug info or symbol tables. */
export function strippableBytes(layout: ElfLayout): number {
  return layout.sections
    .filter((s) => isStrippable(s))
    .reduce((n, s) => n + s.size, 0);
}

function isStrippable(s: SectionHeader): boolean {
  if ((s.flags & SHF_ALLOC) !== 0 || s.type === SHT_NOBITS) return false;
  return s.type === SHT_SYMTAB || s.name === '.strtab' || s.name.startsWith('.debug') || s.name.startsWith('.zdebug');
}

/**
 * Why stripping would be unsafe, or undefined when it is safe: every section strip removes must
 * lie after the file extent of the last loaded segment. patchelf (auditwheel repair) appends
 * new PT_LOAD segments after the symbol tables; strip then rewrites the file and the loader
 * refuses it ("ELF load command address/offset not page-aligned").
 */
export function stripHazard(layout: ElfLayout): string | undefined {
  const loads = layout.programHeaders.filter((p) => p.type === PT_LOAD);
  if (loads.length === 0) return 'no loadable segments';
  const loadedEnd = Math.max(...loads.map((p) => p.offset + p.filesz));
  const inside = layout.sections.filter((s) => isStrippable(s) && s.size > 0 && s.offset < loadedEnd);
  if (inside.length > 0) {
    return `sections ${inside.map((s) => s.name).join(', ')} lie before the end of the last loaded segment `
      + `(offset ${loadedEnd}): a patched file whose program headers strip would move`;
  }
  return undefined;
}

/** True when two layouts have the same program headers, field by field. */
export function sameProgramHeaders(a: ElfLayout, b: ElfLayout): boolean {
  if (a.programHeaders.length !== b.programHeaders.length) return false;
  return a.programHeaders.every((p, i) => {
    const q = b.programHeaders[i];
    return p.type === q.type && p.flags === q.flags && p.offset === q.offset && p.vaddr === q.vaddr
      && p.filesz === q.filesz && p.memsz === q.memsz && p.align === q.align;
  });
}
