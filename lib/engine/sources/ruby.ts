import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError, LayersmithValidationError } from '../../core/errors';
import type { CommonSourceSpec } from '../api';
import { BuildContext, BuildOutput, portableShebangs, rubyAbiFromTarget, toolEnv } from '../builders/context';
import { runCommand } from '../builders/exec';
import { fileDigest, optionalFileDigest, optionalTreeDigest, pathDigest } from '../digest';
import { commonSpec, existingDir, existingFile, type LayerSourceOptions, type SourceKind } from './kind';

export interface RubySourceSpec extends CommonSourceSpec {
  readonly kind: 'ruby';
  /** Absolute path of a directory holding Gemfile (and Gemfile.lock). */
  readonly gemfileDir: string;
  /** Ruby ABI version 'X.Y.0' used for ruby/gems/X.Y.0/ (default: from the runtime). */
  readonly rubyAbi?: string;
}

/** Options of `LayerSource.ruby`. */
export interface RubySourceOptions extends LayerSourceOptions {
  /** Directory holding Gemfile and Gemfile.lock. */
  readonly gemfileDir: string;
  /**
   * Ruby ABI version 'X.Y.0' of the ruby/gems/X.Y.0/ directory.
   * @default - from the first rubyX.Y runtime of the build target
   */
  readonly rubyAbi?: string;
}

/** Validates `LayerSource.ruby` options and resolves their paths. */
export function rubySpec(options: RubySourceOptions): RubySourceSpec {
  const where = 'LayerSource.ruby';
  const gemfileDir = existingDir(options.gemfileDir, where, 'gemfileDir');
  existingFile(path.join(gemfileDir, 'Gemfile'), where, 'gemfileDir/Gemfile');
  if (options.rubyAbi !== undefined && !/^\d+\.\d+\.0$/.test(options.rubyAbi)) {
    throw new LayersmithValidationError('BAD_RUBY_ABI',
      `${where}: rubyAbi '${options.rubyAbi}' is not of the form 'X.Y.0'. Fix: e.g. rubyAbi: '3.3.0'.`);
  }
  return {
    kind: 'ruby',
    gemfileDir,
    ...(options.rubyAbi !== undefined ? { rubyAbi: options.rubyAbi } : {}),
    ...commonSpec(options, where),
  };
}

/** Bundler reads Gemfile, Gemfile.lock and, when present, the vendor/cache it installs from. */
export const rubyKind: SourceKind<RubySourceSpec> = {
  kind: 'ruby',
  keyInputs: (spec) => ({
    rubyAbi: spec.rubyAbi ?? null,
    gemfile: fileDigest(path.join(spec.gemfileDir, 'Gemfile')),
    gemfileLock: optionalFileDigest(path.join(spec.gemfileDir, 'Gemfile.lock')),
    vendorCache: optionalTreeDigest(path.join(spec.gemfileDir, 'vendor', 'cache')),
    // Gems installed from a local path (gem 'x', path: '../x') are read from there.
    pathGems: gemfilePathGems(spec.gemfileDir).map((g) => ({ ref: g.ref, digest: pathDigest(g.path) })),
  }),
  anchorCandidates: (spec) => [spec.gemfileDir],
  build: (spec, ctx) => buildRuby(spec, ctx),
};

/**
 * Bundler installs into a scratch BUNDLE_PATH (never touching the project's .bundle/ or lockfile:
 * frozen, app config redirected), then the ruby/X.Y.0 tree it made is moved to
 * ruby/gems/<abi>/ where the Lambda Ruby runtime's GEM_PATH looks. With vendor/cache present
 * the install is `--local` (offline, from the cached .gem files).
 */
export async function buildRuby(spec: RubySourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const lock = path.join(spec.gemfileDir, 'Gemfile.lock');
  if (!fs.existsSync(lock)) {
    throw new LayersmithBuildError('NO_LOCKFILE',
      `LayerSource.ruby: ${spec.gemfileDir} has a Gemfile but no Gemfile.lock, and the layer must install exactly what the `
      + `lockfile says. Fix: run 'bundle lock' in ${spec.gemfileDir} and commit Gemfile.lock.`, { path: spec.gemfileDir });
  }
  const bundlePath = path.join(ctx.work, 'bundle');
  const args = ['bundle', 'install'];
  if (fs.existsSync(path.join(spec.gemfileDir, 'vendor', 'cache'))) args.push('--local');
  await ctx.step('bundle install', () => runCommand(args, {
    tmpDir: path.join(ctx.work, 'tmp'),
    cwd: spec.gemfileDir,
    env: toolEnv({
      BUNDLE_GEMFILE: path.join(spec.gemfileDir, 'Gemfile'),
      BUNDLE_PATH: bundlePath,
      BUNDLE_APP_CONFIG: path.join(ctx.work, 'bundle-config'),
      BUNDLE_FROZEN: 'true',
      BUNDLE_WITHOUT: 'development:test',
      BUNDLE_DISABLE_SHARED_GEMS: 'true',
      BUNDLE_NO_PRUNE: 'true',
    }),
    purpose: 'LayerSource.ruby (bundler)',
  }));
  const rubyRoot = path.join(bundlePath, 'ruby');
  const built = fs.existsSync(rubyRoot) ? fs.readdirSync(rubyRoot).filter((d) => /^\d+\.\d+\.\d+$/.test(d)) : [];
  if (built.length !== 1) {
    throw new LayersmithBuildError('RUBY_ABI_DIRS',
      `LayerSource.ruby: bundler left ${built.length} ruby ABI directories under ${rubyRoot} (${built.join(', ') || 'none'}); `
      + 'expected exactly one. Fix: check the bundle install output and the Gemfile.');
  }
  const hostAbi = built[0];
  const abi = spec.rubyAbi ?? rubyAbiFromTarget(ctx.target) ?? hostAbi;
  if (abi !== hostAbi) {
    ctx.note(`gems were installed by Ruby ${hostAbi} and placed under ruby/gems/${abi}/: gems with native extensions need a Ruby ${abi} build host`);
  }
  const dest = path.join(ctx.staging, 'ruby', 'gems', abi);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.renameSync(path.join(rubyRoot, hostAbi), dest);
  // The downloaded .gem archives are only an install cache.
  fs.rmSync(path.join(dest, 'cache'), { recursive: true, force: true });
  portableShebangs(path.join(dest, 'bin'), /ruby/, '#!/usr/bin/env ruby');
  return { root: ctx.staging };
}

/** `path:` gems of a Gemfile (`gem 'x', path: '../x'` or `:path => '../x'`) that exist. */
export function gemfilePathGems(gemfileDir: string): Array<{ ref: string; path: string }> {
  let text: string;
  try {
    text = fs.readFileSync(path.join(gemfileDir, 'Gemfile'), 'utf8');
  } catch {
    return [];
  }
  const out: Array<{ ref: string; path: string }> = [];
  for (const m of text.matchAll(/(?:path:|:path\s*=>)\s*['"]([^'"]+)['"]/g)) {
    const abs = path.resolve(gemfileDir, m[1]);
    if (fs.existsSync(abs)) out.push({ ref: m[1], path: abs });
  }
  return out.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}
