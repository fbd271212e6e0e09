import { planGrants, toGrantRecords, writeAssemblyManifest, writeAssemblyRecord } from '../core';
import type { FunctionRecord, LayerGrant, LayerManifest, LayerRecord } from '../core';
import { manifestFileBytes } from '../engine/cache';

/** What a RuntimeLayer's record says, in the front-end's own values (the rest is derived). */
export type LayerRecordInput = Omit<LayerRecord, 'kind' | 'schemaVersion' | 'manifestFile' | 'retention' | 'grants' | 'acl'> & {
  /** Undefined when nothing was built (bundling skipped). */
  readonly manifest?: LayerManifest;
  readonly retained: boolean;
  readonly grants: readonly LayerGrant[];
};

/**
 * Writes a layer's manifest and record into the assembly: the grants as the platform renders them
 * (AWS statements, FC ACL), fields that are unknown left out.
 */
export function writeLayerRecord(outdir: string, layer: LayerRecordInput): void {
  // A manifest read from the cache is copied as its file's bytes (the same JSON), not re-serialized.
  const manifestFile = layer.manifest ? writeAssemblyManifest(outdir, layer.inputKey, layer.manifest, manifestFileBytes(layer.manifest)) : undefined;
  const plan = planGrants(layer.platform, layer.grants, layer.path);
  writeAssemblyRecord(outdir, {
    kind: 'layer',
    schemaVersion: 1,
    platform: layer.platform,
    framework: layer.framework,
    stack: layer.stack,
    path: layer.path,
    ...defined({ layerName: layer.layerName, description: layer.description, license: layer.license }),
    compatibleRuntimes: layer.compatibleRuntimes,
    compatibleArchitectures: layer.compatibleArchitectures,
    inputKey: layer.inputKey,
    ...defined({ manifestFile }),
    retention: layer.retained ? 'retain' : 'destroy',
    grants: toGrantRecords(plan),
    ...(plan.platform === 'alicloud' ? { acl: plan.acl } : {}),
  });
}

/** What a FunctionWithLayers' record says. */
export type FunctionRecordInput = Omit<FunctionRecord, 'kind' | 'schemaVersion'>;

/** Writes a function's record into the assembly. */
export function writeFunctionRecord(outdir: string, fn: FunctionRecordInput): void {
  writeAssemblyRecord(outdir, {
    kind: 'function',
    schemaVersion: 1,
    platform: fn.platform,
    framework: fn.framework,
    stack: fn.stack,
    path: fn.path,
    runtime: fn.runtime,
    architecture: fn.architecture,
    ...defined({ codeSize: fn.codeSize }),
    layers: fn.layers,
    findings: fn.findings,
  });
}

/** The fields whose value is not undefined (records leave unknown fields out). */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
