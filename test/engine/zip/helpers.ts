import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yauzl from 'yauzl';

export function tempDir(prefix = 'layersmith-zip-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes files: { 'a/b.txt': 'content' }; a value of null makes a directory. */
export function writeTree(root: string, files: Record<string, string | Buffer | null>, mode?: number): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    if (content === null) {
      fs.mkdirSync(p, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content, mode === undefined ? undefined : { mode });
    }
  }
}

export interface YauzlEntry {
  readonly name: string;
  readonly data: Buffer;
  readonly externalAttr: number;
  readonly method: number;
}

/** Reads every entry with yauzl (an independent reader), verifying CRCs as it goes. */
export function readWithYauzl(zipPath: string): Promise<YauzlEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: YauzlEntry[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            const data = Buffer.concat(chunks);
            out.push({ name: entry.fileName, data, externalAttr: entry.externalFileAttributes, method: entry.compressionMethod });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
