import { createHash, webcrypto } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { LayerManifest, ManifestEntry, NativeBinary, PackageRecord, WheelTagRecord } from '../../core/model';
import { compareEntryNames } from '../entry-name';
import { ZipInspectionError } from './errors';
import { detectNative, elfGlibcRequirement, isNativeCandidate, NATIVE_HEAD_BYTES } from './natives';
import * as pkgs from './packages';
import { CentralEntry, symlinkEscapes, TYPE_DIRECTORY, TYPE_FILE, TYPE_NAMES, TYPE_SYMLINK, ZipReader } from './zip-reader';
import { Crc64 } from '../../core/checksums';
import { compareGlibc } from '../../core/runtime-os';

/** Options of `inspectZip` and `extractZip`. */
export interface InspectOptions {
  /**
   * Refuse a ZIP whose entries add up to more uncompressed bytes than this (zip bomb guard).
   * @default 2 GiB (2,147,483,648)
   */
  readonly maxUnzippedBytes?: number;
  /**
   * Refuse a ZIP whose total uncompressed size is more than this many times its file size.
   * @default 200
   */
  readonly maxRatio?: number;
  /**
   * Inflate every entry and check its CRC-32 and size (reads the whole archive). Without it
   * only the central directory and the few entries inspection needs are read.
   * @default false (extractZip always verifies)
   */
  readonly verifyCrc?: boolean;
  /**
   * The ZIP's SHA-256 (base64) and CRC-64/XZ (decimal) when the caller already has them: the ZIP
   * writer computes both over the bytes it writes, so a build inspecting its own ZIP need not
   * read it whole again (nor hold it in memory) for them. Ignored with `verifyCrc`.
   * @default both computed from the file
   */
  readonly checksums?: { readonly sha256: string; readonly crc64: string };
}

export const DEFAULT_MAX_UNZIPPED_BYTES = 2 * 1024 * 1024 * 1024;
export const DEFAULT_MAX_RATIO = 200;

/** Files bigger than this are not read for package metadata (a package.json is never this big). */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;

const READ_SIZE_METADATA = 0;
const READ_WHEEL = 1;
const READ_NODE = 2;
const READ_COMPOSER = 3;
const READ_NATIVE = 4;

/** What an entry picked for reading is read for, by its name (the first that applies). */
function readKind(name: string): number {
  if (pkgs.isSizeMetadata(name)) return READ_SIZE_METADATA;
  if (name.endsWith('.dist-info/WHEEL')) return READ_WHEEL;
  if (pkgs.isNodePackageJson(name)) return READ_NODE;
  if (pkgs.isComposerInstalled(name)) return READ_COMPOSER;
  return READ_NATIVE;
}

/** Opens and validates a ZIP (names, duplicates, encryption, bombs, symlinks). */
export function openValidated(
  zipPath: string, options: InspectOptions, preloadMaxBytes = 0,
): { reader: ZipReader; links: Map<string, string> } {
  const reader = ZipReader.open(path.resolve(zipPath), {
    maxUnzippedBytes: options.maxUnzippedBytes ?? DEFAULT_MAX_UNZIPPED_BYTES,
    maxRatio: options.maxRatio ?? DEFAULT_MAX_RATIO,
  }, preloadMaxBytes);
  try {
    const links = new Map<string, string>();
    // The typed array's own indexOf finds the (few) symlinks without a JS loop over every entry.
    for (let k = reader.types.indexOf(TYPE_SYMLINK); k >= 0; k = reader.types.indexOf(TYPE_SYMLINK, k + 1)) {
      const e = reader.entry(k);
      const target = reader.readWhole(e).toString('utf8');
      if (symlinkEscapes(e.name, target)) {
        throw new ZipInspectionError('SYMLINK_ESCAPE', reader.file,
          `layersmith: ${reader.file} entry ${JSON.stringify(e.name)} is a symlink to ${JSON.stringify(target)}, which leaves the layer root; `
          + 'extracted under /opt it would reach into the rest of the file system. '
          + 'Replace the link with the file it points to, or a relative link inside the layer.',
          e.name);
      }
      links.set(e.name, target);
    }
    return { reader, links };
  } catch (err) {
    reader.close();
    throw err;
  }
}

/**
 * ZIPs up to this size are read into memory whole for inspection (one read instead of one per
 * inspected entry, and the checksums run over the same buffer); bigger ones are streamed, so
 * inspecting a huge ZIP needs little memory.
 */
const PRELOAD_MAX_BYTES = 64 * 1024 * 1024;

/** Preloaded ZIPs up to this size are hashed off the main thread (WebCrypto copies its input). */
const ASYNC_SHA_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The ZIP's SHA-256 and CRC-64. Call it as soon as the file is read: for a preloaded file the
 * SHA-256 runs on libuv's thread pool (WebCrypto) while this thread goes on inspecting, and the
 * result waits until `done` computes the CRC-64 here.
 */
function fileChecksums(file: string, whole: Buffer | undefined): { done: () => Promise<{ sha256: string; crc64: string }> } {
  if (whole && whole.length <= ASYNC_SHA_MAX_BYTES) {
    const sha = webcrypto.subtle.digest('SHA-256', whole);
    // Inspection may fail before `done`: the digest must not become an unhandled rejection then.
    sha.catch(() => undefined);
    return {
      done: async () => {
        const crc64 = new Crc64().update(whole).digestDecimal();
        return { sha256: Buffer.from(await sha).toString('base64'), crc64 };
      },
    };
  }
  return {
    done: async () => {
      const sha = createHash('sha256');
      const crc = new Crc64();
      if (whole) return { sha256: sha.update(whole).digest('base64'), crc64: crc.update(whole).digestDecimal() };
      for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
        sha.update(chunk as Buffer);
        crc.update(chunk as Buffer);
      }
      return { sha256: sha.digest('base64'), crc64: crc.digestDecimal() };
    },
  };
}


/**
 * The manifest entries in sorted order, the packages their names alone show, and the entries to
 * read. The loop has a function of its own: V8 optimizes a small function early and keeps it,
 * where a loop inside a big one runs unoptimized again on every call until on-stack replacement
 * catches up.
 */
function scanEntries(
  reader: ZipReader, links: ReadonlyMap<string, string>,
): { entries: ManifestEntry[]; packages: PackageRecord[]; reads: CentralEntry[] } {
  const { names, types, modes, compressedSizes, uncompressedSizes, sortedOrder: order } = reader;
  const count = names.length;
  // Entries come out sorted: one pass in sorted order builds them and finds what to read.
  const entries: ManifestEntry[] = new Array(count);
  const packages: PackageRecord[] = [];
  const reads: CentralEntry[] = [];
  // Built on first need: only wheels without directory entries ask.
  let nameSet: Set<string> | undefined;
  for (let i = 0; i < count; i++) {
    const k = order ? order[i] : i;
    const name = names[k];
    const type = types[k];
    const size = uncompressedSizes[k];
    const mode = modes[k];
    entries[i] = type === TYPE_SYMLINK
      ? { path: name, size, compressedSize: compressedSizes[k], mode, type: 'symlink', linkTarget: links.get(name) }
      : { path: name, size, compressedSize: compressedSizes[k], mode, type: TYPE_NAMES[type] };
    if (type === TYPE_DIRECTORY) {
      if (name.endsWith('.dist-info/')) {
        const rec = pkgs.pythonDistInfo(name);
        if (rec) packages.push(rec);
      }
      continue;
    }
    if (type !== TYPE_FILE) continue;
    // Each name tested below ends in one of these letters (.jar .gemspec METADATA WHEEL .json
    // RECORD .txt): one comparison spares most files the tests.
    const last = name.charCodeAt(name.length - 1);
    const maybeMetadata = last === 0x72 || last === 0x63 || last === 0x41 || last === 0x4C || last === 0x6E || last === 0x44 || last === 0x74;
    if (!maybeMetadata) {
      if (size > 0 && isNativeCandidate(name, mode)) reads.push(reader.entry(k));
      continue;
    }
    if (name.endsWith('.jar')) {
      const rec = pkgs.javaJar(name);
      if (rec) packages.push(rec);
    } else if (name.endsWith('.gemspec') && /(^|\/)specifications\/[^/]+$/.test(name)) {
      const rec = pkgs.rubyGemspec(name);
      if (rec) packages.push(rec);
    } else if (name.endsWith('.dist-info/METADATA')) {
      // Wheels do not always store directory entries; the METADATA file names the dist too.
      const dir = name.slice(0, -'METADATA'.length);
      nameSet ??= new Set(names);
      if (!nameSet.has(dir)) {
        const rec = pkgs.pythonDistInfo(dir);
        if (rec) packages.push(rec);
      }
    }
    if (size > 0 && (isNativeCandidate(name, mode)
      || (size <= MAX_METADATA_BYTES && (name.endsWith('.dist-info/WHEEL') || pkgs.isNodePackageJson(name)
        || pkgs.isComposerInstalled(name) || pkgs.isSizeMetadata(name))))) {
      reads.push(reader.entry(k));
    }
  }
  return { entries, packages, reads };
}

/**
 * Describes a layer ZIP (ours or a user's) without extracting it: entries, sizes, SHA-256 and
 * CRC-64 of the file, native binaries, wheel tags and packages with versions.
 *
 * Only the central directory is read, plus the heads of native-binary candidates (by extension
 * or execute bit) and the small metadata files (WHEEL, package.json in node_modules, composer's
 * installed.json, dist-info RECORD and top_level.txt); package names also come from paths
 * (dist-info directories, jar and gemspec file names). Each package gets its file count and
 * unzipped bytes, and `unowned` sums the files no package claims. `build` is left undefined
 * and `excluded` empty.
 *
 * Rejects with `ZipInspectionError` (see `ZipErrorCode`).
 */
export async function inspectZip(zipPath: string, options: InspectOptions = {}): Promise<LayerManifest> {
  // Known checksums leave only the central directory and a few entries to read: no preload.
  const known = options.verifyCrc ? undefined : options.checksums;
  const { reader, links } = openValidated(zipPath, options, known ? 0 : PRELOAD_MAX_BYTES);
  const checksums = known ? undefined : fileChecksums(reader.file, reader.whole);
  try {
    const { names, types } = reader;
    const count = names.length;
    const natives: NativeBinary[] = [];
    const wheelTags: WheelTagRecord[] = [];
    const { entries, packages, reads } = scanEntries(reader, links);
    // Read in file order: sequential disk access. What each file is read for is decided once.
    reads.sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    const kinds = reads.map((e) => readKind(e.name));
    const metadata = new Map<string, Buffer>();
    // Metadata files are read whole: all at once when they all can be (else one by one, below,
    // in the order the errors must come in).
    const contents = reader.readWholeMany(reads.filter((_, i) => kinds[i] !== READ_NATIVE));
    let w = 0;
    for (let i = 0; i < reads.length; i++) {
      const e = reads[i];
      const kind = kinds[i];
      if (kind === READ_NATIVE) {
        const found = detectNative(e.name, reader.readHead(e, NATIVE_HEAD_BYTES));
        // The verneed section sits wherever the section headers say: only the whole file has it.
        const glibc = found.length === 1 && found[0].format === 'elf' ? elfGlibcRequirement(reader.readWhole(e)) : undefined;
        natives.push(...(glibc ? [{ ...found[0], glibc }] : found));
        continue;
      }
      const content = contents ? contents[w++] : reader.readWhole(e);
      if (kind === READ_SIZE_METADATA) {
        metadata.set(e.name, content);
      } else if (kind === READ_WHEEL) {
        wheelTags.push({ path: e.name, tags: pkgs.wheelTags(content) });
      } else if (kind === READ_NODE) {
        const rec = pkgs.nodePackage(e.name, content);
        if (rec) packages.push(rec);
      } else {
        metadata.set(e.name, content);
        packages.push(...pkgs.composerPackages(e.name, content));
      }
    }
    if (options.verifyCrc) {
      for (let k = 0; k < count; k++) {
        if (types[k] === TYPE_DIRECTORY) continue;
        await reader.stream(reader.entry(k), () => undefined);
      }
    }
    const sums = known ?? await checksums!.done();
    natives.sort((a, b) => compareEntryNames(a.path, b.path) || a.cpu.localeCompare(b.cpu));
    wheelTags.sort((a, b) => compareEntryNames(a.path, b.path));
    // Paths are entry names: with only ASCII ones, JavaScript's own order is UTF-8 byte order.
    const comparePaths = reader.asciiNames ? (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0) : compareEntryNames;
    packages.sort((a, b) => comparePaths(a.path, b.path) || compareEntryNames(a.name, b.name));
    const glibc = natives.reduce<string | undefined>((hi, n) => (n.glibc && (!hi || compareGlibc(n.glibc, hi) > 0) ? n.glibc : hi), undefined);
    const sized = pkgs.packageSizes(entries, packages, metadata);
    // Every record made above has these four fields, in this order (attributeSizes copies any record).
    const sizedPackages: PackageRecord[] = packages.map((p, i) => ({
      ecosystem: p.ecosystem, name: p.name, version: p.version, path: p.path, files: sized.counts[i].files, unzippedBytes: sized.counts[i].bytes,
    }));
    return {
      schemaVersion: 1,
      zip: {
        sha256: sums.sha256,
        crc64: sums.crc64,
        zippedSize: reader.size,
        unzippedSize: reader.unzippedSize,
        entryCount: count,
      },
      entries,
      natives,
      wheelTags,
      packages: sizedPackages,
      unowned: sized.unowned,
      excluded: [],
      ...(glibc ? { glibc } : {}),
    };
  } finally {
    reader.close();
  }
}
