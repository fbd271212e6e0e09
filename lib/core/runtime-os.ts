import { LayersmithValidationError } from './errors';
import type { ArchitectureId, PlatformId } from './model';

/**
 * The operating system each runtime's functions run on, and its glibc: what native code in a
 * layer (a manylinux wheel, a `.so` needing GLIBC_X.Y) must be able to load on.
 *
 * PEP 600: a `manylinux_X_Y` wheel, or an ELF object needing symbol version GLIBC_X.Y, loads only
 * where glibc >= X.Y.
 */

/** One operating system release a runtime runs on. */
export interface RuntimeOs {
  /** Name for messages, e.g. 'Amazon Linux 2023', 'Debian 11'. */
  readonly name: string;
  /** glibc version 'X.Y' of that OS. */
  readonly glibc: string;
  /** False when no primary source confirms the OS or its glibc for this runtime (a default, overridable). */
  readonly confirmed: boolean;
}

/*
 * Sources: AWS Lambda developer guide runtime pages (lambda-python, lambda-nodejs, lambda-java,
 * lambda-ruby, lambda-csharp, runtimes-provided) and the "Lambda runtimes" table (OS column);
 * Amazon Linux 2023 user guide (glibc 2.34); Amazon Linux 2 ships glibc 2.26. AL1 runtimes come
 * from the 2021 Lambda guide; their glibc 2.17 is unconfirmed.
 * FC runtime overview pages (help.aliyun.com, "Runtime environments": OS per runtime);
 * packages.debian.org libc6: stretch 2.24, buster 2.28, bullseye 2.31, bookworm 2.36.
 */
const AL2023: RuntimeOs = Object.freeze({ name: 'Amazon Linux 2023', glibc: '2.34', confirmed: true });
const AL2: RuntimeOs = Object.freeze({ name: 'Amazon Linux 2', glibc: '2.26', confirmed: true });
const AL1: RuntimeOs = Object.freeze({ name: 'Amazon Linux 1', glibc: '2.17', confirmed: false });
const DEBIAN9: RuntimeOs = Object.freeze({ name: 'Debian 9', glibc: '2.24', confirmed: false });
const DEBIAN10: RuntimeOs = Object.freeze({ name: 'Debian 10', glibc: '2.28', confirmed: true });
const DEBIAN11: RuntimeOs = Object.freeze({ name: 'Debian 11', glibc: '2.31', confirmed: true });
const DEBIAN12: RuntimeOs = Object.freeze({ name: 'Debian 12', glibc: '2.36', confirmed: true });

const unconfirmed = (os: RuntimeOs): RuntimeOs => Object.freeze({ ...os, confirmed: false });

/** AWS: runtime id -> OS, as the Lambda runtimes table lists it. */
const AWS_OS: ReadonlyMap<string, RuntimeOs> = new Map<string, RuntimeOs>([
  ...['python3.12', 'python3.13', 'python3.14', 'python3.15'].map((id) => [id, AL2023] as const),
  ...['nodejs20.x', 'nodejs22.x', 'nodejs24.x'].map((id) => [id, AL2023] as const),
  ...['java21', 'java25', 'java8.al2023', 'java11.al2023', 'java17.al2023'].map((id) => [id, AL2023] as const),
  ...['ruby3.3', 'ruby3.4', 'ruby4.0', 'dotnet8', 'dotnet9', 'dotnet10', 'provided.al2023'].map((id) => [id, AL2023] as const),
  ...['python3.8', 'python3.9', 'python3.10', 'python3.11'].map((id) => [id, AL2] as const),
  ...['nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'nodejs18.x'].map((id) => [id, AL2] as const),
  ...['java8.al2', 'java11', 'java17', 'ruby2.7', 'ruby3.2', 'dotnet6', 'dotnetcore3.1', 'provided.al2'].map((id) => [id, AL2] as const),
  ...['python2.7', 'python3.6', 'python3.7', 'java8', 'go1.x', 'ruby2.5', 'dotnetcore2.1', 'provided'].map((id) => [id, AL1] as const),
  // Retired before the runtimes table listed an OS: what they are believed to have run on.
  ...['nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'dotnetcore1.0', 'dotnetcore2.0'].map((id) => [id, AL1] as const),
  ...['nodejs10.x', 'dotnet5.0', 'dotnet7'].map((id) => [id, unconfirmed(AL2)] as const),
]);

/** FC: runtime id -> OS, as the FC runtime overview lists it (custom-container runs an image: no OS). */
const FC_OS: ReadonlyMap<string, RuntimeOs> = new Map<string, RuntimeOs>([
  ...['python3', 'python3.9', 'nodejs12', 'nodejs14', 'nodejs16', 'custom'].map((id) => [id, DEBIAN9] as const),
  ...['python3.10', 'nodejs18', 'nodejs20', 'custom.debian10'].map((id) => [id, DEBIAN10] as const),
  ...['python3.12', 'custom.debian11'].map((id) => [id, DEBIAN11] as const),
  ['custom.debian12', DEBIAN12],
  // The overview names no Debian release for these: treated as the oldest FC image, Debian 9.
  ...['java8', 'java11', 'php7.2', 'go1', 'python2.7', 'nodejs8', 'nodejs10', 'dotnetcore2.1', 'dotnetcore3.1'].map((id) => [id, DEBIAN9] as const),
]);

/**
 * The OS a runtime's functions run on, or undefined when layersmith does not know it (an FC3 id
 * it does not list, custom-container). `glibcOverride` ('X.Y') replaces the glibc, for an
 * unconfirmed value or a runtime the table does not know yet.
 */
export function runtimeOs(platform: PlatformId, runtime: string, glibcOverride?: string): RuntimeOs | undefined {
  const os = (platform === 'aws' ? AWS_OS : platform === 'alicloud' ? FC_OS : undefined)?.get(runtime);
  if (glibcOverride === undefined) return os;
  if (!/^2\.\d+$/.test(glibcOverride)) {
    throw new LayersmithValidationError('BAD_GLIBC', `glibc override '${glibcOverride}' for ${runtime} is not of the form '2.Y'. Fix: e.g. glibc: `
      + '\'2.28\'.');
  }
  return Object.freeze({ name: os ? `${os.name} (glibc set to ${glibcOverride})` : `glibc ${glibcOverride}`, glibc: glibcOverride, confirmed: true });
}

/** Compares two 'X.Y' versions numerically: negative when a < b. */
export function compareGlibc(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am - bm || (an || 0) - (bn || 0);
}

/** What a layer for several runtimes is built for: the runtime with the oldest glibc. */
export interface OldestOs {
  /** The runtime chosen (the first of the oldest, in the order given). */
  readonly runtime: string;
  readonly os: RuntimeOs;
  /** True when the runtimes run on different glibc versions (so the choice is worth saying). */
  readonly mixed: boolean;
}

/**
 * The oldest OS among `runtimes` (lowest glibc): native code that loads there loads on all of them.
 * Runtimes with an unknown OS are ignored; undefined when none is known.
 */
export function oldestOs(platform: PlatformId, runtimes: readonly string[], glibcOverride?: string): OldestOs | undefined {
  let best: { runtime: string; os: RuntimeOs } | undefined;
  const seen = new Set<string>();
  for (const runtime of runtimes) {
    const os = runtimeOs(platform, runtime, glibcOverride);
    if (!os) continue;
    seen.add(os.glibc);
    if (!best || compareGlibc(os.glibc, best.os.glibc) < 0) best = { runtime, os };
  }
  return best ? { ...best, mixed: seen.size > 1 } : undefined;
}

/** The manylinux CPU name for an architecture. */
export function wheelCpu(architecture: ArchitectureId): 'x86_64' | 'aarch64' {
  return architecture === 'arm64' ? 'aarch64' : 'x86_64';
}

/** Legacy manylinux names and the glibc they stand for (PEP 513, 571, 599). */
const LEGACY_MANYLINUX: ReadonlyArray<readonly [string, number]> = [['manylinux2014', 17], ['manylinux2010', 12], ['manylinux1', 5]];

/**
 * Every manylinux platform tag a glibc 'X.Y' can load for an architecture, newest first:
 * manylinux_2_Y down to manylinux_2_17 (aarch64 starts there) or manylinux_2_5 (x86_64), and the
 * legacy aliases manylinux2014 / manylinux2010 / manylinux1 the tags cover. pip's `--platform`
 * accepts only the exact tag given, so the build passes one per tag.
 */
export function manylinuxTags(glibc: string, architecture: ArchitectureId): string[] {
  const cpu = wheelCpu(architecture);
  const [major, minor] = glibc.split('.').map(Number);
  const floor = cpu === 'aarch64' ? 17 : 5;
  if (major !== 2 || !(minor >= floor)) return [];
  const tags: string[] = [];
  for (let y = minor; y >= floor; y--) tags.push(`manylinux_2_${y}_${cpu}`);
  for (const [name, y] of LEGACY_MANYLINUX) {
    if (y >= floor && y <= minor) tags.push(`${name}_${cpu}`);
  }
  return tags;
}

/** The glibc 'X.Y' a manylinux platform tag needs, or undefined for another kind of tag. */
export function glibcOfPlatformTag(tag: string): string | undefined {
  const m = /^manylinux_(\d+)_(\d+)_/.exec(tag);
  if (m) return `${m[1]}.${m[2]}`;
  for (const [name, y] of LEGACY_MANYLINUX) {
    if (tag.startsWith(`${name}_`)) return `2.${y}`;
  }
  return undefined;
}
