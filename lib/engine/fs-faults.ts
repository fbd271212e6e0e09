import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError, LayersmithError } from '../core/errors';

/**
 * File-system faults of a build (a read-only or unwritable cache, a full disk) as one clear
 * error naming the path and the fix, instead of a bare EROFS / ENOSPC from deep inside the pack.
 * Other errors pass through unchanged.
 */
export function fsFault(err: unknown, cacheDir: string): unknown {
  if (err instanceof LayersmithError && err.code !== 'SHORT_WRITE') return err;
  const e = err as NodeJS.ErrnoException;
  // The ZIP writer reports a write the disk cut short (the OS said nothing more) as SHORT_WRITE.
  const code = err instanceof LayersmithError ? 'ENOSPC' : e?.code;
  const where = typeof e?.path === 'string' ? e.path : cacheDir;
  const inCache = path.resolve(where).startsWith(path.resolve(cacheDir));
  const dir = inCache ? cacheDir : path.dirname(where);
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new LayersmithBuildError('CACHE_NOT_WRITABLE',
      `layersmith: cannot write ${where} (${code}${code === 'EROFS' ? ': read-only file system' : ': permission denied'}); `
      + `${inCache ? 'the layer cache' : 'the build directory'} ${dir} must be writable. `
      + 'Fix: '
      + (inCache
        ? `set LAYERSMITH_CACHE_DIR (or the cacheDir prop) to a writable directory, or make ${dir} writable`
        : 'point TMPDIR at a writable directory')
      + '.',
      { path: where });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new LayersmithBuildError('DISK_FULL',
      `layersmith: no space left writing ${where} (${code}; ${freeBytes(dir)} free on its file system); the partial file was removed. `
      + `Fix: free space there, or set ${inCache ? 'LAYERSMITH_CACHE_DIR (or the cacheDir prop)' : 'TMPDIR'} to a directory on a larger disk.`,
      { path: where });
  }
  return err;
}

function freeBytes(dir: string): string {
  try {
    const s = fs.statfsSync(dir);
    return `${(s.bavail * s.bsize).toLocaleString('en-US')} bytes`;
  } catch {
    return 'unknown bytes';
  }
}
