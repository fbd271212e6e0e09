import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { BuildOptions, BuildTarget, LayerArtifact, SourceSpec } from './api';
import { makeStagingDir, sweepStagingDirs, sweepStaleTemps, tempPath, writeFileAtomic } from './atomic';
import { singleFlight } from './build-lock';
import type { BuildContext } from './builders/context';
import { BUILDER_FORMAT, BUILDER_ID, LAYERSMITH_VERSION, artifactPaths, computeInputKey, defaultCacheDir, readArtifact } from './cache';
import { canonicalJson, digestCounters, rememberFileDigest, type Json } from './digest';
import { DigestIndex, digestIndexDir } from './digest-index';
import { keysAfterPack } from './first-build';
import { fsFault } from './fs-faults';
import { inspectZip } from './inspect';
import { lockIsDead } from './leftovers';
import { ProgressReporter, formatElapsed } from './progress';
import { removeOnSignal } from './signal-cleanup';
import { slimLayer } from './slim';
import { LayerSource } from './source';
import { anchorDirectory, runBuilder } from './sources';
import { pausePoint } from './test-pause';
import { packDirectory, ReuseRecorder, ReuseSource, reuseRecordPath } from './zip';
import { LayersmithBuildError } from '../core/errors';
import type { LayerManifest, SlimRecord } from '../core/model';

/**
 * Turns a source into a layer artifact (ZIP + manifest) in the content-addressed cache.
 *
 * A hit returns at once without running any package manager. A miss builds into a fresh staging
 * directory, packs it reproducibly, inspects the ZIP and renames the ZIP and then the manifest
 * into the cache: a reader only trusts an entry whose manifest exists, so an interrupted build
 * leaves nothing that looks complete, and two processes building one key at once both rename
 * identical bytes into place.
 */
export async function buildLayer(source: LayerSource | SourceSpec, target: BuildTarget, options: BuildOptions = {}): Promise<LayerArtifact> {
  const spec = source instanceof LayerSource ? source.bind() : source;
  if (keysAfterPack(spec, options.cacheDir)) return buildKeyAfterPack(spec, target, options);
  return buildWithKey(spec, target, computeInputKey(spec, target, options.cacheDir), options);
}

/**
 * buildLayer for a first build of a directory layer: packs first, with the deflate workers
 * hashing the bytes they compress, and computes the key afterwards from those digests (no file
 * is read twice). The entry is committed under that key. Processes that start the same first
 * build at once wait for each other on a provisional key (single flight), then key the tree
 * themselves (its digest record now spares the reads) and take the committed entry.
 * @internal
 */
export async function buildKeyAfterPack(spec: SourceSpec, target: BuildTarget, options: BuildOptions = {}): Promise<LayerArtifact> {
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const progress = progressOf(spec, options);
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
  } catch (err) {
    throw fsFault(err, cacheDir);
  }
  const flight = await singleFlight(cacheDir, provisionalKey(spec, target),
    // Nothing is committed under a provisional key: waiters take the lock once it is free.
    () => undefined,
    async () => {
      // A first build that ended while this process waited left the tree's digest record.
      if (!keysAfterPack(spec, cacheDir)) return buildWithKey(spec, target, computeInputKey(spec, target, cacheDir), options);
      try {
        return await buildAndCommit(spec, target, undefined, cacheDir, progress);
      } catch (err) {
        if (!(err instanceof PackedTreeChanged)) throw err;
        progress.note(`${err.message}; building again from the files as they are now`);
        return buildWithKey(spec, target, err.inputKey, options);
      }
    },
    (pid) => progress.note(`waiting for process ${pid ?? '(starting)'}, which is building ${anchorDirectory(spec)} for the first time`));
  return flight.value;
}

/**
 * Lock name of a first build before its key is known: the canonical spec, target and layersmith
 * version. Its prefix makes it differ from every real key (64 hex digits).
 */
function provisionalKey(spec: SourceSpec, target: BuildTarget): string {
  const doc = { layersmith: LAYERSMITH_VERSION, format: BUILDER_FORMAT, target: { ...target, runtimes: [...target.runtimes] }, spec };
  return `first-${createHash('sha256').update(canonicalJson(doc as unknown as Json)).digest('hex').slice(0, 40)}`;
}

/** A file of a first build changed between its pack and its key: the ZIP may not be what the key describes. */
class PackedTreeChanged extends Error {
  constructor(message: string, public readonly inputKey: string) {
    super(message);
  }
}

/**
 * The key of a directory layer just packed: every file packed was hashed by the deflate workers
 * from the bytes they compressed, so the key reads no file. A file read anyway (new since the
 * walk, or changed), or a packed file the key did not see as packed (changed or deleted), means
 * the ZIP may hold other bytes than the key describes: PackedTreeChanged, with the key of the
 * files now.
 */
function keyOfPackedTree(spec: SourceSpec, target: BuildTarget, cacheDir: string, packed: ReadonlyArray<readonly [string, fs.Stats]>): string {
  const onRecord = DigestIndex.exists(digestIndexDir(cacheDir), path.resolve(anchorDirectory(spec)));
  const before = digestCounters();
  const key = computeInputKey(spec, target, cacheDir);
  const read = digestCounters().read - before.read;
  const keyed = digestCounters().keyed - before.keyed;
  // With no digest record yet, a file keyed without a read is one the pack remembered (same path
  // and stamps): none read and as many keyed as packed is exactly the packed files, unchanged.
  // Otherwise (a record written meanwhile, or files the key never counts, like .svn/) every
  // packed file must still be as the pack found it.
  let consistent = read === 0 && keyed <= packed.length;
  if (consistent && (onRecord || keyed !== packed.length)) consistent = packed.every(([file, st]) => sameStamps(file, st));
  if (!consistent) {
    const moved = packed.find(([file, st]) => !sameStamps(file, st));
    throw new PackedTreeChanged(moved ? `${moved[0]} changed while the layer was packed`
      : `files appeared or changed in ${anchorDirectory(spec)} while it was packed`, key);
  }
  return key;
}

function sameStamps(file: string, st: fs.Stats): boolean {
  let now: fs.Stats;
  try {
    now = fs.lstatSync(file);
  } catch {
    return false;
  }
  return now.size === st.size && now.mtimeMs === st.mtimeMs && now.ctimeMs === st.ctimeMs && now.ino === st.ino && now.dev === st.dev;
}

function progressOf(spec: SourceSpec, options: BuildOptions): ProgressReporter {
  // On a terminal each step redraws one line with done/total and elapsed time; in logs it prints
  // plain lines. The sync worker inherits the parent's stderr, so `cdk synth` in a terminal shows it.
  return new ProgressReporter({
    prefix: `layersmith [${spec.kind}]`,
    quiet: options.progress === false || process.env.LAYERSMITH_QUIET === '1',
  });
}

/**
 * buildLayer with the key already computed (by `buildLayerSync`'s parent process, which has just
 * hashed the same inputs).
 * @internal
 */
export async function buildWithKey(spec: SourceSpec, target: BuildTarget, inputKey: string, options: BuildOptions = {}): Promise<LayerArtifact> {
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const progress = progressOf(spec, options);

  const hit = readArtifact(cacheDir, inputKey);
  if (hit) {
    progress.note(`cache hit ${inputKey.slice(0, 12)} (${formatBytes(hit.manifest.zip.zippedSize)})`);
    return hit;
  }

  try {
    fs.mkdirSync(cacheDir, { recursive: true });
  } catch (err) {
    throw fsFault(err, cacheDir);
  }
  // One build per key at a time across processes: the others wait and take its entry.
  const flight = await singleFlight(cacheDir, inputKey,
    () => readArtifact(cacheDir, inputKey),
    () => buildAndCommit(spec, target, inputKey, cacheDir, progress),
    (pid) => progress.note(`waiting for process ${pid ?? '(starting)'}, which is building ${inputKey.slice(0, 12)}`));
  return flight.value;
}

/** Builds, packs and commits; `keyGiven` undefined means: key the packed tree afterwards (buildKeyAfterPack). */
async function buildAndCommit(
  spec: SourceSpec, target: BuildTarget, keyGiven: string | undefined, cacheDir: string, progress: ProgressReporter,
): Promise<LayerArtifact> {
  // What killed builds left: temps in the cache and staging directories in the OS temp dir.
  sweepStaleTemps(cacheDir);
  sweepStagingDirs();
  const scratch = makeStagingDir(spec.kind);
  const tmpZip = tempPath(artifactPaths(cacheDir, keyGiven ?? provisionalKey(spec, target)).zipPath);
  // Ctrl-C or SIGTERM mid-build removes both before the process ends (signal-cleanup.ts).
  const forgetScratch = removeOnSignal(scratch);
  const forgetTmpZip = removeOnSignal(tmpZip);
  const staging = path.join(scratch, 'layer');
  const work = path.join(scratch, 'work');
  const started = Date.now();
  try {
    fs.mkdirSync(staging);
    fs.mkdirSync(work);
    pausePoint('build:scratch');
    const ctx: BuildContext = {
      staging,
      work,
      target,
      step: (name, fn) => progress.step(name, () => fn()),
      note: (m) => progress.note(m),
    };
    pausePoint('build:builder-start');
    const built = await runBuilder(spec, ctx);
    const { unpinned, notes } = built;
    const { root, slim } = spec.slim ? await slimStaged(spec, built.root, ctx) : { root: built.root, slim: undefined };
    pausePoint('build:staged');
    // Incremental: entries of the previous build of this source whose content digest (from the
    // key's digest record, so no file is read for it) is unchanged are copied, not compressed.
    const reuseFile = reuseRecordPath(cacheDir, reuseIdentity(spec, target));
    const digests = DigestIndex.open(digestIndexDir(cacheDir), path.resolve(root));
    const recorder = new ReuseRecorder(PACK_LEVEL);
    // Keyed after the pack: the workers hash what they compress, and this process remembers it.
    const packedFiles: Array<readonly [string, fs.Stats]> = [];
    const onFileDigest = keyGiven === undefined ? (file: string, st: fs.Stats, sha256: string) => {
      rememberFileDigest(file, st, sha256);
      packedFiles.push([file, st]);
    } : undefined;
    const packed = await progress.step('pack zip', (update) => packDirectory(root, tmpZip, {
      excludes: spec.excludes ? [...spec.excludes] : undefined,
      onProgress: (done, total) => {
        if (done * 2 >= total && done < total) pausePoint('pack:half');
        update(done, total);
      },
      level: PACK_LEVEL,
      reuse: { previous: ReuseSource.open(reuseFile, PACK_LEVEL), contentDigest: (rel, st) => digests.lookup(rel, st), recorder },
      onFileDigest,
    }));
    pausePoint('pack:done');
    const inputKey = keyGiven ?? keyOfPackedTree(spec, target, cacheDir, packedFiles);
    // A tree whose files are all too recent for a digest record is keyed after its pack again
    // on the next build: its entry may be in the cache already.
    const cached = keyGiven === undefined ? readArtifact(cacheDir, inputKey) : undefined;
    if (cached) {
      progress.note(`cache hit ${inputKey.slice(0, 12)} (${formatBytes(cached.manifest.zip.zippedSize)})`);
      return cached;
    }
    const { zipPath, manifestPath } = artifactPaths(cacheDir, inputKey);
    if (packed.reusedEntries > 0) progress.note(`reused ${packed.reusedEntries} of ${packed.entryCount} entries from the previous build`);
    for (const ex of packed.excluded.filter((e) => e.secret)) {
      progress.note(`left out secret-looking file ${ex.path} (${ex.reason})`);
    }
    // The writer hashed the bytes it wrote: inspection reads only the central directory and metadata.
    const inspected = await progress.step('inspect zip', () => inspectZip(tmpZip, { checksums: { sha256: packed.sha256, crc64: packed.crc64 } }));
    pausePoint('inspect:done');
    refuseEmptyLayer(spec, root, inspected, packed.excluded);
    const manifest: LayerManifest = {
      ...inspected,
      ...(slim ? { slim } : {}),
      excluded: packed.excluded,
      build: {
        source: spec.kind,
        inputKey,
        platform: target.platform,
        architecture: target.architecture,
        runtimes: [...target.runtimes],
        builder: BUILDER_ID,
        ...(unpinned && unpinned.length > 0 ? { unpinned: [...unpinned] } : {}),
        ...(notes && notes.length > 0 ? { notes: [...notes] } : {}),
      },
    };
    const committed = await withKeyLock(cacheDir, inputKey, () => {
      // Another process finished this key while we built: keep its entry, so a ZIP and its
      // manifest always come from the same build (even for a command that is not reproducible).
      pausePoint('commit:locked');
      const other = readArtifact(cacheDir, inputKey);
      if (other) return other.manifest;
      fs.renameSync(tmpZip, zipPath);
      pausePoint('commit:zip-renamed');
      writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
      if (recorder.size > 0) recorder.save(reuseFile, zipPath, packed.zippedSize, manifest.zip.sha256);
      pausePoint('commit:manifest-written');
      return manifest;
    });
    pausePoint('commit:unlocked');
    const saved = committed.slim ? ` (slim saved ${formatBytes(committed.slim.savedBytes)})` : '';
    progress.note(`built ${inputKey.slice(0, 12)}: ${committed.zip.entryCount} entries, ${formatBytes(committed.zip.zippedSize)} zipped, `
      + `${formatBytes(committed.zip.unzippedSize)} unzipped${saved} in ${formatElapsed(Date.now() - started)}`);
    return { zipPath, manifestPath, manifest: committed, inputKey, cacheHit: false };
  } catch (err) {
    throw fsFault(err, cacheDir);
  } finally {
    fs.rmSync(tmpZip, { force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
    forgetTmpZip();
    forgetScratch();
  }
}

/** Deflate level of every layer ZIP (recorded with reused entries, which must match it). */
const PACK_LEVEL = 6;

/** What makes two builds "the same layer" for reuse: the source kind and where it lives, and the target. */
function reuseIdentity(spec: SourceSpec, target: BuildTarget): string {
  return `${spec.kind}\0${path.resolve(anchorDirectory(spec))}\0${target.platform}/${target.architecture}`;
}

/**
 * Slims the built layer root before packing. A root outside the staging directory (a user's
 * directory for fromDirectory) is copied there first: slimming never touches the user's files.
 */
async function slimStaged(spec: SourceSpec, builtRoot: string, ctx: BuildContext): Promise<{ root: string; slim: SlimRecord }> {
  let root = builtRoot;
  if (path.resolve(root) !== path.resolve(ctx.staging)) {
    root = path.join(ctx.work, 'slim-copy');
    await ctx.step('slim: copy the layer root', () => fs.cpSync(builtRoot, root, { recursive: true, verbatimSymlinks: true }));
  }
  const slim = await slimLayer(root, spec.slim!, {
    runtimes: ctx.target.runtimes,
    architecture: ctx.target.architecture,
    pythonVersion: spec.kind === 'python' ? spec.pythonVersion : undefined,
    work: ctx.work,
    step: ctx.step,
    note: ctx.note,
  });
  return { root, slim };
}

/** A layer with no file adds nothing under /opt: a wrong path or excludes that drop everything. */
function refuseEmptyLayer(spec: SourceSpec, root: string, inspected: LayerManifest, excluded: readonly { path: string }[]): void {
  if (inspected.entries.some((e) => e.type !== 'directory')) return;
  const origin = spec.kind === 'directory' || spec.kind === 'zip' ? spec.path : anchorDirectory(spec);
  const left = excluded.length > 0 ? `; ${excluded.length} paths were left out (${excluded.map((x) => x.path).join(', ')})` : '';
  throw new LayersmithBuildError('EMPTY_LAYER',
    `${sourceLabel(spec)}: the layer built from ${origin} holds no file${left}, so it would add nothing under /opt. `
    + `Fix: put the layer content into ${spec.kind === 'directory' ? origin : 'the source'}, or check its settings and excludes.`,
    { path: origin === root ? root : origin });
}

function sourceLabel(spec: SourceSpec): string {
  const names: Record<SourceSpec['kind'], string> = {
    directory: 'LayerSource.fromDirectory',
    zip: 'LayerSource.fromZip',
    python: 'LayerSource.python',
    node: 'LayerSource.node',
    java: 'LayerSource.java',
    php: 'LayerSource.php',
    ruby: 'LayerSource.ruby',
    customRuntime: 'LayerSource.customRuntime',
    command: 'LayerSource.command',
  };
  return names[spec.kind];
}

/** A lock older than this is from a killed process (the section it guards takes milliseconds). */
const LOCK_STALE_MS = 30_000;

/**
 * Runs `fn` while holding `<key>.lock` in the cache directory (created exclusively). Guards only
 * the commit of a finished build, never the build itself, so waiting is short.
 */
async function withKeyLock<T>(cacheDir: string, key: string, fn: () => T): Promise<T> {
  const lock = path.join(cacheDir, `${key}.lock`);
  for (;;) {
    try {
      // The owner's pid inside lets the next process remove the lock of a killed one at once.
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (lockIsDead(lock) || Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { force: true });
      } catch {
        // the holder released it between our open and stat: try again
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
