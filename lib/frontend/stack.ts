import { analyzeLayer, analyzeStack, parseLayerVersionArn } from '../core';
import type {
  ArchitectureId, Finding, LayerManifest, LayerVersionRef, PlatformId, PlatformLimitOverrides, StackEntryRecord, StackInput, StackLayer, StackReport,
} from '../core';
import { withConstructPath } from './errors';

/** One of our layers as the stack rules and the records see it. */
export interface OwnLayer {
  /** Construct path (CDKs) or `RuntimeLayer '<name>'` (Pulumi): what messages call it. */
  readonly path: string;
  readonly platform: PlatformId;
  /**
   * The layer name when known at declaration: two layers with one name are versions of one
   * platform layer, which a function cannot attach twice.
   */
  readonly layerName?: string;
  readonly compatibleRuntimes: readonly string[];
  readonly compatibleArchitectures: readonly ArchitectureId[];
  readonly inputKey: string;
  /** The built manifest; undefined when nothing was built (bundling skipped). */
  readonly manifest?: LayerManifest;
}

/** Identity of one of our layers regardless of version. */
export function ownLayerId(layer: Pick<OwnLayer, 'path' | 'platform' | 'layerName'>): string {
  return layer.layerName !== undefined ? `${layer.platform}:layer:${layer.layerName}` : layer.path;
}

/** How the stack rules see one of our layers. */
export function describeOwnLayer(layer: OwnLayer): StackLayer {
  return {
    layerId: ownLayerId(layer),
    displayName: layer.path,
    compatibleRuntimes: layer.compatibleRuntimes,
    compatibleArchitectures: layer.compatibleArchitectures,
    ...(layer.manifest ? { manifest: layer.manifest } : {}),
  };
}

/** How a function's record lists one of our layers. */
export function ownLayerEntry(layer: OwnLayer): StackEntryRecord {
  return { layerId: ownLayerId(layer), displayName: layer.path, layerPath: layer.path, inputKey: layer.inputKey };
}

/** A layer version known only by its ARN: what the rules and the records know of it. */
export interface ImportedLayer {
  readonly ref?: LayerVersionRef;
  readonly stackLayer: StackLayer;
  readonly entry: StackEntryRecord;
}

/**
 * A layer imported by ARN. `arn` is undefined when the ARN is not known at declaration (a CDK token):
 * the layer is then identified by `path`. A malformed ARN fails at `where`, after `what` (the API or field).
 */
export function importLayerVersion(where: string, path: string, arn: string | undefined, platform: PlatformId, what?: string): ImportedLayer {
  if (arn === undefined) {
    const unknown = { layerId: path, displayName: path };
    return { stackLayer: unknown, entry: unknown };
  }
  let ref: LayerVersionRef;
  try {
    ref = parseLayerVersionArn(arn, platform);
  } catch (err) {
    throw withConstructPath(err, where, what);
  }
  const known = { layerId: ref.unversionedArn, displayName: arn, arn };
  return { ref, stackLayer: known, entry: known };
}

/** A function's stack, as every front-end hands it to the stack rules (path: construct path or `FunctionWithLayers '<name>'`). */
export type FunctionStack = StackInput['function'] & Omit<StackInput, 'function'>;

/** The stack rules over one function. */
export function analyzeFunction(stack: FunctionStack): StackReport {
  return analyzeStack({
    platform: stack.platform,
    function: {
      path: stack.path,
      runtime: stack.runtime,
      architecture: stack.architecture,
      ...(stack.codeSize !== undefined ? { codeSize: stack.codeSize } : {}),
    },
    layers: stack.layers,
    ...(stack.limits ? { limits: stack.limits } : {}),
  });
}

/** The single-layer rules over a built layer. */
export function analyzeBuiltLayer(layer: OwnLayer & { readonly manifest: LayerManifest }, limits?: Partial<PlatformLimitOverrides>): Finding[] {
  return analyzeLayer({
    platform: layer.platform,
    path: layer.path,
    manifest: layer.manifest,
    compatibleRuntimes: layer.compatibleRuntimes,
    compatibleArchitectures: layer.compatibleArchitectures,
    ...(limits ? { limits } : {}),
  });
}
