import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/** Temp directories made by a test file; removed by `cleanupTempDirs()` in afterAll. */
const made: string[] = [];

export function tempDir(prefix = 'ls-awscdk-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A file in a tree written by `writeTree`: text, bytes, or either with a mode. */
export type TreeFile = string | Buffer | { content: string | Buffer; mode: number };

/** Write files (relative path -> content) under a new temp dir and return the dir. */
export function writeTree(files: Record<string, TreeFile>, dir = tempDir('ls-layer-')): string {
  for (const [rel, file] of Object.entries(files)) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    const content = typeof file === 'string' || Buffer.isBuffer(file) ? file : file.content;
    fs.writeFileSync(full, content);
    fs.chmodSync(full, typeof file === 'object' && !Buffer.isBuffer(file) ? file.mode : 0o644);
  }
  return dir;
}

/**
 * The first 64 bytes of a little-endian ELF64 executable for a CPU: enough for any reader of the
 * header (e_machine 62 = x86_64, 183 = AArch64).
 */
export function elfHeader(cpu: 'x86_64' | 'arm64'): Buffer {
  const b = Buffer.alloc(64);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // ELFCLASS64
  b[5] = 1; // little endian
  b[6] = 1; // EV_CURRENT
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(cpu === 'x86_64' ? 62 : 183, 18);
  b.writeUInt32LE(1, 20);
  return b;
}

/** An app writing into its own temp outdir, with optional context (feature flags, bundling-stacks). */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({ outdir: tempDir('ls-cdkout-'), context });
}

/** Every file under a directory, relative, sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}
