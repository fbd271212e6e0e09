import { spawnSync, SpawnSyncOptions } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The packed package, as users install it: `npm pack` of this repository once per jest run, and
 * helpers that install that tarball into an app directory.
 */
export const REPO = path.resolve(__dirname, '..', '..');

const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };

/** The version of a package in our package-lock.json (what our own tests run against). */
export function lockVersion(name: string): string {
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry) throw new Error(`${name} is not in package-lock.json`);
  return entry.version;
}

/** The files the tarball must hold, by our rule: compiled lib, declarations, the command, npm's own three. */
export function expectedPackedFiles(): string[] {
  const out = ['LICENSE', 'README.md', 'bin/layersmith', 'package.json'];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(REPO, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.js') || e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  walk('lib');
  return out.sort();
}

/**
 * Fails when a lib/ source has no compiled output or changed after it: the tarball would ship old
 * code. (This guards the tests only; the package itself never looks at file times.)
 */
export function assertCompiled(): void {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {walk(full);} else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = full.slice(0, -3) + '.js';
        if (!fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(full).mtimeMs) stale.push(path.relative(REPO, full));
      }
    }
  };
  walk(path.join(REPO, 'lib'));
  if (stale.length > 0) {
    throw new Error(`lib/ is not compiled or older than its sources (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', ...' : ''}): run \`npx projen compile\` first`);
  }
}

/** The environment for a child npm: without the npm_* variables of an npm script that started jest. */
export function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_UPDATE_NOTIFIER: '1', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...extra };
}

/** Runs a command; throws with its output unless it exits 0. */
export function run(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${options.cwd ?? process.cwd()}) exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

function runDir(): string {
  let dir = process.env.LAYERSMITH_TEST_RUN_DIR;
  if (!dir) {
    // Outside jest's global setup (a script): one directory for this process, removed on exit.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-test-run-'));
    process.env.LAYERSMITH_TEST_RUN_DIR = dir;
    const made = dir;
    process.on('exit', () => fs.rmSync(made, { recursive: true, force: true }));
  }
  return dir;
}

/**
 * The tarball of the code as compiled now. Packed once per jest run and content: the key is the
 * SHA-256 of every file that goes in, so an edit and recompile within a run packs again.
 */
export function packedTarball(): string {
  assertCompiled();
  const hash = createHash('sha256');
  for (const rel of expectedPackedFiles()) hash.update(rel).update('\0').update(fs.readFileSync(path.join(REPO, rel))).update('\0');
  const dir = path.join(runDir(), `pack-${hash.digest('hex').slice(0, 16)}`);
  const tarball = path.join(dir, `layersmith-${ownVersion()}.tgz`);
  if (fs.existsSync(tarball)) return tarball;
  // Pack into a private directory and rename it into place: parallel test files never see half a tarball.
  const tmp = `${dir}.${process.pid}.tmp`;
  fs.mkdirSync(tmp, { recursive: true });
  run('npm', ['pack', '--pack-destination', tmp, '--silent'], { cwd: REPO, env: npmEnv() });
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (!fs.existsSync(tarball)) throw new Error(`npm pack did not write ${tarball}`);
  return tarball;
}

function ownVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Options of `installTarball`. */
export interface InstallOptions {
  /** Packages installed from the npm registry with the tarball, each at our lockfile's version. @default [] */
  readonly install?: string[];
  /** Packages linked from our own node_modules after the install (one copy in memory with the tests'). @default [] */
  readonly link?: string[];
}

/**
 * `npm install <tarball>` into an app directory (it gets a node_modules of its own, so npm never
 * walks up to another project), plus the given packages.
 */
export function installTarball(appDir: string, options: InstallOptions = {}): void {
  fs.mkdirSync(path.join(appDir, 'node_modules'), { recursive: true });
  const specs = [packedTarball(), ...(options.install ?? []).map((n) => `${n}@${lockVersion(n)}`)];
  run('npm', ['install', '--no-save', '--no-package-lock', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: appDir, env: npmEnv(),
  });
  for (const name of options.link ?? []) {
    const at = path.join(appDir, 'node_modules', name);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.rmSync(at, { recursive: true, force: true });
    fs.symlinkSync(path.join(REPO, 'node_modules', name), at, 'dir');
  }
}

/** A copy of examples/<name> (sources only: no node_modules, no cdk.out) in `into`. */
export function copyExample(name: string, into: string): string {
  const from = path.join(REPO, 'examples', name);
  fs.cpSync(from, into, {
    recursive: true,
    filter: (src) => !['node_modules', 'cdk.out'].includes(path.basename(src)),
  });
  return into;
}
