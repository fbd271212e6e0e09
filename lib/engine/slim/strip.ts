import { execFileSync } from 'child_process';
import { findTool } from '../tools';

const EM_X86_64 = 62;
const EM_AARCH64 = 183;

/**
 * Packages whose shared objects are never stripped: each has a public report of a stripped copy
 * failing to load on Lambda ("ELF load command address/offset not properly aligned"). The
 * program-header check catches the known cause; the list also holds when a future wheel patches
 * its files in a way the check does not see. Matched as a path segment of the file.
 */
export const STRIP_DENY_LIST: readonly { readonly segment: string; readonly pkg: string; readonly source: string }[] = Object.freeze([
  { segment: 'cv2', pkg: 'opencv-python', source: 'https://github.com/serverless/serverless-python-requirements/pull/326' },
  { segment: 'PIL', pkg: 'Pillow', source: 'https://github.com/serverless/serverless-python-requirements/issues/318' },
  { segment: 'psycopg2', pkg: 'psycopg2-binary', source: 'https://github.com/tobilg/python-lambda-layer-builder/pull/2' },
]);

/** Directories of libraries vendored by auditwheel (`<dist>.libs/`) and delocate (`.dylibs/`): patched, never stripped. */
export function vendoredLibrary(relPath: string): boolean {
  return relPath.split('/').slice(0, -1).some((seg) => seg.endsWith('.libs') || seg === '.dylibs');
}

/** The deny-list entry a path falls under, if any. */
export function deniedPackage(relPath: string): (typeof STRIP_DENY_LIST)[number] | undefined {
  const segs = relPath.split('/').slice(0, -1);
  return STRIP_DENY_LIST.find((d) => segs.includes(d.segment));
}

/** A strip program and the ELF machines it handles. */
export interface StripTool {
  readonly command: string;
  /** e_machine values it can rewrite. */
  readonly machines: ReadonlySet<number>;
}

/**
 * The strip tools on PATH: binutils `strip` handles the targets `strip --help` lists (here
 * usually x86-64 only; a generic 'elf64-little' is not enough to trust it with AArch64), and
 * `llvm-strip` handles both.
 */
export function findStripTools(envPath?: string): StripTool[] {
  const tools: StripTool[] = [];
  const gnu = findTool('strip', envPath);
  if (gnu) {
    const machines = new Set<number>();
    try {
      const help = execFileSync(gnu, ['--help'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
      const targets = /supported targets:(.*)/.exec(help)?.[1] ?? '';
      if (/elf64-x86-64/.test(targets)) machines.add(EM_X86_64);
      if (/aarch64/.test(targets)) machines.add(EM_AARCH64);
    } catch {
      // an unusable strip handles nothing
    }
    if (machines.size > 0) tools.push({ command: gnu, machines });
  }
  const llvm = findTool('llvm-strip', envPath);
  if (llvm) tools.push({ command: llvm, machines: new Set([EM_X86_64, EM_AARCH64]) });
  return tools;
}

/** Human name of an ELF machine for notes. */
export function machineName(machine: number): string {
  return machine === EM_X86_64 ? 'x86-64' : machine === EM_AARCH64 ? 'AArch64' : `e_machine ${machine}`;
}

/** Writes a stripped copy of `input` to `output` (symbol tables and debug sections removed). */
export function stripCopy(tool: StripTool, input: string, output: string): void {
  execFileSync(tool.command, ['--strip-unneeded', '-o', output, input], { timeout: 120_000, stdio: ['ignore', 'ignore', 'pipe'] });
}
