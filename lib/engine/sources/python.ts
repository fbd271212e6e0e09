import * as fs from 'fs';
import * as path from 'path';
import { commonSpec, existingDir, existingFile, existingPath, isUrl, type LayerSourceOptions, type SourceKind } from './kind';
import { LayersmithBuildError, LayersmithValidationError } from '../../core/errors';
import type { CommonSourceSpec } from '../api';
import { BuildContext, BuildOutput, portableShebangs, pythonVersionFromTarget, removeNamed, toolEnv } from '../builders/context';
import { fileDigest, pathDigest, type Json } from '../digest';
import { pipConfigInputs, requirementsInputs } from './python-inputs';
import { pipInstall, type PipInstallRequest } from '../python/install';
import { findProjectFile, PROJECT_FILES, readLockfile } from '../python/lockfiles';
import { targetEnvironment } from '../python/markers';
import { wheelTarget } from '../python/tags';

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
  /** Absolute path of a project directory (uv.lock, poetry.lock, Pipfile.lock or requirements.txt). */
  readonly projectDir?: string;
  /** Lockfile dependency groups installed on top of the default ones. */
  readonly groups?: readonly string[];
  /** Project extras installed from the lockfile. */
  readonly extras?: readonly string[];
  /** glibc 'X.Y' wheels are selected for, replacing the runtimes' OS glibc. */
  readonly glibc?: string;
}

/** Options of `LayerSource.python`. */
export interface PythonSourceOptions extends LayerSourceOptions {
  /**
   * A project directory: the first found of uv.lock, poetry.lock, Pipfile.lock and
   * requirements.txt is installed. From a lockfile, exactly the locked versions of the default
   * (non-dev) dependencies, every recorded hash checked (pip --require-hashes), markers evaluated
   * for the function's Python, Linux and CPU, through pip's configured index.
   * @default - none; give `projectDir`, or `requirements` and/or `packages`
   */
  readonly projectDir?: string;
  /**
   * Lockfile dependency groups to install as well: uv dev-dependency groups, Poetry groups,
   * Pipfile.lock categories (e.g. 'develop').
   * @default - none: the default dependencies only
   */
  readonly groups?: string[];
  /**
   * Project extras to install from the lockfile (uv optional-dependencies, Poetry extras).
   * @default - none
   */
  readonly extras?: string[];
  /**
   * glibc version 'X.Y' to select manylinux wheels for, replacing what layersmith knows of the
   * runtimes' OS (for an unconfirmed value, or a runtime it does not know).
   * @default - the oldest glibc among the target runtimes' OS (see runtime-os.ts)
   */
  readonly glibc?: string;
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
  let projectDir: string | undefined;
  if (options.projectDir !== undefined) {
    if (options.requirements !== undefined || (options.packages && options.packages.length > 0)) {
      throw new LayersmithValidationError('PROJECT_AND_REQUIREMENTS',
        `${where}: give either 'projectDir' or 'requirements'/'packages', not both: the project's lockfile already says what to install. Fix: drop `
          + 'one.');
    }
    projectDir = existingDir(options.projectDir, where, 'projectDir');
    if (!findProjectFile(projectDir)) {
      throw new LayersmithValidationError('NO_PROJECT_FILE',
        `${where}: projectDir '${projectDir}' holds none of ${PROJECT_FILES.join(', ')}. Fix: lock the project (uv lock, poetry lock, pipenv lock) `
          + 'or add a requirements.txt.',
        { path: projectDir });
    }
  } else if (options.groups?.length || options.extras?.length) {
    throw new LayersmithValidationError('GROUPS_WITHOUT_PROJECT',
      `${where}: 'groups' and 'extras' select parts of a lockfile, and no 'projectDir' is given. Fix: set projectDir, or put the packages in `
        + '\'packages\'.');
  }
  if (!projectDir && !options.requirements && (!options.packages || options.packages.length === 0)) {
    throw new LayersmithValidationError('NOTHING_TO_INSTALL',
      `${where}: nothing to install. Fix: give 'requirements' (a requirements.txt path), 'packages' (e.g. ['requests==2.32.3']) or 'projectDir' (a `
        + 'directory with a lockfile).');
  }
  if (options.glibc !== undefined && !/^2\.\d+$/.test(options.glibc)) {
    throw new LayersmithValidationError('BAD_GLIBC', `${where}: glibc '${options.glibc}' is not of the form '2.Y'. Fix: e.g. glibc: '2.28'.`);
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
    ...(projectDir ? { projectDir } : {}),
    ...(options.groups?.length ? { groups: [...options.groups] } : {}),
    ...(options.extras?.length ? { extras: [...options.extras] } : {}),
    ...(options.glibc !== undefined ? { glibc: options.glibc } : {}),
    ...commonSpec(options, where),
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
    // New fields only when set, so the keys of existing sources stay as they were.
    ...(spec.projectDir ? { project: projectKey(spec.projectDir) } : {}),
    ...(spec.groups ? { groups: [...spec.groups] } : {}),
    ...(spec.extras ? { extras: [...spec.extras] } : {}),
    ...(spec.glibc ? { glibc: spec.glibc } : {}),
  }),
  anchorCandidates: (spec) => [spec.projectDir, spec.requirements && path.dirname(spec.requirements), ...(spec.findLinks ?? [])],
  build: (spec, ctx) => buildPython(spec, ctx),
};

/** The project file the build installs from, and pyproject.toml (Poetry extras), by content. */
function projectKey(projectDir: string): Json {
  const found = findProjectFile(projectDir);
  const pyproject = path.join(projectDir, 'pyproject.toml');
  return {
    file: found ? path.basename(found.file) : null,
    digest: found ? fileDigest(found.file) : null,
    pyproject: fs.existsSync(pyproject) ? fileDigest(pyproject) : null,
  };
}

/** pip's index options of a spec. */
function indexArgs(spec: PythonSourceSpec): string[] {
  const args: string[] = [];
  if (spec.indexUrl) args.push('--index-url', spec.indexUrl);
  for (const l of spec.findLinks ?? []) args.push('--find-links', l);
  if (spec.noIndex) args.push('--no-index');
  return args;
}

/** The pip request of a spec for a target (exposed so tests and docs can show what runs). */
export function pythonInstallRequest(spec: PythonSourceSpec, ctx: BuildContext, pythonVersion: string, dest: string): PipInstallRequest {
  const target = wheelTarget(ctx.target.platform, ctx.target.architecture, ctx.target.runtimes, pythonVersion, spec.glibc);
  const project = spec.projectDir ? findProjectFile(spec.projectDir) : undefined;
  if (spec.projectDir && !project) {
    throw new LayersmithBuildError('NO_PROJECT_FILE', `${WHERE}: projectDir '${spec.projectDir}' holds none of ${PROJECT_FILES.join(', ')}. Fix: `
      + 'lock the project or add a requirements.txt.', { path: spec.projectDir });
  }
  const env = targetEnvironment(pythonVersion, ctx.target.architecture, spec.extras);
  const lock = project && project.kind !== 'requirements'
    ? { file: project, packages: readLockfile(project, env, { groups: spec.groups, extras: spec.extras }) }
    : undefined;
  return {
    python: spec.python ?? 'python3',
    indexArgs: indexArgs(spec),
    pipArgs: [...(spec.pipArgs ?? [])],
    dest,
    work: ctx.work,
    target,
    ...(project?.kind === 'requirements' ? { requirementsFile: project.file } : spec.requirements ? { requirementsFile: spec.requirements } : {}),
    ...(spec.packages ? { packages: spec.packages } : {}),
    ...(lock ? { lock } : {}),
    env: toolEnv({ PYTHONDONTWRITEBYTECODE: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' }),
    step: (name, fn) => ctx.step(name, fn),
  };
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
  const request = pythonInstallRequest(spec, ctx, pythonVersion, dest);
  const notes: string[] = [];
  if (request.target.note) {
    ctx.note(request.target.note);
    notes.push(request.target.note);
  }
  if (request.lock) {
    notes.push(`installed ${request.lock.packages.length} packages locked in ${path.basename(request.lock.file.file)}, hashes checked`);
  }
  const { unpinned } = await pipInstall(request);
  await ctx.step('tidy python tree', () => {
    removeNamed(dest, new Set(['__pycache__']), ['.pyc']);
    // PEP 610 records hold the absolute path a local wheel was installed from.
    for (const ent of fs.readdirSync(dest)) {
      if (ent.endsWith('.dist-info')) fs.rmSync(path.join(dest, ent, 'direct_url.json'), { force: true });
    }
    portableShebangs(path.join(dest, 'bin'), /python/, '#!/usr/bin/env python3');
  });
  return { root: ctx.staging, ...(unpinned.length > 0 ? { unpinned: [...unpinned] } : {}), ...(notes.length > 0 ? { notes } : {}) };
}
