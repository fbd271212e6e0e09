import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError } from '../../core/errors';
import type { CommonSourceSpec } from '../api';
import { BuildContext, BuildOutput, toolEnv } from '../builders/context';
import { runCommand } from '../builders/exec';
import { fileDigest, optionalFileDigest, pathDigest } from '../digest';
import { commonSpec, existingDir, existingFile, type LayerSourceOptions, type SourceKind } from './kind';

export interface PhpSourceSpec extends CommonSourceSpec {
  readonly kind: 'php';
  /** Absolute path of a directory holding composer.json (and composer.lock). */
  readonly composerDir: string;
}

/** Options of `LayerSource.php`. */
export interface PhpSourceOptions extends LayerSourceOptions {
  /** Directory holding composer.json (and composer.lock). */
  readonly composerDir: string;
}

/** Validates `LayerSource.php` options and resolves their paths. */
export function phpSpec(options: PhpSourceOptions): PhpSourceSpec {
  const where = 'LayerSource.php';
  const composerDir = existingDir(options.composerDir, where, 'composerDir');
  existingFile(path.join(composerDir, 'composer.json'), where, 'composerDir/composer.json');
  return { kind: 'php', composerDir, ...commonSpec(options, where) };
}

/** Composer reads composer.json, composer.lock and the local `path` repositories they name. */
export const phpKind: SourceKind<PhpSourceSpec> = {
  kind: 'php',
  keyInputs: (spec) => ({
    composerJson: fileDigest(path.join(spec.composerDir, 'composer.json')),
    composerLock: optionalFileDigest(path.join(spec.composerDir, 'composer.lock')),
    pathRepositories: composerPathRepositories(spec.composerDir).map(pathDigest),
  }),
  anchorCandidates: (spec) => [spec.composerDir],
  build: (spec, ctx) => buildPhp(spec, ctx),
};

/** path repositories named in composer.json, resolved against its directory. */
export function composerPathRepositories(composerDir: string): string[] {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(composerDir, 'composer.json'), 'utf8')) as {
      repositories?: unknown;
    };
    const repos = Array.isArray(json.repositories) ? json.repositories : Object.values(json.repositories ?? {});
    return repos
      .filter((r): r is { type: string; url: string } => !!r && typeof r === 'object'
        && (r as { type?: unknown }).type === 'path' && typeof (r as { url?: unknown }).url === 'string')
      .map((r) => path.resolve(composerDir, r.url))
      .filter((p) => fs.existsSync(p));
  } catch {
    return [];
  }
}

export const COMPOSER_INSTALL_ARGS = ['install', '--no-dev', '--no-interaction', '--no-progress', '--optimize-autoloader'];

type Json = Record<string, unknown>;

/**
 * Composer runs in a copy under php/ (so vendor/ lands in php/vendor/ and autoload paths are
 * relative to the layer), which breaks relative `path` repositories: they are made absolute in
 * the copied composer.json and composer.lock, and mirrored instead of symlinked (a symlink would
 * point outside the layer).
 */
export async function buildPhp(spec: PhpSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const phpDir = path.join(ctx.staging, 'php');
  fs.mkdirSync(phpDir, { recursive: true });
  const json = readJson(path.join(spec.composerDir, 'composer.json'));
  absolutisePathRepos(json.repositories, spec.composerDir);
  fs.writeFileSync(path.join(phpDir, 'composer.json'), JSON.stringify(json, null, 2));
  const lockPath = path.join(spec.composerDir, 'composer.lock');
  const hasLock = fs.existsSync(lockPath);
  if (hasLock) {
    const lock = readJson(lockPath);
    for (const pkg of [...asArray(lock.packages), ...asArray(lock['packages-dev'])]) {
      const dist = (pkg as Json).dist as Json | undefined;
      if (dist && dist.type === 'path' && typeof dist.url === 'string' && !path.isAbsolute(dist.url)) {
        dist.url = path.resolve(spec.composerDir, dist.url);
      }
    }
    fs.writeFileSync(path.join(phpDir, 'composer.lock'), JSON.stringify(lock, null, 4));
  } else {
    ctx.note(
      `${spec.composerDir} has no composer.lock: versions are resolved now and may differ between builds; commit composer.lock `
      + 'for reproducible layers');
  }
  await ctx.step('composer install --no-dev', () => runCommand(['composer', ...COMPOSER_INSTALL_ARGS], {
    tmpDir: path.join(ctx.work, 'tmp'),
    cwd: phpDir,
    env: toolEnv({ COMPOSER_MIRROR_PATH_REPOS: '1', COMPOSER_NO_INTERACTION: '1', COMPOSER_DISABLE_XDEBUG_WARN: '1' }),
    purpose: 'LayerSource.php (composer)',
  }));
  // The rewritten manifests hold build-machine paths; the runtime needs only vendor/.
  fs.rmSync(path.join(phpDir, 'composer.json'), { force: true });
  fs.rmSync(path.join(phpDir, 'composer.lock'), { force: true });
  return { root: ctx.staging };
}

function readJson(file: string): Json {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  } catch (e) {
    throw new LayersmithBuildError('BAD_COMPOSER_JSON',
      `LayerSource.php: ${file} is not valid JSON (${(e as Error).message}). Fix: repair the file (composer validate).`, { path: file });
  }
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function absolutisePathRepos(repos: unknown, baseDir: string): void {
  const list = Array.isArray(repos) ? repos : repos && typeof repos === 'object' ? Object.values(repos) : [];
  for (const r of list as Json[]) {
    if (r && r.type === 'path' && typeof r.url === 'string') {
      if (!path.isAbsolute(r.url)) r.url = path.resolve(baseDir, r.url);
      r.options = { ...(r.options as Json | undefined), symlink: false };
    }
  }
}
