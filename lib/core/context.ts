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
  /** Paths present in more than one layer, sorted, with the winner (computed once per context). */
  shadowed(): readonly ShadowedPath[];
  /** The same paths grouped by the exact set of layers holding them (cheap to aggregate). */
  shadowGroups(): readonly ShadowGroup[];
}

/** Shadowed paths held by one exact set of layers. */
export interface ShadowGroup {
  /** Positions (0-based, declared order) of the layers holding the paths. */
  readonly layers: readonly number[];
  /** Position of the layer whose copy wins. */
  readonly winner: number;
  /** The paths, sorted. */
  readonly paths: readonly string[];
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
  /**
   * File and symlink paths (directories merge and never shadow), sorted in code-unit order so two
   * layers' overlap is one merge pass instead of a hash set per layer. Built on first use: the hot
   * rules read `fileCount` and `filePath(i)` instead, which need no array of strings.
   */
  readonly files: readonly string[];
  /** Number of files and symlinks (the length of `files`). */
  readonly fileCount: number;
  /** Packages a runtime resolves (nested Node dependencies excluded), by 'ecosystem:name'. */
  readonly packages: ReadonlyMap<string, IndexedPackage>;
  /** Memo for rules keyed by a rule-specific string (e.g. layout per runtime). */
  readonly memo: Map<string, unknown>;
  /** The i-th path of `files`, without building `files`. */
  filePath(i: number): string;
}

/**
 * The index keeps positions of file entries in an Int32Array rather than an array of path
 * strings: with thousands of manifests of thousands of entries, arrays of pointers are what the
 * garbage collector spends its time copying, and typed-array contents are never scanned.
 */
class Index implements ManifestIndex {
  public readonly id = nextId++;
  public readonly memo = new Map<string, unknown>();
  public readonly fileCount: number;
  private readonly entries: LayerManifest['entries'];
  private filesArray?: readonly string[];

  constructor(
    public readonly manifest: LayerManifest,
    /** Positions in manifest.entries of the files, in code-unit order of their paths. */
    public readonly order: Int32Array,
    public readonly packages: ReadonlyMap<string, IndexedPackage>,
  ) {
    this.entries = manifest.entries;
    this.fileCount = order.length;
  }

  public get files(): readonly string[] {
    if (!this.filesArray) {
      const out = new Array<string>(this.fileCount);
      for (let i = 0; i < out.length; i++) out[i] = this.entries[this.order[i]].path;
      this.filesArray = out;
    }
    return this.filesArray;
  }

  public filePath(i: number): string {
    return this.entries[this.order[i]].path;
  }
}

const indexes = new WeakMap<LayerManifest, Index>();
let nextId = 1;

/** The index of a manifest, built on first use and cached on the manifest object. */
export function indexManifest(manifest: LayerManifest): ManifestIndex {
  const hit = indexes.get(manifest);
  if (hit) return hit;
  const entries = manifest.entries;
  const scratch = new Int32Array(entries.length);
  let count = 0;
  let sorted = true;
  let last = '';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.type === 'directory') continue;
    // Manifests list entries sorted by UTF-8 bytes; code-unit order agrees except for astral
    // characters, so check rather than trust, and sort only when it differs.
    if (sorted && count > 0 && last > e.path) sorted = false;
    last = e.path;
    scratch[count++] = i;
  }
  let order = scratch.slice(0, count);
  if (!sorted) {
    const byPath = Array.from(order).sort((a, b) => (entries[a].path < entries[b].path ? -1 : entries[a].path > entries[b].path ? 1 : 0));
    order = Int32Array.from(byPath);
  }
  const packages = new Map<string, IndexedPackage>();
  for (const p of manifest.packages) {
    if (p.ecosystem === 'node' && p.path.split('node_modules/').length > 2) continue;
    const key = `${p.ecosystem}:${p.name}`;
    if (!packages.has(key)) packages.set(key, p);
  }
  const index = new Index(manifest, order, packages);
  indexes.set(manifest, index);
  return index;
}

/** Results computed per unordered pair of manifests, held by the lower-id index. */
type PairCache = WeakMap<ManifestIndex, Map<number, readonly string[]>>;

function cachedPair(
  cache: PairCache, a: ManifestIndex, b: ManifestIndex, compute: (lo: ManifestIndex, hi: ManifestIndex) => readonly string[],
): readonly string[] {
  const [lo, hi] = a.id <= b.id ? [a, b] : [b, a];
  let byHi = cache.get(lo);
  const hit = byHi?.get(hi.id);
  if (hit) return hit;
  const out = compute(lo, hi);
  if (!byHi) {
    byHi = new Map();
    cache.set(lo, byHi);
  }
  byHi.set(hi.id, out);
  return out;
}

const overlaps: PairCache = new WeakMap();

/** Files present in both manifests, sorted; symmetric and cached per pair of manifests. */
export function overlappingFiles(a: ManifestIndex, b: ManifestIndex): readonly string[] {
  return cachedPair(overlaps, a, b, (lo, hi) => {
    const out: string[] = [];
    const n = lo.fileCount;
    const m = hi.fileCount;
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      const x = lo.filePath(i);
      const y = hi.filePath(j);
      if (x === y) {
        out.push(x);
        i++;
        j++;
      } else if (x < y) {
        i = gallop(lo, i, n, y);
      } else {
        j = gallop(hi, j, m, x);
      }
    }
    return out;
  });
}

/**
 * First position after `from` (whose path is < `value`) with a path >= `value`: exponential then
 * binary search, so a long run of one layer's files absent from the other (the usual case:
 * layers share a few packages) costs a logarithm instead of a comparison per file.
 */
function gallop(index: ManifestIndex, from: number, end: number, value: string): number {
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < end && index.filePath(hi) < value) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > end) hi = end;
  // path(lo) < value; the answer is in (lo, hi].
  lo++;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.filePath(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const conflicts: PairCache = new WeakMap();

/** Package keys ('ecosystem:name') both manifests hold at different versions; cached per pair. */
export function conflictingPackages(a: ManifestIndex, b: ManifestIndex): readonly string[] {
  return cachedPair(conflicts, a, b, (lo, hi) => {
    const out: string[] = [];
    const [small, large] = lo.packages.size <= hi.packages.size ? [lo, hi] : [hi, lo];
    for (const [key, pkg] of small.packages) {
      const other = large.packages.get(key);
      if (other && other.version !== pkg.version) out.push(key);
    }
    return out;
  });
}
