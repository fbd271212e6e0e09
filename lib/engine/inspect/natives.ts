import type { BinaryCpu, BinaryOs, NativeBinary } from '../../core/model';

/** Bytes of an entry's head needed to identify ELF, Mach-O and PE binaries. */
export const NATIVE_HEAD_BYTES = 4096;

const ELF_MACHINES: Record<number, [BinaryCpu, string]> = {
  62: ['x86_64', 'x86-64'],
  183: ['arm64', 'AArch64'],
  3: ['x86', 'Intel 80386'],
  40: ['arm', 'ARM'],
};

const ELF_OSABI: Record<number, [BinaryOs, string]> = {
  0: ['linux', 'SYSV'],
  3: ['linux', 'GNU/Linux'],
};

const MACHO_CPUS: Record<number, [BinaryCpu, string]> = {
  0x01000007: ['x86_64', 'x86_64'],
  0x0100000C: ['arm64', 'arm64'],
  0x0200000C: ['arm64', 'arm64_32'],
  7: ['x86', 'i386'],
  12: ['arm', 'arm'],
};

const PE_MACHINES: Record<number, [BinaryCpu, string]> = {
  0x8664: ['x86_64', 'AMD64'],
  0xAA64: ['arm64', 'ARM64'],
  0x014C: ['x86', 'i386'],
  0x01C0: ['arm', 'ARM'],
  0x01C4: ['arm', 'ARMv7 Thumb'],
};

/**
 * Identifies a native binary from its first bytes: ELF (e_machine, EI_OSABI), Mach-O (thin
 * 32/64-bit either byte order, and universal/fat files: one record per architecture) and PE
 * (COFF Machine field). Returns [] for anything else.
 */
export function detectNative(path: string, head: Buffer): NativeBinary[] {
  if (head.length < 4) return [];
  if (head[0] === 0x7F && head[1] === 0x45 && head[2] === 0x4C && head[3] === 0x46) {
    return detectElf(path, head);
  }
  const be = head.readUInt32BE(0);
  if (be === 0xFEEDFACE || be === 0xFEEDFACF || be === 0xCEFAEDFE || be === 0xCFFAEDFE) {
    if (head.length < 8) return [];
    const little = be === 0xCEFAEDFE || be === 0xCFFAEDFE;
    const cpuType = little ? head.readUInt32LE(4) : head.readUInt32BE(4);
    const bits = be === 0xFEEDFACF || be === 0xCFFAEDFE ? 64 : 32;
    const [cpu, label] = MACHO_CPUS[cpuType] ?? ['other', `cputype=0x${cpuType.toString(16)}`];
    return [{ path, format: 'macho', os: 'darwin', cpu, detail: `Mach-O ${bits}-bit ${label}` }];
  }
  if (be === 0xCAFEBABE || be === 0xCAFEBABF) {
    // 0xCAFEBABE is also a Java class file; there the next word is the class version (>= 45),
    // in a universal binary it is the architecture count (a handful).
    if (head.length < 8) return [];
    const count = head.readUInt32BE(4);
    if (count === 0 || count > 20) return [];
    const entrySize = be === 0xCAFEBABF ? 32 : 20;
    const out: NativeBinary[] = [];
    for (let i = 0; i < count && 8 + (i + 1) * entrySize <= head.length; i++) {
      const cpuType = head.readUInt32BE(8 + i * entrySize);
      const [cpu, label] = MACHO_CPUS[cpuType] ?? ['other', `cputype=0x${cpuType.toString(16)}`];
      out.push({ path, format: 'macho', os: 'darwin', cpu, detail: `Mach-O universal (${count} architectures): ${label}` });
    }
    return out;
  }
  if (head[0] === 0x4D && head[1] === 0x5A && head.length >= 0x40) {
    const peOffset = head.readUInt32LE(0x3C);
    if (peOffset + 6 <= head.length && head.readUInt32BE(peOffset) === 0x50450000) {
      const machine = head.readUInt16LE(peOffset + 4);
      const [cpu, label] = PE_MACHINES[machine] ?? ['other', `Machine=0x${machine.toString(16)}`];
      return [{ path, format: 'pe', os: 'windows', cpu, detail: `PE ${label}` }];
    }
  }
  return [];
}

function detectElf(path: string, head: Buffer): NativeBinary[] {
  if (head.length < 20) return [];
  const bits = head[4] === 2 ? 64 : 32;
  const little = head[5] !== 2;
  const osabi = head[7];
  const machine = little ? head.readUInt16LE(18) : head.readUInt16BE(18);
  const [cpu, label] = ELF_MACHINES[machine] ?? ['other', 'unknown'];
  const [os, abiLabel] = ELF_OSABI[osabi] ?? ['unknown', `OSABI=${osabi}`];
  return [{ path, format: 'elf', os, cpu, detail: `ELF ${bits}-bit e_machine=${machine} (${label}) ${abiLabel}` }];
}

/** ELF section type SHT_GNU_verneed: the versions of symbols a file needs from its libraries. */
const SHT_GNU_VERNEED = 0x6ffffffe;

/**
 * The highest GLIBC_X.Y symbol version an ELF file needs, read from its `.gnu.version_r`
 * section (SHT_GNU_verneed) without executing anything: '2.34' for a file needing
 * GLIBC_2.34, undefined when it needs none (not dynamically linked against glibc, stripped of
 * section headers, or not ELF). Malformed input gives undefined, never an exception.
 */
export function elfGlibcRequirement(elf: Buffer): string | undefined {
  let best: [number, number] | undefined;
  for (const v of elfVersionNeeds(elf)) {
    const m = /^GLIBC_(\d+)\.(\d+)(?:\.\d+)?$/.exec(v);
    if (!m) continue;
    const ver: [number, number] = [Number(m[1]), Number(m[2])];
    if (!best || ver[0] > best[0] || (ver[0] === best[0] && ver[1] > best[1])) best = ver;
  }
  return best ? `${best[0]}.${best[1]}` : undefined;
}

/** Every version name (GLIBC_2.17, GCC_3.0, ...) in an ELF file's verneed sections. */
export function elfVersionNeeds(elf: Buffer): string[] {
  if (elf.length < 52 || elf.readUInt32BE(0) !== 0x7F454C46) return [];
  const is64 = elf[4] === 2;
  const little = elf[5] !== 2;
  const u16 = (o: number): number => little ? elf.readUInt16LE(o) : elf.readUInt16BE(o);
  const u32 = (o: number): number => little ? elf.readUInt32LE(o) : elf.readUInt32BE(o);
  const word = (o: number): number => is64 ? Number(little ? elf.readBigUInt64LE(o) : elf.readBigUInt64BE(o)) : u32(o);
  const inside = (o: number, n: number): boolean => Number.isSafeInteger(o) && o >= 0 && n >= 0 && o + n <= elf.length;
  if (is64 && elf.length < 64) return [];
  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3A : 0x2E);
  const shnum = u16(is64 ? 0x3C : 0x30);
  if (shoff === 0 || shnum === 0 || shentsize < (is64 ? 64 : 40) || !inside(shoff, shnum * shentsize)) return [];
  const section = (i: number): { type: number; offset: number; size: number; link: number; info: number } => {
    const b = shoff + i * shentsize;
    return is64
      ? { type: u32(b + 4), offset: word(b + 0x18), size: word(b + 0x20), link: u32(b + 0x28), info: u32(b + 0x2C) }
      : { type: u32(b + 4), offset: u32(b + 0x10), size: u32(b + 0x14), link: u32(b + 0x18), info: u32(b + 0x1C) };
  };
  const names: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const vn = section(i);
    if (vn.type !== SHT_GNU_VERNEED || vn.link >= shnum || !inside(vn.offset, vn.size)) continue;
    const strtab = section(vn.link);
    if (!inside(strtab.offset, strtab.size)) continue;
    const str = (o: number): string | undefined => {
      if (o >= strtab.size) return undefined;
      const start = strtab.offset + o;
      const end = elf.indexOf(0, start);
      return end < 0 || end > strtab.offset + strtab.size ? undefined : elf.toString('latin1', start, end);
    };
    // Elf_Verneed {vn_version, vn_cnt: u16; vn_file, vn_aux, vn_next: u32}, each pointing at
    // vn_cnt Elf_Vernaux {vna_hash: u32; vna_flags, vna_other: u16; vna_name, vna_next: u32}.
    let at = vn.offset;
    const end = vn.offset + vn.size;
    for (let n = 0; n < Math.max(vn.info, 1) && at + 16 <= end; n++) {
      const cnt = u16(at + 2);
      let aux = at + u32(at + 8);
      for (let k = 0; k < cnt && aux >= vn.offset && aux + 16 <= end; k++) {
        const name = str(u32(aux + 8));
        if (name) names.push(name);
        const next = u32(aux + 12);
        if (next === 0) break;
        aux += next;
      }
      const next = u32(at + 12);
      if (next === 0) break;
      at += next;
    }
  }
  return names;
}

/** Whether an entry is worth reading for a native header (by name or execute bit). */
export function isNativeCandidate(path: string, mode: number): boolean {
  // The patterns hold no '/', so they test the whole path as they would its base name. They run
  // only when the last character could end a match (lower-cased: o e b l d, a digit or '.'):
  // this runs for every entry, and a regex test allocates.
  const last = path.charCodeAt(path.length - 1) | 0x20;
  if ((last === 0x6F || last === 0x65 || last === 0x62 || last === 0x6C || last === 0x64 || (last >= 0x30 && last <= 0x39) || last === 0x2E)
    && (/\.(so|node|dylib|dll|exe|pyd|bundle|o)$/i.test(path) || /\.so\.[0-9.]+$/.test(path))) {
    return true;
  }
  // Executables without a script extension (bin/*, bootstrap) are often native.
  return (mode & 0o111) !== 0 && !/\.(js|cjs|mjs|ts|py|sh|rb|php|pl|json|md|txt)$/i.test(path);
}
