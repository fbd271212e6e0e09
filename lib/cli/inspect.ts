import * as fs from 'fs';
import { UsageError } from './errors';
import { byCodePoint, formatBytes, formatPercent, groupDigits, stableJson } from './format';
import { AWS_RUNTIME_IDS, FC_RUNTIME_IDS, RuntimeInfo, analyzeLayer, getPlatform, layoutHint, resolveRuntime } from '../core';
import type { ArchitectureId, Finding, LayerManifest, PlatformId } from '../core/model';
import { inspectZip } from '../engine/inspect';

/** What `layersmith inspect` was asked. */
export interface InspectRequest {
  /** The ZIP path as the user typed it (shown as-is). */
  readonly file: string;
  readonly platform: PlatformId;
  /** Runtimes to check the layout for; empty: every current runtime of the platform. */
  readonly runtimes: readonly string[];
  readonly architecture: ArchitectureId;
}

/** One directory of the ZIP that some runtime searches, or the content no runtime sees. */
export interface LayoutGroup {
  /** Layer-relative dir with a trailing '/', a root file name, or '(no search path)'. */
  readonly dir: string;
  readonly files: number;
  readonly bytes: number;
  /** Checked runtimes that find this content. */
  readonly runtimes: readonly string[];
  /** True when every checked runtime finds it (bin/, lib/ on most platforms). */
  readonly everyRuntime: boolean;
}

/** Whether one runtime finds the layer's content. */
export interface RuntimeCheck {
  readonly runtime: string;
  /** Search paths (and root files) of the runtime that hold content. */
  readonly finds: readonly string[];
  readonly deprecated: boolean;
  /** False for an FC3 id layersmith does not list. */
  readonly known: boolean;
  /** Where this runtime looks, in words. */
  readonly hint: string;
}

/** The result of `layersmith inspect`, as printed by `--json`. */
export interface InspectResult {
  readonly schemaVersion: 1;
  readonly file: string;
  readonly platform: PlatformId;
  readonly architecture: ArchitectureId;
  /** Runtimes the findings were computed for (given, or inferred from the layout). */
  readonly runtimes: readonly string[];
  /** True when the runtimes were inferred, not given with --runtime. */
  readonly runtimesInferred: boolean;
  readonly limits: { readonly maxUnzippedBytes: number; readonly maxInlineZipBytes: number };
  readonly layout: readonly LayoutGroup[];
  readonly runtimeChecks: readonly RuntimeCheck[];
  readonly manifest: LayerManifest;
  /** Every package with its size, largest first. */
  readonly packages: readonly PackageSize[];
  /** Files that belong to no package. */
  readonly unowned: { readonly files: number; readonly unzippedBytes: number };
  readonly findings: readonly Finding[];
}

/** One package of the layer and the bytes it takes. */
export interface PackageSize {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly files: number;
  readonly unzippedBytes: number;
}

/** Largest packages shown in the text output; `--json` lists all. */
export const MAX_LARGEST_PACKAGES = 10;

const NO_SEARCH_PATH = '(no search path)';
const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** Inspect a ZIP: read it, lay out what each runtime sees, run the single-layer rules. */
export async function inspectLayerZip(request: InspectRequest): Promise<InspectResult> {
  const platform = getPlatform(request.platform);
  if (!platform.supportedArchitectures.includes(request.architecture)) {
    throw new UsageError(`--arch ${request.architecture} is not available on ${platform.displayName}; it supports `
      + `${platform.supportedArchitectures.join(', ')}`);
  }
  const given: RuntimeInfo[] = request.runtimes.map((id) => {
    try {
      return resolveRuntime(request.platform, id);
    } catch (e) {
      throw new UsageError(`--runtime ${id}: ${(e as Error).message}`);
    }
  });
  checkReadableFile(request.file);

  let manifest: LayerManifest;
  try {
    manifest = await inspectZip(request.file);
  } catch (e) {
    throw new UsageError(zipErrorText(request.file, e));
  }

  const candidates = given.length > 0 ? given : currentRuntimes(request.platform);
  const files = manifest.entries.filter((e) => e.type !== 'directory');
  const paths = files.map((f) => f.path);
  const layout = layoutGroups(files, candidates);

  let checked: RuntimeInfo[] = given;
  if (checked.length === 0) {
    // bin/ and lib/ are searched by (nearly) every runtime, so they say nothing about which
    // language a layer is for: infer from the directories of one family only (python/, nodejs/...).
    const shared = sharedDirs(candidates);
    checked = candidates.filter((r) => findsContent(r, paths, shared));
    if (checked.length === 0) {
      // A tools-only layer (bin/, lib/), or content no runtime finds: check the newest runtime of
      // each family so the findings say where each family looks.
      const findAny = candidates.filter((r) => findsContent(r, paths, new Set()));
      checked = newestPerFamily(findAny.length > 0 ? findAny : candidates);
    }
  }
  const runtimeChecks = checked.map((info) => checkRuntime(request.platform, info, paths));
  const findings = [...analyzeLayer({
    platform: request.platform,
    path: request.file,
    manifest,
    compatibleRuntimes: checked.map((r) => r.id),
    compatibleArchitectures: [request.architecture],
  })].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9)
    || byCodePoint(a.ruleId, b.ruleId) || byCodePoint(a.message, b.message));

  return {
    schemaVersion: 1,
    file: request.file,
    platform: request.platform,
    architecture: request.architecture,
    runtimes: checked.map((r) => r.id),
    runtimesInferred: given.length === 0,
    limits: { maxUnzippedBytes: platform.limits.maxUnzippedBytes, maxInlineZipBytes: platform.limits.maxInlineZipBytes },
    layout,
    runtimeChecks,
    manifest,
    packages: manifest.packages
      .map((p) => ({ ecosystem: p.ecosystem, name: p.name, version: p.version, files: p.files ?? 0, unzippedBytes: p.unzippedBytes ?? 0 }))
      .sort((a, b) => b.unzippedBytes - a.unzippedBytes || byCodePoint(a.name, b.name) || byCodePoint(a.version, b.version)),
    unowned: manifest.unowned ?? { files: 0, unzippedBytes: 0 },
    findings,
  };
}

function checkReadableFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`${file}: no such file; pass the path of a layer ZIP`);
  }
  if (stat.isDirectory()) {
    throw new UsageError(`${file}: is a directory, not a ZIP; to check a directory, zip it first (zip -r layer.zip .) or build it with `
      + 'LayerSource.fromDirectory');
  }
}

function zipErrorText(file: string, e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  // The inspector's messages may start with 'layersmith: '; main adds its own prefix.
  const message = (typeof err?.message === 'string' ? err.message : String(e)).replace(/^layersmith:\s*/, '');
  // ZipInspectionError messages already name the file; others get it prefixed.
  const text = message.includes(file) ? message : `${file}: ${message}`;
  return typeof err?.code === 'string' && !text.includes(err.code) ? `${text} [${err.code}]` : text;
}

/** The platform's runtimes that can attach layers today (not deprecated). */
function currentRuntimes(platform: PlatformId): RuntimeInfo[] {
  const ids = platform === 'aws' ? AWS_RUNTIME_IDS : FC_RUNTIME_IDS;
  return ids.map((id) => resolveRuntime(platform, id)).filter((r) => !r.deprecated && r.supportsLayers);
}

function newestPerFamily(runtimes: readonly RuntimeInfo[]): RuntimeInfo[] {
  const byFamily = new Map<string, RuntimeInfo>();
  // The tables list each family oldest first, so the last one seen is the newest.
  for (const r of runtimes) byFamily.set(r.family, r);
  return [...byFamily.values()];
}

/** Search paths used by more than one runtime family (bin/, lib/). */
function sharedDirs(runtimes: readonly RuntimeInfo[]): Set<string> {
  const families = new Map<string, Set<string>>();
  for (const r of runtimes) {
    for (const dir of r.searchPaths) families.set(dir, (families.get(dir) ?? new Set()).add(r.family));
  }
  return new Set([...families.entries()].filter(([, f]) => f.size > 1).map(([dir]) => dir));
}

function findsContent(info: RuntimeInfo, paths: readonly string[], ignore: ReadonlySet<string>): boolean {
  return info.searchPaths.some((dir) => !ignore.has(dir) && paths.some((p) => holds(p, dir)))
    || info.rootFiles.some((f) => paths.includes(f));
}

function holds(filePath: string, dir: string): boolean {
  return filePath.startsWith(`${dir}/`);
}

function checkRuntime(platform: PlatformId, info: RuntimeInfo, paths: readonly string[]): RuntimeCheck {
  const finds = [
    ...info.searchPaths.filter((dir) => paths.some((p) => holds(p, dir))).map((dir) => `${dir}/`),
    ...info.rootFiles.filter((f) => paths.includes(f)),
  ];
  return { runtime: info.id, finds, deprecated: info.deprecated, known: info.known, hint: layoutHint(platform, info) };
}

/** Group files under the most specific search path any candidate runtime uses. */
function layoutGroups(files: LayerManifest['entries'], candidates: readonly RuntimeInfo[]): LayoutGroup[] {
  const dirs = [...new Set(candidates.flatMap((r) => r.searchPaths))].sort((a, b) => b.length - a.length || byCodePoint(a, b));
  const rootFiles = new Set(candidates.flatMap((r) => r.rootFiles));
  const groups = new Map<string, { files: number; bytes: number }>();
  for (const f of files) {
    const key = rootFiles.has(f.path) ? f.path : dirs.find((d) => holds(f.path, d));
    const name = key === undefined ? NO_SEARCH_PATH : rootFiles.has(key) ? key : `${key}/`;
    const g = groups.get(name) ?? { files: 0, bytes: 0 };
    g.files++;
    g.bytes += f.size;
    groups.set(name, g);
  }
  return [...groups.entries()].map(([dir, g]) => {
    const runtimes = dir === NO_SEARCH_PATH ? [] : candidates
      .filter((r) => (dir.endsWith('/') ? r.searchPaths.includes(dir.slice(0, -1)) : r.rootFiles.includes(dir)))
      .map((r) => r.id);
    return { dir, files: g.files, bytes: g.bytes, runtimes, everyRuntime: runtimes.length > 0 && runtimes.length === candidates.length };
  }).sort((a, b) => byCodePoint(a.dir, b.dir));
}

/** `--json`: the whole result with sorted keys. */
export function renderInspectJson(result: InspectResult): string {
  return stableJson(result);
}

/** The human text of `layersmith inspect`. */
export function renderInspectText(result: InspectResult): string {
  const m = result.manifest;
  const out: string[] = [];
  out.push(`Layer ZIP ${result.file}`);
  out.push(`platform ${result.platform} · architecture ${result.architecture} · runtimes `
    + `${result.runtimes.join(', ') || '(none)'}${result.runtimesInferred ? ' (inferred from the layout; --runtime to choose)' : ''}`);
  out.push('');
  out.push('Size and checksums');
  out.push(`  zipped     ${formatBytes(m.zip.zippedSize)} · ${formatPercent(m.zip.zippedSize, result.limits.maxInlineZipBytes)} of the `
    + `${groupDigits(result.limits.maxInlineZipBytes)} B inline upload limit`);
  out.push(`  unzipped   ${formatBytes(m.zip.unzippedSize)} · ${formatPercent(m.zip.unzippedSize, result.limits.maxUnzippedBytes)} of the `
    + `${groupDigits(result.limits.maxUnzippedBytes)} B function + layers budget`);
  out.push(`  entries    ${groupDigits(m.zip.entryCount)}`);
  out.push(`  SHA-256    ${m.zip.sha256} (base64; AWS CodeSha256)`);
  out.push(`  CRC-64/XZ  ${m.zip.crc64} (FC code checksum)`);
  out.push('');
  out.push('Layout (under /opt)');
  const width = Math.max(0, ...result.layout.map((g) => g.dir.length));
  for (const g of result.layout) {
    const who = g.dir === NO_SEARCH_PATH ? 'no runtime looks here'
      : g.everyRuntime ? (result.runtimesInferred ? `every current ${result.platform} runtime` : 'every checked runtime')
        : g.runtimes.join(', ') || 'none of the checked runtimes';
    out.push(`  ${g.dir.padEnd(width)}  ${groupDigits(g.files)} file${g.files === 1 ? '' : 's'}, ${formatBytes(g.bytes)} -> ${who}`);
  }
  if (result.layout.length === 0) out.push('  (empty)');
  out.push('');
  out.push('Runtimes');
  for (const c of result.runtimeChecks) {
    const tags = [c.deprecated ? 'deprecated' : '', c.known ? '' : 'not listed by layersmith'].filter(Boolean).join(', ');
    out.push(`  ${c.runtime}${tags ? ` (${tags})` : ''}: ${c.finds.length > 0 ? `finds ${c.finds.join(', ')}` : `finds NOTHING - ${c.hint}`}`);
  }
  if (result.runtimeChecks.length === 0) out.push(`  no current ${result.platform} runtime finds any content in this ZIP`);
  if (m.natives.length > 0) {
    out.push('');
    out.push('Native binaries');
    for (const n of m.natives) {
      out.push(`  ${n.path}  ${n.format} ${n.os}/${n.cpu}${n.detail ? ` (${n.detail})` : ''}${n.glibc ? `, needs GLIBC_${n.glibc}` : ''}`);
    }
    if (m.glibc) out.push(`  highest GLIBC needed: ${m.glibc} (the runtime's OS must have glibc ${m.glibc} or later)`);
  }
  if (m.wheelTags.length > 0) {
    out.push('');
    out.push('Python wheel tags');
    for (const w of m.wheelTags) out.push(`  ${w.path}  ${w.tags.join(' ')}`);
  }
  if (result.packages.length > 0) {
    out.push('');
    const shown = result.packages.slice(0, MAX_LARGEST_PACKAGES);
    out.push(`Largest packages (unzipped; ${shown.length} of ${result.packages.length})`);
    const nameWidth = Math.max(...shown.map((p) => p.name.length));
    for (const p of shown) {
      out.push(`  ${p.name.padEnd(nameWidth)}  ${formatBytes(p.unzippedBytes)} · ${formatPercent(p.unzippedBytes, m.zip.unzippedSize)} · `
        + `${groupDigits(p.files)} file${p.files === 1 ? '' : 's'}`);
    }
    out.push(`  (in no package: ${formatBytes(result.unowned.unzippedBytes)} in ${groupDigits(result.unowned.files)} `
      + `file${result.unowned.files === 1 ? '' : 's'})`);
  }
  if (m.packages.length > 0) {
    out.push('');
    out.push('Packages');
    for (const p of m.packages) out.push(`  ${p.ecosystem} ${p.name} ${p.version}  (${p.path})`);
  }
  out.push('');
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.filter((f) => f.severity === 'warning').length;
  out.push(`Findings: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  for (const f of result.findings) {
    out.push(`  ${f.severity.toUpperCase()} ${f.ruleId}: ${f.message}`);
    if (f.fix) out.push(`    fix: ${f.fix}`);
  }
  return out.join('\n') + '\n';
}
