import * as fs from 'fs';
import * as path from 'path';
import { ZipInspectionError } from './errors';
import { tempPath } from '../atomic';
import { InspectOptions, openValidated } from './inspect';

/**
 * Extracts a layer ZIP safely, after the same validation as `inspectZip` (names, duplicates,
 * encryption, zip bombs, escaping symlinks) and with every entry's size and CRC verified.
 *
 * Modes are kept (permission bits only; no owners, no set-id bits); symlinks are recreated as
 * symlinks (they were checked to stay inside the root). Everything is written to a temporary
 * directory next to `destDir` and renamed into place at the end, so a failure leaves nothing
 * behind. `destDir` must not exist or be empty.
 */
export async function extractZip(zipPath: string, destDir: string, options: InspectOptions = {}): Promise<void> {
  const dest = path.resolve(destDir);
  const file = path.resolve(zipPath);
  if (fs.existsSync(dest) && (!fs.statSync(dest).isDirectory() || fs.readdirSync(dest).length > 0)) {
    throw new ZipInspectionError('DESTINATION_NOT_EMPTY', file,
      `layersmith: cannot extract ${file} into ${dest}: it exists and is not an empty directory. Choose a new directory or empty it first.`);
  }
  const { reader, links } = openValidated(file, options);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const temp = tempPath(dest);
  fs.mkdirSync(temp, { mode: 0o700 });
  try {
    const dirModes: Array<[string, number]> = [];
    for (const e of reader.entries) {
      const name = e.name.replace(/\/$/, '');
      const out = path.join(temp, ...name.split('/'));
      if (e.type === 'directory') {
        fs.mkdirSync(out, { recursive: true });
        dirModes.push([out, e.mode & 0o777]);
        continue;
      }
      fs.mkdirSync(path.dirname(out), { recursive: true });
      if (e.type === 'symlink') {
        fs.symlinkSync(links.get(e.name)!, out);
        continue;
      }
      const fd = fs.openSync(out, 'wx', 0o600);
      try {
        if (e.compressedSize <= 8 * 1024 * 1024) {
          const data = reader.readWhole(e);
          fs.writeSync(fd, data);
        } else {
          await reader.stream(e, (chunk) => {
            fs.writeSync(fd, chunk);
          });
        }
      } finally {
        fs.closeSync(fd);
      }
      fs.chmodSync(out, e.mode & 0o777);
    }
    // Directory modes last: a read-only directory must still receive its files first.
    for (const [dir, mode] of dirModes.reverse()) fs.chmodSync(dir, mode);
    if (fs.existsSync(dest)) fs.rmdirSync(dest);
    fs.renameSync(temp, dest);
  } catch (err) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw err;
  } finally {
    reader.close();
  }
}
