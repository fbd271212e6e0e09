import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { LayerManifest, ManifestEntry, NativeBinary, PackageRecord, WheelTagRecord } from '../../core/model';
import { compareEntryNames, sortByEntryName } from '../entry-name';
import { ZipInspectionError } from './errors';
import { detectNative, elfGlibcRequirement, isNativeCandidate, NATIVE_HEAD_BYTES } from './natives';
import * as pkgs from './packages';
import { CentralEntry, symlinkEscapes, ZipReader } from './zip-reader';
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
    for (const e of reader.entries) {
      if (e.type !== 'symlink') continue;
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

async function fileChecksums(file: string, whole: Buffer | undefined): Promise<{ sha256: string; crc64: string }> {
  const sha = createHash('sha256');
  const crc = new Crc64();
  if (whole) {
    return { sha256: sha.update(whole).digest('base64'), crc64: crc.update(whole).digestDecimal() };
  }
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    sha.update(chunk as Buffer);
    crc.update(chunk as Buffer);
  }
  return { sha256: sha.digest('base64'), crc64: crc.digestDecimal() };
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
  try {
    const entries: ManifestEntry[] = [];
    const natives: NativeBinary[] = [];
    const wheelTags: WheelTagRecord[] = [];
    const packages: PackageRecord[] = [];
    const reads: CentralEntry[] = [];
    // Built on first need: only wheels without directory entries ask.
    let names: Set<string> | undefined;
    for (const e of reader.entries) {
      entries.push(e.type === 'symlink'
        ? { path: e.name, size: e.uncompressedSize, compressedSize: e.compressedSize, mode: e.mode, type: e.type, linkTarget: links.get(e.name) }
        : { path: e.name, size: e.uncompressedSize, compressedSize: e.compressedSize, mode: e.mode, type: e.type });
      if (e.type === 'directory') {
        if (e.name.endsWith('.dist-info/')) {
          const rec = pkgs.pythonDistInfo(e.name);
          if (rec) packages.push(rec);
        }
        continue;
      }
      if (e.type !== 'file') continue;
      if (e.name.endsWith('.jar')) {
        const rec = pkgs.javaJar(e.name);
        if (rec) packages.push(rec);
      } else if (e.name.endsWith('.gemspec') && /(^|\/)specifications\/[^/]+$/.test(e.name)) {
        const rec = pkgs.rubyGemspec(e.name);
        if (rec) packages.push(rec);
      } else if (e.name.endsWith('.dist-info/METADATA')) {
        // Wheels do not always store directory entries; the METADATA file names the dist too.
        const dir = e.name.slice(0, -'METADATA'.length);
        names ??= new Set(reader.entries.map((x) => x.name));
        if (!names.has(dir)) {
          const rec = pkgs.pythonDistInfo(dir);
          if (rec) packages.push(rec);
        }
      }
      if (e.uncompressedSize > 0 && (isNativeCandidate(e.name, e.mode)
        || (e.uncompressedSize <= MAX_METADATA_BYTES && (e.name.endsWith('.dist-info/WHEEL') || pkgs.isNodePackageJson(e.name)
          || pkgs.isComposerInstalled(e.name) || pkgs.isSizeMetadata(e.name))))) {
        reads.push(e);
      }
    }
    // Read in file order: sequential disk access.
    reads.sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    const metadata = new Map<string, Buffer>();
    for (const e of reads) {
      if (pkgs.isSizeMetadata(e.name)) {
        metadata.set(e.name, reader.readWhole(e));
      } else if (e.name.endsWith('.dist-info/WHEEL')) {
        wheelTags.push({ path: e.name, tags: pkgs.wheelTags(reader.readWhole(e)) });
      } else if (pkgs.isNodePackageJson(e.name)) {
        const rec = pkgs.nodePackage(e.name, reader.readWhole(e));
        if (rec) packages.push(rec);
      } else if (pkgs.isComposerInstalled(e.name)) {
        const content = reader.readWhole(e);
        metadata.set(e.name, content);
        packages.push(...pkgs.composerPackages(e.name, content));
      } else {
        const found = detectNative(e.name, reader.readHead(e, NATIVE_HEAD_BYTES));
        // The verneed section sits wherever the section headers say: only the whole file has it.
        const glibc = found.length === 1 && found[0].format === 'elf' ? elfGlibcRequirement(reader.readWhole(e)) : undefined;
        natives.push(...(glibc ? [{ ...found[0], glibc }] : found));
      }
    }
    if (options.verifyCrc) {
      for (const e of reader.entries) {
        if (e.type === 'directory') continue;
        await reader.stream(e, () => undefined);
      }
    }
    const sums = known ?? await fileChecksums(reader.file, reader.whole);
    // ZIPs layersmith writes list entries in order; checking costs one native comparison each.
    if (!(reader.asciiNames && inNativeOrder(entries))) sortByEntryName(entries, (e) => e.path);
    natives.sort((a, b) => compareEntryNames(a.path, b.path) || a.cpu.localeCompare(b.cpu));
    wheelTags.sort((a, b) => compareEntryNames(a.path, b.path));
    packages.sort((a, b) => compareEntryNames(a.path, b.path) || compareEntryNames(a.name, b.name));
    const glibc = natives.reduce<string | undefined>((hi, n) => (n.glibc && (!hi || compareGlibc(n.glibc, hi) > 0) ? n.glibc : hi), undefined);
    const sized = pkgs.attributeSizes(entries.filter((e) => e.type !== 'directory'), packages, metadata);
    return {
      schemaVersion: 1,
      zip: {
        sha256: sums.sha256,
        crc64: sums.crc64,
        zippedSize: reader.size,
        unzippedSize: reader.unzippedSize,
        entryCount: reader.entries.length,
      },
      entries,
      natives,
      wheelTags,
      packages: sized.packages,
      unowned: sized.unowned,
      excluded: [],
      ...(glibc ? { glibc } : {}),
    };
  } finally {
    reader.close();
  }
}

/** Paths strictly increasing in JavaScript string order (UTF-8 byte order for ASCII names). */
function inNativeOrder(entries: readonly ManifestEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (!(entries[i - 1].path < entries[i].path)) return false;
  }
  return true;
}
