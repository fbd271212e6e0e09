import { execFileSync } from 'child_process';

/**
 * Small tmpfs mounts for the hostile-file-system tests (read-only, full): root only, as CI runs.
 * `unmountAll()` in afterAll undoes every mount of the file.
 */
const mounted: string[] = [];

/** Whether this process may mount (root). */
export const canMount = process.getuid?.() === 0;

export function mountTmpfs(dir: string, options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounted.push(dir);
}

export function remount(dir: string, options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, dir]);
}

export function unmountAll(): void {
  for (const dir of mounted.splice(0).reverse()) {
    try {
      execFileSync('umount', [dir]);
    } catch {
      // already unmounted
    }
  }
}
