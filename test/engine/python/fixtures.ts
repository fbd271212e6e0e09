import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Environment for pip in tests: no retries against the unreachable default index. */
export const PIP_ENV: NodeJS.ProcessEnv = { ...process.env, PIP_RETRIES: '0', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

/**
 * Downloads one real wheel from pip's configured index (no dependencies) into `dir` and returns
 * its path. `platform` selects a wheel for another machine, as the builds do.
 */
export function downloadWheel(requirement: string, dir: string, platform?: string): string {
  const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', dir, requirement];
  if (platform) args.push('--platform', platform, '--python-version', '3.11', '--implementation', 'cp');
  execFileSync('python3', args, { env: PIP_ENV, stdio: 'pipe' });
  const got = fs.readdirSync(dir).filter((f) => f.endsWith('.whl') && !before.has(f));
  const name = requirement.split(/[=<>!~ ]/)[0].toLowerCase().replace(/-/g, '_');
  const whl = got.find((f) => f.toLowerCase().startsWith(`${name}-`)) ?? fs.readdirSync(dir).find((f) => f.toLowerCase().startsWith(`${name}-`));
  if (!whl) throw new Error(`pip download ${requirement} gave no wheel in ${dir}`);
  return path.join(dir, whl);
}

/** Extracts one member of a wheel (a ZIP) to `dest` with Python's zipfile. */
export function extractFromWheel(wheel: string, member: string, dest: string): string {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  execFileSync('python3', ['-c', 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))', wheel, member, dest]);
  return dest;
}

/** sha256 hex of a file, as lockfiles record it. */
export function sha256Hex(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
