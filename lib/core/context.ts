import type { Finding, LayerManifest, PackageEcosystem, StackInput, StackLayer } from './model';
import type { PlatformProfile } from './platforms';
import type { RuntimeInfo } from './runtimes';

/**
 * What the stack rules see: the input, the resolved platform and runtime, and per-manifest indexes
 * computed once and cached on the manifest object (so 500 functions sharing five layers index
 * each layer once).
 */
export interface StackContext {
  /** The stack as given. */
  readonly input: StackInput;
  /** Platform profile with the app's limit overrides applied. */
  readonly platform: PlatformProfile;
  /** The function's runtime; undefined when the id is not valid on the platform. */
  readonly runtime?: RuntimeInfo;
  /** Why the runtime could not be resolved. */
  readonly runtimeError?: string;
  /** Layers in declared order. */
  readonly layers: readonly StackLayer[];
  /** The index of a layer's manifest; undefined for a layer known only by ARN. */
  index(layer: StackLayer): ManifestIndex | undefined;
  /** Paths present in more than one layer, with the winner (computed once per context). */
  shadowed(): readonly ShadowedPath[];
}

/** A rule over one function's stack. */
export interface StackRule {
  /** Stable id, e.g. 'LS-LAYER-COUNT'. */
  readonly id: string;
  /** What the rule checks, in one sentence. */
  readonly description: string;
  /** Returns the rule's findings for the stack (empty when it holds). */
  check(ctx: StackContext): Finding[];
}

/** A path held by several layers of one stack. */
export interface ShadowedPath {
  /** Path inside the layers (and under /opt). */
  readonly path: string;
  /** Display names of the layers holding it, in declared order. */
  readonly layers: string[];
  /** Display name of the layer whose copy the function sees. */
  readonly winner: string;
}

/** A package as indexed: the version and where it was found. */
export interface IndexedPackage {
  readonly ecosystem: PackageEcosystem;
  readonly name: string;
  readonly version: string;
  readonly path: string;
}

/** Derived, cached facts about one manifest. */
export interface ManifestIndex {
  /** Unique per manifest object (orders pair caches). */
  readonly id: number;
  readonly manifest: LayerManifest;
  /** File and symlink paths (directories merge and never shadow). */
  readonly files: ReadonlySet<string>;
  /** Files grouped by their first two path segments, for cheap overlap tests. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** Packages a runtime resolves (nested Node dependencies excluded), by 'ecosystem:name'. */
  readonly packages: ReadonlyMap<string, IndexedPackage>;
  /** Memo for rules keyed by a rule-specific string (e.g. layout per runtime). */
  readonly memo: Map<string, unknown>;
}

const indexes = new WeakMap<LayerManifest, ManifestIndex>();
let nextId = 1;

/** The index of a manifest, built on first use and cached on the manifest object. */
export function indexManifest(manifest: LayerManifest): ManifestIndex {
  const hit = indexes.get(manifest);
  if (hit) return hit;
  const files = new Set<string>();
  const groups = new Map<string, string[]>();
  for (const e of manifest.entries) {
    if (e.type === 'directory') continue;
    files.add(e.path);
    const key = groupKey(e.path);
    const g = groups.get(key);
    if (g) g.push(e.path);
    else groups.set(key, [e.path]);
  }
  const packages = new Map<string, IndexedPackage>();
  for (const p of manifest.packages) {
    if (p.ecosystem === 'node' && p.path.split('node_modules/').length > 2) continue;
    const key = `${p.ecosystem}:${p.name}`;
    if (!packages.has(key)) packages.set(key, p);
  }
  const index: ManifestIndex = { id: nextId++, manifest, files, groups, packages, memo: new Map() };
  indexes.set(manifest, index);
  return index;
}

function groupKey(p: string): string {
  const first = p.indexOf('/');
  if (first < 0) return p;
  const second = p.indexOf('/', first + 1);
  return second < 0 ? p : p.slice(0, second);
}

const overlaps = new WeakMap<ManifestIndex, Map<number, readonly string[]>>();

/**
 * Files present in both manifests, sorted; symmetric and cached per pair. Only groups (first two
 * segments) both hold are compared, so unrelated layers cost a few set lookups.
 */
export function overlappingFiles(a: ManifestIndex, b: ManifestIndex): readonly string[] {
  const [lo, hi] = a.id <= b.id ? [a, b] : [b, a];
  let byHi = overlaps.get(lo);
  const hit = byHi?.get(hi.id);
  if (hit) return hit;
  const out: string[] = [];
  const [small, large] = lo.groups.size <= hi.groups.size ? [lo, hi] : [hi, lo];
  for (const [key, paths] of small.groups) {
    const other = large.groups.get(key);
    if (!other) continue;
    if (paths.length <= other.length) {
      for (const p of paths) if (large.files.has(p)) out.push(p);
    } else {
      for (const p of other) if (small.files.has(p)) out.push(p);
    }
  }
  out.sort();
  if (!byHi) {
    byHi = new Map();
    overlaps.set(lo, byHi);
  }
  byHi.set(hi.id, out);
  return out;
}
