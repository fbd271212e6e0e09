import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * The unzipped size of a function's own code when it can be known at synth: the bytes of a local
 * asset directory (what Lambda extracts into /var/task) or of inline code. Undefined otherwise
 * (S3 objects, images, zip files whose entries we do not open here).
 */
export function functionCodeSize(code: lambda.Code, scope: Construct): number | undefined {
  if (code instanceof lambda.InlineCode) {
    // Inline code is rendered into ZipFile; its text is the one file Lambda writes. Binding inline
    // code has no side effect.
    const inline = code.bind(scope).inlineCode;
    return inline === undefined ? undefined : Buffer.byteLength(inline, 'utf8');
  }
  if (code instanceof lambda.AssetCode) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(code.path);
    } catch {
      return undefined;
    }
    return stat.isDirectory() ? directorySize(code.path) : undefined;
  }
  return undefined;
}

/** Sum of regular file sizes under a directory; symlinks count their target text, like a ZIP entry. */
export function directorySize(root: string): number {
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
