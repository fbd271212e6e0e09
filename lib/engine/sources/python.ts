import * as fs from 'fs';
import * as path from 'path';
import { commonSpec, existingDir, existingFile, existingPath, isUrl, type LayerSourceOptions, type SourceKind } from './kind';
import { LayersmithBuildError, LayersmithValidationError } from '../../core/errors';
import type { ArchitectureId } from '../../core/model';
import type { CommonSourceSpec } from '../api';
import { BuildContext, BuildOutput, portableShebangs, pythonVersionFromTarget, removeNamed, toolEnv } from '../builders/context';
import { runCommand } from '../builders/exec';
import { fileDigest, pathDigest } from '../digest';
import { pipConfigInputs, requirementsInputs } from './python-inputs';

export interface PythonSourceSpec extends CommonSourceSpec {
  readonly kind: 'python';
  /** Absolute path of a requirements file. */
  readonly requirements?: string;
  /** Requirement specifiers ('requests==2.32.3') or local paths. */
  readonly packages?: readonly string[];
  /** Target Python version 'X.Y' (wheel selection and the site-packages layout). */
  readonly pythonVersion?: string;
  /** 'python' puts packages in python/; 'site-packages' in python/lib/pythonX.Y/site-packages/. */
  readonly layout: 'python' | 'site-packages';
  /** Package index URL (pip --index-url). */
  readonly indexUrl?: string;
  /** Local wheel directories or URLs (pip --find-links), absolute. */
  readonly findLinks?: readonly string[];
  /** pip --no-index: use only findLinks. */
  readonly noIndex?: boolean;
  /** Python interpreter that runs pip. */
  readonly python?: string;
  /** Extra pip arguments appended as-is. */
  readonly pipArgs?: readonly string[];
}

/** Options of `LayerSource.python`. */
export interface PythonSourceOptions extends LayerSourceOptions {
  /**
   * A requirements file (pip -r). Relative paths resolve against the current directory.
   * @default - none; give `requirements`, `packages` or both
   */
  readonly requirements?: string;
  /**
   * Requirement specifiers ('requests==2.32.3') or paths of local wheels.
   * @default - none
   */
  readonly packages?: string[];
  /**
   * Python version 'X.Y' the wheels are selected for and the site-packages path uses.
   * @default - from the first pythonX.Y runtime of the build target
   */
  readonly pythonVersion?: string;
  /**
   * 'python' installs into python/; 'site-packages' into python/lib/pythonX.Y/site-packages/
   * (AWS only; both are on the Lambda Python path).
   * @default 'python'
   */
  readonly layout?: 'python' | 'site-packages';
  /**
   * Package index URL (pip --index-url).
   * @default - pip's own default (PyPI, or what pip.conf says)
   */
  readonly indexUrl?: string;
  /**
   * Directories of local wheels, or URLs of find-links pages (pip --find-links).
   * @default - none
   */
  readonly findLinks?: string[];
  /**
   * Use only `findLinks`, never an index (pip --no-index), for air-gapped builds.
   * @default false
   */
  readonly noIndex?: boolean;
  /**
   * Python interpreter that runs pip (any Python 3 with pip; the target version is a flag).
   * @default 'python3'
   */
  readonly python?: string;
  /**
   * Extra pip arguments appended as-is.
   * @default - none
   */
  readonly pipArgs?: string[];
}

const WHERE = 'LayerSource.python';

/** Validates `LayerSource.python` options and resolves their paths. */
export function pythonSpec(options: PythonSourceOptions): PythonSourceSpec {
  const where = WHERE;
  if (!options.requirements && (!options.packages || options.packages.length === 0)) {
    throw new LayersmithValidationError('NOTHING_TO_INSTALL',
      `${where}: nothing to install. Fix: give 'requirements' (a requirements.txt path) or 'packages' (e.g. ['requests==2.32.3']).`);
  }
  if (options.pythonVersion !== undefined && !/^3\.\d+$/.test(options.pythonVersion)) {
    throw new LayersmithValidationError('BAD_PYTHON_VERSION',
      `${where}: pythonVersion '${options.pythonVersion}' is not of the form '3.Y'. Fix: e.g. pythonVersion: '3.12'.`);
  }
  if (options.noIndex && (!options.findLinks || options.findLinks.length === 0)) {
    throw new LayersmithValidationError('NO_INDEX_WITHOUT_FIND_LINKS',
      `${where}: noIndex is set but findLinks is empty, so pip could find no package. Fix: add findLinks (a directory of wheels) or drop noIndex.`);
  }
  return {
    kind: 'python',
    layout: options.layout ?? 'python',
    ...(options.requirements !== undefined ? { requirements: existingFile(options.requirements, where, 'requirements') } : {}),
    ...(options.packages ? { packages: options.packages.map(resolveLocalPackage) } : {}),
    ...(options.pythonVersion !== undefined ? { pythonVersion: options.pythonVersion } : {}),
    ...(options.indexUrl !== undefined ? { indexUrl: options.indexUrl } : {}),
    ...(options.findLinks ? { findLinks: options.findLinks.map((l) => isUrl(l) ? l : existingDir(l, where, 'findLinks')) } : {}),
    ...(options.noIndex ? { noIndex: true } : {}),
    ...(options.python !== undefined ? { python: options.python } : {}),
    ...(options.pipArgs ? { pipArgs: [...options.pipArgs] } : {}),
    ...commonSpec(options),
  };
}

/** A package that names an existing file or directory is made absolute; a specifier stays as-is. */
function resolveLocalPackage(p: string): string {
  if (isUrl(p)) return p;
  const looksLikePath = p.startsWith('.') || p.startsWith('/') || p.endsWith('.whl') || p.includes(path.sep);
  if (!looksLikePath) return p;
  return existingPath(path.resolve(p), WHERE, 'packages');
}

/**
 * pip reads the requirements file, the local packages and the local find-links directories
 * (files named inside requirements, such as `-r other.txt`, are not followed).
 */
export const pythonKind: SourceKind<PythonSourceSpec> = {
  kind: 'python',
  keyInputs: (spec) => ({
    layout: spec.layout,
    pythonVersion: spec.pythonVersion ?? null,
    requirements: spec.requirements ? fileDigest(spec.requirements) : null,
    // What the requirements file makes pip read, and the pip config that picks distributions.
    requirementsReads: spec.requirements ? requirementsInputs(spec.requirements) : undefined,
    pipConfig: pipConfigInputs(),
    packages: (spec.packages ?? []).map((p) => (path.isAbsolute(p) ? pathDigest(p) : p)),
    indexUrl: spec.indexUrl ?? null,
    findLinks: (spec.findLinks ?? []).map((l) => (path.isAbsolute(l) ? pathDigest(l) : l)),
    noIndex: spec.noIndex ?? false,
    // The interpreter only runs pip; the target version is a flag. Its name is kept so that
    // switching interpreters (and so pip versions) is a deliberate rebuild.
    python: spec.python ? path.basename(spec.python) : null,
    pipArgs: [...(spec.pipArgs ?? [])],
  }),
  anchorCandidates: (spec) => [spec.requirements && path.dirname(spec.requirements), ...(spec.findLinks ?? [])],
  build: (spec, ctx) => buildPython(spec, ctx),
};

/**
 * Linux platform tags pip may pick wheels for. manylinux2014 (glibc 2.17) is what both the AWS
 * Lambda images (glibc 2.26 / 2.34) and FC's Debian runtimes (glibc >= 2.28) can load; older
 * tags are accepted too. Pure 'any' wheels always qualify.
 */
export function pipPlatformTags(architecture: ArchitectureId): string[] {
  const cpu = architecture === 'arm64' ? 'aarch64' : 'x86_64';
  const tags = [`manylinux2014_${cpu}`, `manylinux_2_17_${cpu}`];
  if (cpu === 'x86_64') tags.push('manylinux2010_x86_64', 'manylinux_2_12_x86_64', 'manylinux1_x86_64', 'manylinux_2_5_x86_64');
  return tags;
}

/** The full pip command line for a spec (exposed so tests and docs can show what runs). */
export function pipInstallArgs(spec: PythonSourceSpec, pythonVersion: string, architecture: ArchitectureId, targetDir: string): string[] {
  const args = [
    spec.python ?? 'python3', '-m', 'pip', 'install',
    '--target', targetDir,
    '--no-compile', '--disable-pip-version-check', '--no-input', '--no-warn-script-location',
    // Always select wheels for the function's platform, never the build host's: a macOS or
    // arm64 laptop must get the same Linux wheels a Linux x86_64 CI runner gets.
    ...pipPlatformTags(architecture).flatMap((t) => ['--platform', t]),
    '--python-version', pythonVersion,
    '--implementation', 'cp',
    '--only-binary=:all:',
  ];
  if (spec.indexUrl) args.push('--index-url', spec.indexUrl);
  for (const l of spec.findLinks ?? []) args.push('--find-links', l);
  if (spec.noIndex) args.push('--no-index');
  if (spec.requirements) args.push('-r', spec.requirements);
  args.push(...(spec.pipArgs ?? []), ...(spec.packages ?? []));
  return args;
}

export async function buildPython(spec: PythonSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const pythonVersion = spec.pythonVersion ?? pythonVersionFromTarget(ctx.target);
  if (!pythonVersion) {
    throw new LayersmithBuildError('NO_PYTHON_VERSION',
      `LayerSource.python: no Python version to select wheels for: the target runtimes [${ctx.target.runtimes.join(', ')}] `
      + 'name no python3.X. Fix: set pythonVersion (e.g. \'3.12\') or add a python3.X runtime.');
  }
  const dest = spec.layout === 'site-packages'
    ? path.join(ctx.staging, 'python', 'lib', `python${pythonVersion}`, 'site-packages')
    : path.join(ctx.staging, 'python');
  fs.mkdirSync(dest, { recursive: true });
  const argv = pipInstallArgs(spec, pythonVersion, ctx.target.architecture, dest);
  await ctx.step(`pip install (python ${pythonVersion}, ${ctx.target.architecture})`, () => runCommand(argv, {
    tmpDir: path.join(ctx.work, 'tmp'),
    cwd: spec.requirements ? path.dirname(spec.requirements) : ctx.work,
    env: toolEnv({ PYTHONDONTWRITEBYTECODE: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' }),
    purpose: 'LayerSource.python (pip)',
  }));
  await ctx.step('tidy python tree', () => {
    removeNamed(dest, new Set(['__pycache__']), ['.pyc']);
    // PEP 610 records hold the absolute path a local wheel was installed from.
    for (const ent of fs.readdirSync(dest)) {
      if (ent.endsWith('.dist-info')) fs.rmSync(path.join(dest, ent, 'direct_url.json'), { force: true });
    }
    portableShebangs(path.join(dest, 'bin'), /python/, '#!/usr/bin/env python3');
  });
  return { root: ctx.staging };
}
