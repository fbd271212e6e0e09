import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { WheelTarget } from './tags';
import type { ArchitectureId } from '../../core/model';
import { runtimeWithGlibc } from '../../core/rules/ls-glibc';
import { compareGlibc, glibcOfPlatformTag, manylinuxTags, wheelCpu } from '../../core/runtime-os';
import { resolveRuntime } from '../../core/runtimes';

/**
 * When pip finds no wheel for the target, ask pip what the index does offer for that package
 * under a wider tag set (any glibc, other CPython versions, the other CPU), and say
 * which one of those keeps it out, in the words of the target: the runtime, its OS and glibc.
 */

/** A requirement pip could not satisfy, read from its output. */
export interface UnsatisfiedRequirement {
  /** As pip printed it, e.g. 'numpy==2.4.6' or 'cffi>=2.0.0'. */
  readonly requirement: string;
  /** Versions pip saw with a wheel for the target ("from versions: ..."); empty for none. */
  readonly fittingVersions: readonly string[];
}

/** The requirements pip's output says it could not find a distribution for. */
export function unsatisfiedRequirements(output: readonly string[]): UnsatisfiedRequirement[] {
  const text = output.join('\n');
  const out: UnsatisfiedRequirement[] = [];
  for (const m of text.matchAll(/No matching distribution found for (\S+)/g)) {
    const requirement = m[1];
    const from = new RegExp(`satisfies the requirement ${escapeRegExp(requirement)} \\(from versions: ([^)]*)\\)`).exec(text);
    const fittingVersions = from && from[1].trim() !== 'none' ? from[1].split(',').map((v) => v.trim()).filter(Boolean) : [];
    if (!out.some((o) => o.requirement === requirement)) out.push({ requirement, fittingVersions });
  }
  return out;
}

/** What a probe found: the release and wheel pip would pick under the wider tags. */
interface Found {
  readonly name: string;
  readonly version: string;
  readonly file: string;
}

/** How to run pip for probes: the interpreter, the index options of the build and a scratch directory. */
export interface ProbeOptions {
  readonly python: string;
  /** --index-url / --find-links / --no-index, as the build used them. */
  readonly indexArgs: readonly string[];
  /** A scratch directory (created if missing). */
  readonly work: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The explanation of a missing wheel: what the index offers and why the target cannot use it. */
export interface NoWheelExplanation {
  readonly requirement: string;
  readonly message: string;
  readonly fix: string;
}

const PROBE_PYTHONS = ['3.14', '3.13', '3.12', '3.11', '3.10', '3.9', '3.8'];
/** The newest glibc probed; wheels for a newer one do not exist yet. */
const WIDEST_GLIBC = '2.40';

let probeCounter = 0;

/** pip's choice for `requirement` under the given tags (a dry run: nothing is downloaded to the layer). */
async function probe(requirement: string, opts: ProbeOptions, tags: { python: string; platforms: readonly string[] }): Promise<Found | undefined> {
  fs.mkdirSync(opts.work, { recursive: true });
  const n = probeCounter++;
  const report = path.join(opts.work, `probe-${process.pid}-${n}.json`);
  const args = [
    '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--no-deps', '-q', '--disable-pip-version-check',
    '--target', path.join(opts.work, `probe-${process.pid}-${n}`), '--report', report,
    ...opts.indexArgs,
  ];
  // Wheels only: preparing a source distribution would run the package's build code.
  args.push('--only-binary=:all:', '--implementation', 'cp', '--python-version', tags.python);
  for (const p of tags.platforms) args.push('--platform', p);
  args.push(requirement);
  const ok = await new Promise<boolean>((resolve) => {
    execFile(opts.python, args, { env: opts.env ?? process.env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err) => resolve(!err));
  });
  try {
    if (!ok || !fs.existsSync(report)) return undefined;
    const data = JSON.parse(fs.readFileSync(report, 'utf8')) as {
      install?: { metadata?: { name?: string; version?: string }; download_info?: { url?: string } }[];
    };
    const item = data.install?.[0];
    const url = item?.download_info?.url;
    if (!item?.metadata?.version || !url) return undefined;
    const file = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1).split('#')[0]);
    return { name: item.metadata.name ?? requirement, version: item.metadata.version, file };
  } finally {
    fs.rmSync(report, { force: true });
  }
}

/** The python, ABI and platform tag sets of a wheel file name (PEP 427). */
export function wheelFileTags(file: string): { pythons: string[]; abis: string[]; platforms: string[] } | undefined {
  const m = /-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(file);
  if (!m) return undefined;
  return { pythons: m[1].split('.'), abis: m[2].split('.'), platforms: m[3].split('.') };
}

/** The lowest glibc among a wheel's manylinux tags (what it needs to load). */
function wheelGlibc(platforms: readonly string[]): string | undefined {
  return platforms.map(glibcOfPlatformTag).filter((g): g is string => !!g).sort(compareGlibc)[0];
}

const PLATFORM_NAMES = { aws: 'AWS Lambda', alicloud: 'Function Compute' } as const;

/** 'python3.11 on AWS Lambda runs Amazon Linux 2 (glibc 2.26, x86_64)'. */
export function describeTarget(target: WheelTarget): string {
  const platformName = PLATFORM_NAMES[target.platform];
  const who = target.runtime ? `${target.runtime} on ${platformName}` : `CPython ${target.pythonVersion} on ${platformName}`;
  return `${who} runs ${target.os.name} (glibc ${target.os.glibc}, ${wheelCpu(target.architecture)})`;
}

/**
 * Explains why no wheel of `req.requirement` fits `target`, by asking pip what it would pick
 * under wider tags, in this order: any glibc, another CPython, the other CPU.
 */
export async function explainNoWheel(req: UnsatisfiedRequirement, target: WheelTarget, opts: ProbeOptions): Promise<NoWheelExplanation> {
  const spec = req.requirement;
  const baseName = spec.split(/[=<>!~;[ ]/)[0];
  const py = target.pythonVersion;
  const cp = `CPython ${py}`;
  const cpu = wheelCpu(target.architecture);
  const where = describeTarget(target);
  const fitting = req.fittingVersions.length > 0
    ? ` (the newest release of ${baseName} with a wheel that loads there is ${req.fittingVersions[req.fittingVersions.length - 1]}: pin `
      + `${baseName}==${req.fittingVersions[req.fittingVersions.length - 1]})`
    : '';

  const wide = manylinuxTags(WIDEST_GLIBC, target.architecture);
  const anyGlibc = await probe(spec, opts, { python: py, platforms: wide });
  const anyTags = anyGlibc && wheelFileTags(anyGlibc.file);
  if (anyGlibc && anyTags) {
    const needs = wheelGlibc(anyTags.platforms);
    if (needs && compareGlibc(needs, target.os.glibc) > 0) {
      const family = target.runtime ? resolveRuntime(target.platform, target.runtime) : undefined;
      const other = family ? runtimeWithGlibc(family, needs) : undefined;
      return {
        requirement: spec,
        message: `${anyGlibc.name} ${anyGlibc.version} has wheels for ${cp} ${cpu} only for ${anyTags.platforms.join('.')} (glibc ${needs}); `
          + `${where}, which cannot load them`,
        fix: [
          other ? `use ${other.id} or later (${other.os?.name}, glibc ${other.os?.glibc})` : undefined,
          `pin a release with a manylinux2014 or manylinux_2_${target.os.glibc.split('.')[1]} wheel${fitting}`,
        ].filter(Boolean).join(', or ') + '.',
      };
    }
  }

  const others = PROBE_PYTHONS.filter((v) => v !== py);
  const byPython = await Promise.all(others.map((v) => probe(spec, opts, { python: v, platforms: wide })));
  const pythons = others.filter((_, i) => byPython[i]);
  if (pythons.length > 0) {
    const f = byPython.find((x) => x) as Found;
    return {
      requirement: spec,
      message: `${f.name} ${f.version} has wheels for ${cpu} Linux only for CPython ${pythons.slice().reverse().join(', ')} (e.g. ${f.file}), none `
        + `for ${cp} (no cp${py.replace('.', '')} or abi3 wheel); ${where}`,
      fix: `use a runtime with CPython ${pythons[0]}, or pin a release that publishes a cp${py.replace('.', '')} or abi3 wheel${fitting}, `
        + 'or build the wheel for that Python yourself and give it through findLinks. If it is only a dependency you do not need, pipArgs: '
        + '[\'--no-deps\'] skips it.',
    };
  }

  const otherArch: ArchitectureId = target.architecture === 'arm64' ? 'x86_64' : 'arm64';
  const onOther = await probe(spec, opts, { python: py, platforms: manylinuxTags(WIDEST_GLIBC, otherArch) });
  if (onOther) {
    return {
      requirement: spec,
      message: `${onOther.name} ${onOther.version} has Linux wheels for ${cp} only for ${wheelCpu(otherArch)} (${onOther.file}), none for ${cpu}; `
        + `${where}`,
      fix: `build the layer for ${otherArch === 'arm64' ? 'arm64' : 'x86_64'} (and run the functions there), or pin a release with a ${cpu} `
        + `wheel${fitting}.`,
    };
  }

  return {
    requirement: spec,
    message: `the package index pip is configured with has no wheel of ${baseName} matching '${spec}' for Linux on any CPython 3 (it may have none, `
      + 'or only a source distribution, which layersmith does not build: a build here would compile for this machine, not for the function, and run '
      + 'the package\'s own build code)',
    fix: `check the name and version (pip index versions ${baseName}) and the index pip uses (pip config list, or indexUrl / findLinks); `
      + 'for a package published only as source, build a manylinux wheel for the target (e.g. with cibuildwheel) and give its directory '
      + 'through findLinks.',
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
