import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A temp directory tree the test writes, removed by `cleanup()`. */
export class TempTree {
  public readonly root: string;

  constructor(prefix = 'layersmith-pulumi-') {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  /** Writes files (path relative to the root -> content) and returns the directory they are in. */
  public dir(name: string, files: Record<string, string | Buffer>, modes: Record<string, number> = {}): string {
    const dir = path.join(this.root, name);
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      if (modes[rel] !== undefined) fs.chmodSync(file, modes[rel]);
    }
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  public path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  public cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * The first 20 bytes of a 64-bit little-endian ELF executable for a machine
 * (e_machine 62 = x86-64, 183 = AArch64), padded: enough for the native-binary inspector.
 */
export function elfHeader(machine: 62 | 183): Buffer {
  const b = Buffer.alloc(64);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // 64-bit
  b[5] = 1; // little endian
  b[6] = 1; // ELF version
  b.writeUInt16LE(2, 16); // executable
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20);
  return b;
}
