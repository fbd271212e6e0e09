import * as fs from 'fs';
import * as path from 'path';
import { explainNoWheel, unsatisfiedRequirements } from './explain';
import { hashedRequirements, type LockedPackage, type ProjectFile } from './lockfiles';
import { requirementsFileLines, unpinnedRequirements } from './requirements';
import { pipTargetArgs, type WheelTarget } from './tags';
import { LayersmithBuildError } from '../../core/errors';
import { BuildCommandError, runCommand } from '../builders/exec';

/** One pip installation into a layer directory. */
export interface PipInstallRequest {
  /** Interpreter that runs pip. */
  readonly python: string;
  /** --index-url / --find-links / --no-index from the source options. */
  readonly indexArgs: readonly string[];
  /** The user's extra pip arguments, appended as-is. */
  readonly pipArgs: readonly string[];
  /** Directory pip installs into (--target). */
  readonly dest: string;
  /** Scratch directory outside the layer. */
  readonly work: string;
  readonly target: WheelTarget;
  /** A requirements file (pip -r). */
  readonly requirementsFile?: string;
  /** Requirement specifiers or local wheel paths. */
  readonly packages?: readonly string[];
  /** Exact pins read from a lockfile: installed with --require-hashes --no-deps. */
  readonly lock?: { readonly file: ProjectFile; readonly packages: readonly LockedPackage[] };
  /** Environment of pip. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs pip as one named progress step. */
  readonly step: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
}

/** What the installation says about itself (recorded in the manifest). */
export interface PipInstallResult {
  /** Requirements without an exact pin (empty for a lockfile). */
  readonly unpinned: readonly string[];
  /** The full pip command line. */
  readonly argv: readonly string[];
}

/** The pip command line of a request (exposed so tests and docs show exactly what runs). */
export function pipInstallArgv(req: PipInstallRequest, lockedFile?: string): string[] {
  const argv = [
    req.python, '-m', 'pip', 'install',
    '--target', req.dest,
    '--no-compile', '--disable-pip-version-check', '--no-input', '--no-warn-script-location',
    // Always select wheels for the function's OS, CPU and Python, never the build host's.
    ...pipTargetArgs(req.target),
    ...req.indexArgs,
  ];
  if (lockedFile) {
    // The lockfile is the whole resolution, with markers already decided for the target.
    argv.push('--require-hashes', '--no-deps', '-r', lockedFile);
  } else {
    if (req.requirementsFile) argv.push('-r', req.requirementsFile);
  }
  argv.push(...req.pipArgs);
  if (!lockedFile) argv.push(...(req.packages ?? []));
  return argv;
}

/**
 * Runs pip for the request. When pip finds no wheel for the target, asks pip what the index
 * offers and throws NO_MATCHING_WHEEL with the reason in the target's words; a downloaded file
 * whose hash the lockfile does not record throws LOCK_HASH_MISMATCH naming the package.
 */
export async function pipInstall(req: PipInstallRequest): Promise<PipInstallResult> {
  let lockedFile: string | undefined;
  if (req.lock) {
    lockedFile = path.join(req.work, 'locked-requirements.txt');
    fs.mkdirSync(req.work, { recursive: true });
    fs.writeFileSync(lockedFile, hashedRequirements(req.lock.packages));
  }
  const unpinned = req.lock ? [] : unpinnedRequirements([
    ...(req.requirementsFile ? requirementsFileLines(req.requirementsFile) : []),
    ...(req.packages ?? []),
  ]);
  const argv = pipInstallArgv(req, lockedFile);
  const what = req.lock ? `${req.lock.packages.length} locked packages from ${path.basename(req.lock.file.file)}` : 'requirements';
  try {
    await req.step(`pip install ${what} (python ${req.target.pythonVersion}, ${req.target.architecture}, glibc `
      + `${req.target.os.glibc})`, () => runCommand(argv, {
      // pip's own temp dirs (pip-target-*) go with the build's scratch dir, also when it is killed.
      tmpDir: path.join(req.work, 'tmp'),
      cwd: req.requirementsFile ? path.dirname(req.requirementsFile) : req.work,
      env: req.env,
      purpose: 'LayerSource.python (pip)',
    }));
  } catch (err) {
    if (!(err instanceof BuildCommandError)) throw err;
    await explainFailure(err, req);
    throw err;
  }
  return { unpinned, argv };
}

async function explainFailure(err: BuildCommandError, req: PipInstallRequest): Promise<void> {
  const mismatch = hashMismatch(err.outputTail);
  if (mismatch.length > 0 && req.lock) {
    const lockName = req.lock.file.file;
    const list = mismatch.map((m) => `${m.name} ${m.version} (downloaded ${m.got ? `sha256 ${m.got}` : 'a file'}, the lockfile records `
      + `${m.expected ? `sha256 ${m.expected}` : 'other hashes'})`).join('; ');
    throw new LayersmithBuildError('LOCK_HASH_MISMATCH',
      `LayerSource.python: the package index gave files whose hashes ${lockName} does not record: ${list}. `
      + 'pip refused to install them (--require-hashes). Fix: if the index is right, regenerate the lockfile (uv lock / poetry lock / pipenv lock); '
      + 'otherwise the index serves other files than the ones locked: find out why before building.', { path: lockName });
  }
  const missing = unsatisfiedRequirements(err.outputTail);
  if (missing.length === 0) return;
  const ex = await explainNoWheel(missing[0], req.target, {
    python: req.python, indexArgs: req.indexArgs, work: path.join(req.work, 'probes'), env: req.env,
  });
  const multi = req.target.note ? ` (${req.target.note})` : '';
  throw new LayersmithBuildError('NO_MATCHING_WHEEL',
    `LayerSource.python: pip found no wheel of ${ex.requirement} for the layer's target${multi}: ${ex.message}. Fix: ${capitalize(ex.fix)}`);
}

interface Mismatch { name: string; version: string; expected?: string; got?: string }

/** Packages pip's "DO NOT MATCH THE HASHES" report names, with the hashes it printed. */
export function hashMismatch(output: readonly string[]): Mismatch[] {
  if (!output.some((l) => l.includes('DO NOT MATCH THE HASHES'))) return [];
  const out: Mismatch[] = [];
  for (const line of output) {
    const pkg = /^\s+([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?) from /.exec(line);
    if (pkg) {
      out.push({ name: pkg[1], version: pkg[2] });
      continue;
    }
    const last = out[out.length - 1];
    const exp = /^\s+Expected sha256 ([0-9a-f]+)/.exec(line);
    if (exp && last && !last.expected) last.expected = exp[1];
    const got = /^\s+Got\s+([0-9a-f]+)/.exec(line);
    if (got && last) last.got = got[1];
  }
  return out;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
