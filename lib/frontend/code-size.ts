import * as fs from 'fs';
import * as path from 'path';
import { validationError } from './errors';
import { makeStagingDir } from '../engine/atomic';
import { ZipReader } from '../engine/inspect/zip-reader';

/** A function's own code, as far as a front-end can see it at declaration. */
export type FunctionCode =
  /** A local directory or file (a .zip/.jar is read, any other file counts as is). */
  | { readonly kind: 'path'; readonly path: string }
  /** A ZIP given inline, base64-encoded (FC `zipFile`). */
  | { readonly kind: 'zipBase64'; readonly data: string }
  /** Source text the platform writes as one file (Lambda inline code). */
  | { readonly kind: 'text'; readonly text: string };

// Only sizes are read here; the inspector's bomb limits guard content we unpack, not this sum.
const SIZE_ONLY = { maxUnzippedBytes: Number.MAX_SAFE_INTEGER, maxRatio: Number.MAX_SAFE_INTEGER };

/**
 * Unzipped size of a function's own code, for the code + layers budget: the sum of file sizes of a
 * directory, where a symlink counts its target text (as a ZIP entry stores it), the declared sizes
 * of a ZIP, or the bytes of inline text. Undefined when the code is not local. Unreadable code
 * fails at `where` with the fix.
 */
export function measureCode(where: string, code: FunctionCode | undefined): number | undefined {
  if (!code) return undefined;
  try {
    if (code.kind === 'text') return Buffer.byteLength(code.text, 'utf8');
    if (code.kind === 'zipBase64') return zipBufferSize(Buffer.from(code.data, 'base64'));
    const stat = fs.statSync(code.path, { throwIfNoEntry: false });
    if (!stat) return undefined;
    if (stat.isDirectory()) return directorySize(code.path);
    return /\.(zip|jar)$/i.test(code.path) ? zipFileSize(code.path) : stat.size;
  } catch (err) {
    throw validationError(where, `cannot read the function code to measure its unzipped size: ${(err as Error).message} `
      + 'Fix: give a valid ZIP or directory, or set codeSize.', 'UNREADABLE_CODE');
  }
}

function directorySize(root: string): number {
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) total += fs.statSync(full).size;
      else if (entry.isSymbolicLink()) total += Buffer.byteLength(fs.readlinkSync(full));
    }
  }
  return total;
}

function zipFileSize(file: string): number {
  const reader = ZipReader.open(file, SIZE_ONLY);
  try {
    return reader.unzippedSize;
  } finally {
    reader.close();
  }
}

function zipBufferSize(data: Buffer): number {
  const dir = makeStagingDir('code');
  try {
    const file = path.join(dir, 'code.zip');
    fs.writeFileSync(file, data);
    return zipFileSize(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
