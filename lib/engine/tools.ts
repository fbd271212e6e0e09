import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError } from '../core/errors';

/**
 * Where an executable lives on PATH, or undefined. An absolute or relative path with a slash is
 * checked as-is. Used both to pick a package manager and to give a clear "not installed" error
 * before spawning (a bare ENOENT from spawn names neither the tool nor the fix).
 */
export function findTool(name: string, envPath: string | undefined = process.env.PATH): string | undefined {
  if (name.includes('/')) {
    return isExecutable(name) ? path.resolve(name) : undefined;
  }
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** True when `name` resolves to an executable on PATH. */
export function hasTool(name: string, envPath?: string): boolean {
  return findTool(name, envPath) !== undefined;
}

/** How to install each tool the builders drive, for error messages. */
const INSTALL_HINTS: Record<string, string> = {
  python3: 'install Python 3 with pip (Debian: apt-get install python3 python3-pip)',
  python: 'install Python 3 with pip (Debian: apt-get install python3 python3-pip)',
  npm: 'install Node.js with npm (https://nodejs.org)',
  mvn: 'install Maven (Debian: apt-get install maven)',
  composer: 'install Composer (Debian: apt-get install composer php-cli)',
  bundle: 'install Ruby and Bundler (Debian: apt-get install ruby ruby-bundler)',
  ruby: 'install Ruby (Debian: apt-get install ruby)',
};

/** Error thrown when a package manager the source needs is not installed. */
export class MissingToolError extends LayersmithBuildError {
  constructor(readonly tool: string, readonly purpose: string) {
    super('MISSING_TOOL', `${purpose} needs '${tool}', which is not on PATH. Fix: `
      + `${INSTALL_HINTS[path.basename(tool)] ?? `install ${tool} or put it on PATH`}.`);
  }
}

/** findTool, or a MissingToolError naming what needed it. */
export function requireTool(name: string, purpose: string, envPath?: string): string {
  const found = findTool(name, envPath);
  if (!found) throw new MissingToolError(name, purpose);
  return found;
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
