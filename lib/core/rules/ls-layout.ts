import { indexManifest, type ManifestIndex, type StackRule } from '../context';
import { sample } from '../findings';
import type { Finding, LayerManifest } from '../model';
import { layoutHint, type RuntimeInfo } from '../runtimes';

const ID = 'LS-LAYOUT';
const SITE_PACKAGES = /^python\/lib\/python[^/]+\/site-packages\//;

/** Where a layer's files sit relative to one runtime's search paths. */
export interface LayoutResult {
  /** Files under a search path (or a runtime root file). */
  readonly inside: number;
  /** Files under none: the runtime will not find them by itself. */
  readonly outside: readonly string[];
}

/**
 * Classifies a manifest's files for a runtime (memoised per manifest and runtime). The files are
 * sorted, so everything under one search path (or one site-packages directory) is a contiguous
 * run: each run is counted with a binary search instead of a prefix test per file.
 */
export function layoutOf(index: ManifestIndex, runtime: RuntimeInfo): LayoutResult {
  const key = `layout:${runtime.platform}:${runtime.id}`;
  const hit = index.memo.get(key) as LayoutResult | undefined;
  if (hit) return hit;
  const prefixes = runtime.searchPaths.map((p) => `${p}/`);
  const roots = new Set(runtime.rootFiles);
  const exact = new Set(prefixes);
  const n = index.fileCount;
  // python/lib/pythonX.Y/site-packages/ is under python/, but Python imports from it only when
  // that exact directory is on the path (the right version on AWS; never on FC).
  const siteStart = lowerBound(index, SITE_PARENT, 0);
  let inside = 0;
  const outside: string[] = [];
  let i = 0;
  while (i < n) {
    const file = index.filePath(i);
    const underSiteParent = file.startsWith(SITE_PARENT);
    const site = underSiteParent ? SITE_PACKAGES.exec(file) : null;
    if (site) {
      const end = prefixEnd(index, site[0], i);
      if (exact.has(site[0])) inside += end - i;
      else for (let k = i; k < end; k++) outside.push(index.filePath(k));
      i = end;
      continue;
    }
    const prefix = firstPrefixOf(file, prefixes);
    // python/lib/python... outside a site-packages directory: one at a time, so a python/ run
    // never swallows the site-packages directories that follow it.
    if (prefix === undefined || underSiteParent) {
      if (prefix !== undefined || roots.has(file)) inside++;
      else outside.push(file);
      i++;
      continue;
    }
    let end = prefixEnd(index, prefix, i);
    // Stop before the python/lib/python... run, which the branch above classifies.
    if (siteStart > i && siteStart < end) end = siteStart;
    inside += end - i;
    i = end;
  }
  const result = { inside, outside };
  index.memo.set(key, result);
  return result;
}

const SITE_PARENT = 'python/lib/python';

function firstPrefixOf(file: string, prefixes: readonly string[]): string | undefined {
  for (let i = 0; i < prefixes.length; i++) {
    if (file.startsWith(prefixes[i])) return prefixes[i];
  }
  return undefined;
}

/** First position at or after `from` whose file is >= `value` (code-unit order). */
function lowerBound(index: ManifestIndex, value: string, from: number): number {
  let lo = from;
  let hi = index.fileCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.filePath(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** End of the run of files starting with `prefix` that begins at `from` (files[from] has it). */
function prefixEnd(index: ManifestIndex, prefix: string, from: number): number {
  let lo = from + 1;
  let hi = index.fileCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.filePath(mid).startsWith(prefix)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Layout findings for one layer and one runtime: an error when none of the layer's files is where
 * the runtime looks (a warning for AWS custom runtimes, which may read /opt themselves), info
 * when some files are outside every search path.
 */
export function layoutFindings(manifest: LayerManifest, runtime: RuntimeInfo, layerName: string): Finding[] {
  if (!runtime.supportsLayers || runtime.searchPaths.length === 0) return [];
  const index = indexManifest(manifest);
  const total = index.fileCount;
  if (total === 0) {
    return [{
      ruleId: ID,
      severity: 'warning',
      layer: layerName,
      message: `Layer ${layerName} holds no files.`,
      fix: 'Check the layer source: it produced an empty ZIP.',
      data: { files: 0 },
    }];
  }
  const { inside, outside } = layoutOf(index, runtime);
  if (outside.length === 0) return [];
  if (inside === 0) {
    return [{
      ruleId: ID,
      severity: runtime.family === 'custom' ? 'warning' : 'error',
      layer: layerName,
      message: `Layer ${layerName} has none of its ${total} files where ${runtime.id} looks (e.g. ${sample(outside)}): `
        + `${layoutHint(runtime.platform, runtime)}.`,
      fix: specificFix(outside, runtime),
      data: { runtime: runtime.id, files: total, outside: outside.length, expected: [...runtime.searchPaths] },
    }];
  }
  return [{
    ruleId: ID,
    severity: 'info',
    layer: layerName,
    message: `${outside.length} of ${total} files in layer ${layerName} are outside the directories ${runtime.id} searches (e.g. `
      + `${sample(outside)}); the function only finds them through explicit /opt paths.`,
    fix: `If the function imports them, move them: ${layoutHint(runtime.platform, runtime)}.`,
    data: { runtime: runtime.id, files: total, outside: outside.length },
  }];
}

/** A fix naming what the layer most likely got wrong. */
function specificFix(outside: readonly string[], runtime: RuntimeInfo): string {
  const first = outside[0];
  const site = /^python\/lib\/python(\d+\.\d+)\/site-packages\//.exec(first);
  if (site && runtime.family === 'python' && site[1] === runtime.version) {
    return `${runtime.id} does not search python/lib/python${site[1]}/site-packages/ on this platform: use the python/ layout.`;
  }
  if (site && runtime.family === 'python') {
    return `The layer was built for Python ${site[1]} (python/lib/python${site[1]}/site-packages/) but the function runs ${runtime.id}: rebuild it `
      + `for ${runtime.version}, or use the python/ layout that every Python version finds.`;
  }
  const node = /^nodejs\/node(\d+)\/node_modules\//.exec(first);
  if (node && runtime.family === 'nodejs') {
    return `The layer was built for Node ${node[1]} (nodejs/node${node[1]}/node_modules/) but the function runs ${runtime.id}: use `
      + 'nodejs/node_modules/, which every Node version finds.';
  }
  if (outside.some((p) => p.startsWith('node_modules/'))) {
    return 'Move node_modules/ under nodejs/ (nodejs/node_modules/...).';
  }
  if (outside.some((p) => p.startsWith('site-packages/') || /^[^/]+\.(dist-info|egg-info)\//.test(p) || /^[^/]+(\/__init__)?\.py$/.test(p))) {
    return 'Put Python packages under python/ (e.g. python/requests/__init__.py), not at the ZIP root or in site-packages/.';
  }
  if (outside.some((p) => /^[^/]+\.jar$/.test(p))) {
    return 'Put jars under java/lib/.';
  }
  if (outside.some((p) => p.startsWith('vendor/'))) {
    return 'Put Composer\'s vendor/ under php/ (php/vendor/...).';
  }
  return `Move the content under ${runtime.searchPaths.map((p) => `${p}/`).join(' or ')} in the layer.`;
}

/** Layer content not under any search path of the function's runtime. */
export const LAYOUT: StackRule = {
  id: ID,
  description: 'Each layer has its content where the function runtime looks for it.',
  check(ctx) {
    const rt = ctx.runtime;
    if (!rt) return [];
    return ctx.layers.flatMap((l) => (l.manifest ? layoutFindings(l.manifest, rt, l.displayName) : []));
  },
};
