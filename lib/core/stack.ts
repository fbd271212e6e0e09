import {
  indexManifest, overlappingFiles, type ManifestIndex, type ShadowedPath, type ShadowGroup, type StackContext, type StackRule,
} from './context';
import { sortFindings } from './findings';
import type { ArchitectureId, Finding, LayerManifest, PlatformId, PlatformLimitOverrides, StackInput, StackLayer } from './model';
import { formatBytes, getPlatform } from './platforms';
import { glibcFindings, layoutFindings, layoutOf, nativeFindings, STACK_RULES, unpinnedFindings, wheelTagFindings } from './rules';
import { resolveRuntime, type RuntimeInfo } from './runtimes';

/** The result of analysing one function's layer stack. */
export interface StackReport {
  /** Every finding, errors first, then warnings, then info. */
  readonly findings: Finding[];
  /** The errors among them (these fail synth). */
  readonly errors: Finding[];
  /** The warnings among them (annotations). */
  readonly warnings: Finding[];
  /** Unzipped budget: function code plus every layer with a manifest. */
  readonly budget: {
    /** Bytes used (function code when known plus known layers). */
    readonly usedBytes: number;
    /** The platform limit (after overrides). */
    readonly limitBytes: number;
    /** Layers known only by ARN, not counted in usedBytes. */
    readonly unknownLayers: number;
  };
  /** Paths held by several layers, sorted by path, with the layer whose copy wins. */
  readonly shadowed: ShadowedPath[];
}

/**
 * Runs every stack rule over one function and its layers in declared order. Pure: the same input
 * gives the same report; manifests are indexed once and the index is reused across calls.
 */
export function analyzeStack(input: StackInput, rules: readonly StackRule[] = STACK_RULES): StackReport {
  const ctx = createStackContext(input);
  const findings = sortFindings(rules.flatMap((r) => r.check(ctx)));
  let usedBytes = input.function.codeSize ?? 0;
  let unknownLayers = 0;
  for (const l of input.layers) {
    if (l.manifest) usedBytes += l.manifest.zip.unzippedSize;
    else unknownLayers++;
  }
  return {
    findings,
    errors: findings.filter((f) => f.severity === 'error'),
    warnings: findings.filter((f) => f.severity === 'warning'),
    budget: { usedBytes, limitBytes: ctx.platform.limits.maxUnzippedBytes, unknownLayers },
    shadowed: [...ctx.shadowed()],
  };
}

/** Builds the context the rules see (exported for custom rules and their tests). */
export function createStackContext(input: StackInput): StackContext {
  const platform = getPlatform(input.platform, input.limits);
  let runtime: RuntimeInfo | undefined;
  let runtimeError: string | undefined;
  try {
    runtime = resolveRuntime(input.platform, input.function.runtime);
  } catch (e) {
    runtimeError = (e as Error).message;
  }
  let shadowing: Shadowing | undefined;
  const index = (layer: StackLayer): ManifestIndex | undefined => (layer.manifest ? indexManifest(layer.manifest) : undefined);
  const shadow = (): Shadowing => (shadowing ??= shadowingOf(input.layers, platform.precedence, index));
  return {
    input,
    platform,
    runtime,
    runtimeError,
    layers: input.layers,
    index,
    shadowed: () => shadow().paths,
    shadowGroups: () => shadow().groups,
  };
}

interface Shadowing {
  readonly groups: readonly ShadowGroup[];
  readonly paths: readonly ShadowedPath[];
}

const NO_SHADOWING: Shadowing = Object.freeze({ groups: Object.freeze([]), paths: Object.freeze([]) });

// Layer positions are kept as bits of one number; the layer-count rule fails long before this.
const MAX_SHADOW_LAYERS = 30;

/** Results per distinct stack (same manifests, names, order, precedence), held by the first manifest's index. */
const shadowMemo = new WeakMap<ManifestIndex, Map<string, Shadowing>>();

function shadowingOf(
  layers: readonly StackLayer[], precedence: 'last-wins' | 'first-wins', index: (l: StackLayer) => ManifestIndex | undefined,
): Shadowing {
  const indexes = layers.slice(0, MAX_SHADOW_LAYERS).map(index);
  const anchor = indexes.find((i) => i !== undefined);
  if (!anchor) return NO_SHADOWING;
  const layerKeys = indexes.map((ix, i) => `${ix ? ix.id : '-'}\u0001${layers[i].layerId}\u0001${layers[i].displayName}`);
  const key = `${precedence}\u0002${layerKeys.join('\u0002')}`;
  let memo = shadowMemo.get(anchor);
  const hit = memo?.get(key);
  if (hit) return hit;
  const result = computeShadowing(layers, indexes, precedence);
  if (!memo) {
    memo = new Map();
    shadowMemo.set(anchor, memo);
  }
  memo.set(key, result);
  return result;
}

function computeShadowing(
  layers: readonly StackLayer[], indexes: readonly (ManifestIndex | undefined)[], precedence: 'last-wins' | 'first-wins',
): Shadowing {
  // One sorted overlap list per pair of layers, with the bit set of the pair's positions.
  const lists: (readonly string[])[] = [];
  const bits: number[] = [];
  for (let i = 0; i < indexes.length; i++) {
    const a = indexes[i];
    if (!a) continue;
    for (let j = i + 1; j < indexes.length; j++) {
      const b = indexes[j];
      // The same layer twice is LS-DUPLICATE-LAYER's finding, not a shadowing.
      if (!b || layers[i].layerId === layers[j].layerId) continue;
      const overlap = overlappingFiles(a, b);
      if (overlap.length === 0) continue;
      lists.push(overlap);
      bits.push((1 << i) | (1 << j));
    }
  }
  if (lists.length === 0) return NO_SHADOWING;
  // Merge the sorted lists: each path comes out once, in order, with the union of its pairs' bits,
  // so neither a map per path nor a final sort is needed.
  const byMask = new Map<number, string[]>();
  const order: string[] = [];
  const masks: number[] = [];
  const emit = (p: string, mask: number) => {
    order.push(p);
    masks.push(mask);
    const list = byMask.get(mask);
    if (list) list.push(p);
    else byMask.set(mask, [p]);
  };
  if (lists.length === 1) {
    for (const p of lists[0]) emit(p, bits[0]);
  } else {
    const heads = new Array<number>(lists.length).fill(0);
    for (;;) {
      let min: string | undefined;
      for (let k = 0; k < lists.length; k++) {
        if (heads[k] < lists[k].length) {
          const p = lists[k][heads[k]];
          if (min === undefined || p < min) min = p;
        }
      }
      if (min === undefined) break;
      let mask = 0;
      for (let k = 0; k < lists.length; k++) {
        if (heads[k] < lists[k].length && lists[k][heads[k]] === min) {
          mask |= bits[k];
          heads[k]++;
        }
      }
      emit(min, mask);
    }
  }
  const groups: ShadowGroup[] = [];
  const namesOf = new Map<number, { names: string[]; winner: string }>();
  for (const mask of [...byMask.keys()].sort((x, y) => x - y)) {
    const at: number[] = [];
    for (let i = 0; i < indexes.length; i++) if (mask & (1 << i)) at.push(i);
    const winner = precedence === 'last-wins' ? at[at.length - 1] : at[0];
    groups.push(Object.freeze({ layers: Object.freeze(at), winner, paths: Object.freeze(byMask.get(mask)!) }));
    // One frozen names array per group, shared by its paths.
    namesOf.set(mask, { names: Object.freeze(at.map((i) => layers[i].displayName)) as string[], winner: layers[winner].displayName });
  }
  const paths: ShadowedPath[] = new Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const n = namesOf.get(masks[k])!;
    paths[k] = Object.freeze({ path: order[k], layers: n.names, winner: n.winner });
  }
  return Object.freeze({ groups: Object.freeze(groups), paths: Object.freeze(paths) });
}

/** What analyzeLayer checks: one built layer, before any function uses it. */
export interface LayerAnalysisInput {
  /** Target platform. */
  readonly platform: PlatformId;
  /** Construct path (or file) of the layer, used in messages. */
  readonly path: string;
  /** The built layer's manifest. */
  readonly manifest: LayerManifest;
  /** Runtimes the layer declares. */
  readonly compatibleRuntimes: readonly string[];
  /** Architectures the layer declares (empty: any the platform runs). */
  readonly compatibleArchitectures: readonly ArchitectureId[];
  /** Per-app limit overrides. @default the platform defaults */
  readonly limits?: Partial<PlatformLimitOverrides>;
}

/** Ids of the checks analyzeLayer runs (stack rule ids reused where the rule is the same). */
export const LAYER_RULE_IDS: readonly string[] = Object.freeze([
  'LS-LAYOUT', 'LS-NATIVE-BINARY', 'LS-PYTHON-WHEEL-TAG', 'LS-GLIBC', 'LS-UNPINNED', 'LS-UNZIPPED-BUDGET', 'LS-INLINE-UPLOAD',
]);

/**
 * Single-layer checks, run when a RuntimeLayer is built: layout against every declared runtime,
 * native binaries and Python wheels against the declared architectures (FC: x86_64), the layer's
 * own unzipped size against the whole-function budget, and the inline upload size (info).
 * Runtime ids that do not resolve are skipped here: validateLayerProps reports them.
 */
export function analyzeLayer(input: LayerAnalysisInput): Finding[] {
  const platform = getPlatform(input.platform, input.limits);
  const { manifest, path } = input;
  const runtimes: RuntimeInfo[] = [];
  for (const id of input.compatibleRuntimes) {
    try {
      runtimes.push(resolveRuntime(input.platform, id));
    } catch {
      // reported by validateLayerProps
    }
  }
  const archs: readonly ArchitectureId[] = input.platform === 'alicloud'
    ? ['x86_64']
    : input.compatibleArchitectures.length > 0 ? input.compatibleArchitectures : platform.supportedArchitectures;
  const findings: Finding[] = [];

  const layout = runtimes.flatMap((rt) => layoutFindings(manifest, rt, path));
  findings.push(...layout.filter((f) => f.severity !== 'info'));
  // A multi-runtime layer keeps each runtime's files apart: only files no declared runtime finds matter.
  const checkable = runtimes.filter((rt) => rt.supportsLayers && rt.searchPaths.length > 0);
  if (checkable.length > 0 && !findings.some((f) => f.ruleId === 'LS-LAYOUT')) {
    const idx = indexManifest(manifest);
    let nowhere = new Set(layoutOf(idx, checkable[0]).outside);
    for (const rt of checkable.slice(1)) {
      const out = new Set(layoutOf(idx, rt).outside);
      nowhere = new Set([...nowhere].filter((p) => out.has(p)));
    }
    if (nowhere.size > 0) {
      const info = layout.find((f) => f.severity === 'info' && (f.data?.outside as number) === nowhere.size);
      findings.push(info ?? {
        ruleId: 'LS-LAYOUT',
        severity: 'info',
        layer: path,
        message: `${nowhere.size} of ${idx.fileCount} files in layer ${path} are outside the directories every declared runtime searches (e.g. `
          + `${[...nowhere].slice(0, 3).join(', ')}).`,
        fix: 'If functions import them, move them under a runtime directory.',
        data: { files: idx.fileCount, outside: nowhere.size },
      });
    }
  }

  // A native binary is fine when it runs on at least one declared architecture.
  findings.push(...nativeFindings(manifest, path, archs, platform.displayName));

  for (const rt of runtimes) {
    if (rt.family !== 'python' || !rt.version || !/^\d+\.\d+$/.test(rt.version)) continue;
    const perArch = archs.map((a) => wheelTagFindings(manifest, path, rt.version as string, a));
    // Report only wheels no declared architecture can load.
    if (perArch.every((f) => f.length > 0)) findings.push(...perArch[0]);
  }

  // Each declared runtime must load the layer's native code: its OS's glibc is checked one by one.
  for (const rt of runtimes) findings.push(...glibcFindings(manifest, path, rt));
  findings.push(...unpinnedFindings(manifest, path));

  const unzipped = manifest.zip.unzippedSize;
  if (unzipped > platform.limits.maxUnzippedBytes) {
    findings.push({
      ruleId: 'LS-UNZIPPED-BUDGET',
      severity: 'error',
      layer: path,
      message: `Layer ${path} unzips to ${formatBytes(unzipped)}, over the ${platform.displayName} limit of `
        + `${formatBytes(platform.limits.maxUnzippedBytes)} for function code plus all layers, by `
        + `${formatBytes(unzipped - platform.limits.maxUnzippedBytes)}.`,
      fix: 'Drop unused packages or files (tests, docs, caches) or split the layer across functions.',
      data: { unzippedBytes: unzipped, limitBytes: platform.limits.maxUnzippedBytes },
    });
  }
  const zipped = manifest.zip.zippedSize;
  if (zipped > platform.limits.maxInlineZipBytes) {
    findings.push({
      ruleId: 'LS-INLINE-UPLOAD',
      severity: 'info',
      layer: path,
      message: `Layer ${path} ZIP is ${formatBytes(zipped)}, over the ${formatBytes(platform.limits.maxInlineZipBytes)} ${platform.displayName} `
        + `accepts inline; it must be uploaded through ${input.platform === 'aws' ? 'S3' : 'OSS'}.`,
      fix: input.platform === 'aws' ? 'Nothing to do with an S3 asset (the CDK front-end uses one).' : 'Use an OSS upload rather than an inline '
        + 'code.zipFile.',
      data: { zippedBytes: zipped, inlineLimitBytes: platform.limits.maxInlineZipBytes },
    });
  }
  return sortFindings(findings);
}
