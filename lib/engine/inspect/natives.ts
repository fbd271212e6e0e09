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

/** Whether an entry is worth reading for a native header (by name or execute bit). */
export function isNativeCandidate(path: string, mode: number): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (/\.(so|node|dylib|dll|exe|pyd|bundle|o)$/i.test(base) || /\.so\.[0-9.]+$/.test(base)) return true;
  // Executables without a script extension (bin/*, bootstrap) are often native.
  return (mode & 0o111) !== 0 && !/\.(js|cjs|mjs|ts|py|sh|rb|php|pl|json|md|txt)$/i.test(base);
}
