import { createHash } from 'crypto';
import * as fs from 'fs';
import { COARSE_SETTLE_MS, isSettled } from './file-times';
import type { LayerManifest } from '../core/model';

/**
 * Verification of a cache entry before it is used: a cached ZIP that was truncated, emptied or
 * altered, or a manifest that no longer describes its ZIP, is removed (so the caller rebuilds)
 * instead of being shipped.
 *
 * Cost: the size is compared on every read. The full SHA-256 (about 100 ms for a 50 MB ZIP) runs
 * only when the ZIP's identity (device, inode, size, mtime, ctime) or the manifest's bytes differ
 * from what the last successful verification recorded in `<key>.verified.json`. Any write,
 * truncation or replacement of the ZIP changes its ctime or inode, and no ordinary tool can set
 * ctime back, so an unchanged stamp means unchanged bytes; a warm synth costs two stats and a
 * small read. A cache copied from elsewhere (CI restore) gets new inodes and is hashed once.
 *
 * File times tick coarsely (a kernel jiffy, or whole seconds on some file systems), so a write in
 * the same tick as the stamp could leave ctime unchanged. A stamp is therefore only written once
 * the ZIP's ctime is settled (file-times.ts: a tenth of a second where times have a sub-second
 * part, STAMP_SETTLE_MS where they are whole seconds; "racy git" has the same rule): a fresh
 * commit is hashed on each read until then, and never again while it stays untouched. The
 * process that built an entry stamps it as it exits (`stampOnExit`), so the next synth is free.
 */

/** The longest a ZIP changed this long ago is hashed on every read instead of stamped. */
export const STAMP_SETTLE_MS = COARSE_SETTLE_MS;

/** What the last successful verification saw. */
interface VerifiedStamp {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** SHA-256 hex of the manifest file's bytes. */
  readonly manifest: string;
}

/** The stamp file of a cached ZIP (`<key>.zip` -> `<key>.verified.json`). */
export function verifiedStampPath(zipPath: string): string {
  return zipPath.replace(/\.zip$/, '') + '.verified.json';
}

/**
 * True when the cached ZIP at `zipPath` is the one `manifest` (read from `manifestPath`)
 * describes. Otherwise the entry is removed, one line says why on stderr (unless
 * LAYERSMITH_QUIET=1), and false tells the caller to rebuild.
 */
export function verifyCachedArtifact(zipPath: string, manifestPath: string, manifest: LayerManifest, manifestBytes?: Uint8Array): boolean {
  let st: fs.Stats;
  let manifestDigest: string;
  try {
    st = fs.statSync(zipPath);
    // The bytes `manifest` was parsed from, when the caller has them: the file is read once.
    manifestDigest = sha256Hex(manifestBytes ?? fs.readFileSync(manifestPath));
  } catch {
    // No ZIP (a build interrupted before its rename, or another process removing it): a miss.
    return false;
  }
  const recorded = manifest?.zip;
  if (!recorded || typeof recorded.sha256 !== 'string' || typeof recorded.zippedSize !== 'number') {
    return reject(zipPath, manifestPath, st, 'its manifest records no ZIP size and SHA-256');
  }
  if (st.size !== recorded.zippedSize) {
    return reject(zipPath, manifestPath, st, `the ZIP is ${st.size} bytes but its manifest records ${recorded.zippedSize}`);
  }
  const stampPath = verifiedStampPath(zipPath);
  if (sameStamp(readStamp(stampPath), st, manifestDigest)) return true;

  let actual: string;
  try {
    actual = sha256Base64File(zipPath);
  } catch {
    return false;
  }
  if (actual !== recorded.sha256) {
    return reject(zipPath, manifestPath, st, `the ZIP's SHA-256 is ${actual} but its manifest records ${recorded.sha256}`);
  }
  // Best effort: in a read-only cache every read hashes instead.
  if (isSettled(st, Date.now())) writeStamp(stampPath, st, manifestDigest);
  return true;
}

/** Entries to stamp as this process exits: ZIP path -> manifest path. */
const stampOnExitEntries = new Map<string, string>();

/**
 * Verifies and stamps a cache entry as this process exits, once: the process that built it (and
 * linked it into a cloud assembly) has the ZIP's first moments behind it by then, so the next
 * synth finds a stamp instead of hashing the whole ZIP. Silent and best effort: nothing is
 * removed or reported here (the next read does that), an unsettled or unstampable entry is left
 * as it is.
 */
export function stampOnExit(zipPath: string, manifestPath: string): void {
  // One exit listener for every entry of the process.
  if (stampOnExitEntries.size === 0) process.once('exit', () => stampOnExitEntries.forEach((m, z) => stampIfSettled(z, m)));
  stampOnExitEntries.set(zipPath, manifestPath);
}

function stampIfSettled(zipPath: string, manifestPath: string): void {
  try {
    const st = fs.statSync(zipPath);
    if (!isSettled(st, Date.now())) return;
    const bytes = fs.readFileSync(manifestPath);
    const digest = sha256Hex(bytes);
    const stampPath = verifiedStampPath(zipPath);
    if (sameStamp(readStamp(stampPath), st, digest)) return;
    const recorded = (JSON.parse(bytes.toString('utf8')) as LayerManifest).zip;
    if (st.size !== recorded?.zippedSize || sha256Base64File(zipPath) !== recorded.sha256) return;
    // Stamped with the stat taken before hashing: a change since shows as another ctime.
    writeStamp(stampPath, st, digest);
  } catch {
    // gone (a test's temp cache), unreadable or damaged: the next read decides
  }
}

/**
 * Runs `link` (which hard-links the cached ZIP elsewhere and renames the link into place) and
 * keeps the ZIP's verification stamp valid across it: a link and a rename move the inode's ctime,
 * which would otherwise make the next read hash the whole ZIP again, on every warm synth that
 * links it into a cloud assembly. The stamp is carried only when it was valid right before and
 * the only change after is ours: same device, inode, size and mtime, and `linkDelta` more links.
 * A write racing the link itself (microseconds) is the one change this does not see.
 */
export function linkKeepingStamp(zipPath: string, linkDelta: number, link: () => void): void {
  const stampPath = verifiedStampPath(zipPath);
  let before: fs.Stats | undefined;
  let stamp: VerifiedStamp | undefined;
  try {
    before = fs.statSync(zipPath);
    stamp = readStamp(stampPath);
  } catch {
    // no ZIP to look at: the link below reports it
  }
  link();
  if (!before || !stamp || !sameStamp(stamp, before, stamp.manifest)) return;
  let after: fs.Stats;
  try {
    after = fs.statSync(zipPath);
  } catch {
    return;
  }
  const onlyLinked = after.dev === before.dev && after.ino === before.ino && after.size === before.size
    && after.mtimeMs === before.mtimeMs && after.nlink === before.nlink + linkDelta;
  if (onlyLinked) writeStamp(stampPath, after, stamp.manifest);
}

/**
 * Starts carrying the ZIP's verification stamp across a framework's asset staging, which moves the
 * link `placeArtifact` made (CDK renames `<bundle dir>/layer.zip` to `asset.<hash>.zip`, or removes
 * it when that file is already there): a rename or an unlink moves the inode's ctime like a write
 * would. Call the returned function right after the staging. The stamp is carried only when it was
 * valid at the start and the ZIP kept its device, inode, size and mtime with at most our one link
 * more; as with `linkKeepingStamp`, a write racing the staging itself (the milliseconds of the
 * framework's own synchronous code) is the one change this does not see.
 */
export function carryStampAcross(zipPath: string): () => void {
  const stampPath = verifiedStampPath(zipPath);
  let before: fs.Stats;
  let stamp: VerifiedStamp | undefined;
  try {
    before = fs.statSync(zipPath);
    stamp = readStamp(stampPath);
  } catch {
    return () => undefined;
  }
  if (!stamp || !sameStamp(stamp, before, stamp.manifest)) return () => undefined;
  const manifest = stamp.manifest;
  return () => {
    let after: fs.Stats;
    try {
      after = fs.statSync(zipPath);
    } catch {
      return;
    }
    if (sameStamp(readStamp(stampPath), after, manifest)) return;
    const onlyMoved = after.dev === before.dev && after.ino === before.ino && after.size === before.size
      && after.mtimeMs === before.mtimeMs && (after.nlink === before.nlink || after.nlink === before.nlink + 1);
    if (onlyMoved) writeStamp(stampPath, after, manifest);
  };
}

function reject(zipPath: string, manifestPath: string, seen: fs.Stats, why: string): false {
  // Remove only the ZIP that was examined: a concurrent build may have renamed a good one in.
  try {
    const now = fs.statSync(zipPath);
    if (now.ino !== seen.ino || now.dev !== seen.dev) return false;
  } catch {
    return false;
  }
  for (const p of [zipPath, manifestPath, verifiedStampPath(zipPath)]) {
    try {
      fs.rmSync(p, { force: true });
    } catch {
      // a read-only cache: the entry stays refused on every read, and the build writes elsewhere or fails clearly
    }
  }
  if (process.env.LAYERSMITH_QUIET !== '1') {
    process.stderr.write(`layersmith: cached layer ${zipPath} is damaged (${why}); removed it, rebuilding\n`);
  }
  return false;
}

function readStamp(file: string): VerifiedStamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as VerifiedStamp;
  } catch {
    return undefined;
  }
}

function sameStamp(stamp: VerifiedStamp | undefined, st: fs.Stats, manifestDigest: string): boolean {
  return !!stamp
    && stamp.dev === st.dev && stamp.ino === st.ino && stamp.size === st.size
    && stamp.mtimeMs === st.mtimeMs && stamp.ctimeMs === st.ctimeMs
    && stamp.manifest === manifestDigest;
}

function writeStamp(file: string, st: fs.Stats, manifestDigest: string): void {
  const stamp: VerifiedStamp = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, manifest: manifestDigest };
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(stamp) + '\n');
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Base64 SHA-256 of a file, read in 1 MiB chunks so a large ZIP is never held whole. */
function sha256Base64File(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('base64');
}
