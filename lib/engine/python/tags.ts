import type { ArchitectureId, PlatformId } from '../../core/model';
import { manylinuxTags, oldestOs, type RuntimeOs } from '../../core/runtime-os';

/** What wheels are selected for: one Python version on one OS and CPU. */
export interface WheelTarget {
  readonly platform: PlatformId;
  readonly architecture: ArchitectureId;
  /** CPython version 'X.Y'. */
  readonly pythonVersion: string;
  /** The runtime whose OS was chosen (the oldest among those declared), when one is known. */
  readonly runtime?: string;
  /** Its OS and glibc (manylinux2014's glibc 2.17 when no declared runtime's OS is known). */
  readonly os: RuntimeOs;
  /** The manylinux platform tags that glibc loads, newest first. */
  readonly platformTags: readonly string[];
  /** A line for the progress output and the manifest when the choice is worth saying. */
  readonly note?: string;
}

/** The OS assumed for runtimes layersmith has no OS for: manylinux2014's floor, which every current Linux loads. */
const FALLBACK_OS: RuntimeOs = Object.freeze({ name: 'an unknown OS (manylinux2014 assumed)', glibc: '2.17', confirmed: false });

/**
 * The wheel target of a build for `runtimes`: the oldest OS among them (a wheel that loads there
 * loads on all of them), with a note saying so when they differ. `glibcOverride` replaces the
 * runtimes' glibc.
 */
export function wheelTarget(
  platform: PlatformId, architecture: ArchitectureId, runtimes: readonly string[], pythonVersion: string, glibcOverride?: string,
): WheelTarget {
  const oldest = oldestOs(platform, runtimes, glibcOverride);
  const os = oldest?.os ?? FALLBACK_OS;
  let note: string | undefined;
  if (!oldest) {
    note = `wheels selected for glibc 2.17 (manylinux2014): no OS is known for ${runtimes.join(', ') || 'the target'}; set glibc to change it`;
  } else if (oldest.mixed) {
    note = `wheels selected for ${oldest.runtime}'s ${os.name} (glibc ${os.glibc}), the oldest OS among ${runtimes.join(', ')}`;
  }
  return {
    platform,
    architecture,
    pythonVersion,
    ...(oldest ? { runtime: oldest.runtime } : {}),
    os,
    platformTags: manylinuxTags(os.glibc, architecture),
    ...(note ? { note } : {}),
  };
}

/**
 * pip's target flags: one `--platform` per manylinux tag the glibc loads (pip matches each
 * exactly), the CPython version, wheels only. pip then also accepts abi3 wheels of that or an
 * earlier CPython 3 and pure `py3-none-any` wheels, which is what the runtime loads.
 */
export function pipTargetArgs(target: WheelTarget): string[] {
  return [
    ...target.platformTags.flatMap((t) => ['--platform', t]),
    '--python-version', target.pythonVersion,
    '--implementation', 'cp',
    '--only-binary=:all:',
  ];
}
