import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as yauzl from 'yauzl';

/**
 * Unzipped size of a function's own code when it can be read locally: a FileArchive of a
 * directory (sum of file sizes) or of a .zip/.jar file, or FC inline `zipFile` base64. Undefined
 * when the code lives elsewhere (S3, OSS, an image); the size rule then counts layers only.
 */
export async function localCodeSize(code: unknown): Promise<number | undefined> {
  if (code instanceof pulumi.asset.FileArchive) {
    const file = path.resolve(await code.path);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return undefined;
    return stat.isDirectory() ? directorySize(file) : zipUnzippedSize(fs.readFileSync(file));
  }
  if (typeof code === 'object' && code !== null && typeof (code as { zipFile?: unknown }).zipFile === 'string') {
    return zipUnzippedSize(Buffer.from((code as { zipFile: string }).zipFile, 'base64'));
  }
  return undefined;
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += directorySize(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

function zipUnzippedSize(data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) {
        reject(err ?? new Error('unreadable ZIP'));
        return;
      }
      let total = 0;
      zip.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        zip.readEntry();
      });
      zip.on('end', () => resolve(total));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
