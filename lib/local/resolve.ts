import * as fs from 'fs';
import * as path from 'path';
import type { LocalLayer } from './materialize';
import type { FunctionRecord } from '../core/assembly';
import { AssemblyTemplate, LocatedRecord, TemplateResource, isUnder, loadAssembly, resourcePath } from '../core/assembly-dir';
import { UsageError } from '../core/errors';
import type { PlatformId } from '../core/model';
import { FUNCTION_DEFAULTS } from '../core/search-paths';

/** Where a function's own code comes from. */
export type LocalCode =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'inline'; readonly text: string }
  | { readonly kind: 'zip-base64'; readonly data: string };

/** Everything a local run needs to know about one function. */
export interface LocalFunction {
  /** Construct path, or the handler for plain inputs. */
  readonly path: string;
  readonly platform: PlatformId;
  readonly runtime: string;
  /** Handler as the platform spells it ('index.handler'). */
  readonly handler: string;
  /** The deployed function name (the template's when it is a literal). */
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Environment variables with literal values, from the template. */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables whose values are known only at deploy (references, functions), left out. */
  readonly omittedEnvironment: readonly string[];
  readonly code: LocalCode;
  /** Layers in deployed order. */
  readonly layers: readonly LocalLayer[];
  /** FC custom runtimes: the start command (`CustomRuntimeConfig.Command` + `Args`), when set. */
  readonly command?: readonly string[];
}

const FUNCTION_TYPES = new Set(['AWS::Lambda::Function', 'ALIYUN::FC3::Function']);
const LAYER_TYPES = new Set(['AWS::Lambda::LayerVersion', 'ALIYUN::FC3::LayerVersion']);

/**
 * Find a FunctionWithLayers in a synthesized app (AWS CDK cdk.out or ROS CDK outdir) by its
 * construct path or a unique suffix of it, and read its handler, code, environment and layer ZIPs
 * from the template and the asset manifests. Bad input throws a one-line UsageError.
 */
export function resolveFunction(assemblyDir: string, name: string): LocalFunction {
  const assembly = loadAssembly(assemblyDir);
  const functions = assembly.records.filter((r): r is LocatedRecord<FunctionRecord> => r.record.kind === 'function');
  const located = pickFunction(assemblyDir, name, functions);
  const record = located.record;

  const found = findFunctionResource(assembly.dir, assembly.templates, record);
  if (!found) {
    const type = record.platform === 'aws' ? 'AWS::Lambda::Function' : 'ALIYUN::FC3::Function';
    throw new UsageError(`function ${record.path}: its ${type} resource is not in any template under ${assemblyDir}; synthesize the app again`);
  }
  const { template, resource, logicalId } = found;
  const props = resource.Properties ?? {};
  const assets = assetSources(path.join(assembly.dir, path.dirname(template.file)));
  const aws = record.platform === 'aws';

  const rawLayers = Array.isArray(props.Layers) ? props.Layers : [];
  const layers: LocalLayer[] = rawLayers.map((value, i) => {
    const entry = rawLayers.length === record.layers.length ? record.layers[i] : undefined;
    const label = entry?.displayName ?? `layer ${i + 1}`;
    if (typeof value === 'string') {
      throw new UsageError(`function ${record.path}: layer ${i + 1} (${value}) is imported by ARN, so its content is not in the assembly; `
        + 'run `layersmith invoke --layer <zip> ...` with the plain inputs and give its ZIP');
    }
    const layerResource = template.resources[referencedId(value) ?? ''];
    if (!layerResource || !LAYER_TYPES.has(layerResource.Type ?? '')) {
      throw new UsageError(`function ${record.path}: layer ${i + 1} (${JSON.stringify(value)}) does not point at a layer version `
        + `in ${template.file}; synthesize the app again`);
    }
    const content = (aws ? layerResource.Properties?.Content : layerResource.Properties?.Code) as Record<string, unknown> | undefined;
    const key = aws ? content?.S3Key : content?.OssObjectName;
    const source = typeof key === 'string' ? assets.get(key) : undefined;
    if (!source) {
      throw new UsageError(`function ${record.path}: the ZIP of layer ${label} is not in the assembly (no asset for ${JSON.stringify(key)}); `
        + 'synthesize with bundling enabled for this stack');
    }
    return { name: label, source };
  });

  const environment: Record<string, string> = {};
  const omittedEnvironment: string[] = [];
  const rawEnv = (aws ? (props.Environment as Record<string, unknown> | undefined)?.Variables : props.EnvironmentVariables) as
    Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(rawEnv ?? {})) {
    if (typeof value === 'string') environment[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') environment[key] = String(value);
    else omittedEnvironment.push(key);
  }

  const handler = props.Handler;
  if (typeof handler !== 'string' || handler === '') {
    throw new UsageError(`function ${record.path}: no literal Handler in ${template.file}; invoke runs zip-packaged functions with a handler`);
  }
  const custom = props.CustomRuntimeConfig as { Command?: unknown; Args?: unknown } | undefined;
  const command = [custom?.Command, custom?.Args].flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []));
  const defaults = FUNCTION_DEFAULTS[record.platform];
  return {
    path: record.path,
    platform: record.platform,
    runtime: record.runtime,
    handler,
    functionName: typeof props.FunctionName === 'string' ? props.FunctionName : logicalId,
    memoryMb: typeof props.MemorySize === 'number' ? props.MemorySize : defaults.memoryMb,
    timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : defaults.timeoutSeconds,
    environment,
    omittedEnvironment,
    code: codeOf(record, template, props.Code, assets),
    layers,
    ...(command.length > 0 ? { command } : {}),
  };
}

function pickFunction(dirArg: string, name: string, functions: readonly LocatedRecord<FunctionRecord>[]): LocatedRecord<FunctionRecord> {
  const wanted = name.replace(/^\/+/, '');
  const all = functions.map((f) => f.record.path).sort();
  if (functions.length === 0) {
    throw new UsageError(`${dirArg}: holds no layersmith FunctionWithLayers; synthesize an app that declares one`);
  }
  const exact = functions.filter((f) => f.record.path === wanted);
  if (exact.length === 1) return exact[0];
  const matches = functions.filter((f) => f.record.path.endsWith(`/${wanted}`));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    const paths = matches.map((f) => f.record.path).sort().join(', ');
    throw new UsageError(`function '${name}' matches ${matches.length} functions in ${dirArg}: ${paths}; give more of the construct path`);
  }
  throw new UsageError(`function '${name}': no function with that construct path (or path suffix) in ${dirArg}; functions: ${all.join(', ')}`);
}

function findFunctionResource(topDir: string, templates: readonly AssemblyTemplate[], record: FunctionRecord):
{ template: AssemblyTemplate; resource: TemplateResource; logicalId: string } | undefined {
  for (const template of templates) {
    // Path metadata (ROS CDK always; AWS CDK when path metadata is on), as `layersmith report` matches it.
    for (const [logicalId, resource] of Object.entries(template.resources)) {
      const rp = resourcePath(resource);
      if (FUNCTION_TYPES.has(resource.Type ?? '') && rp && isUnder(rp, record.path)) return { template, resource, logicalId };
    }
    // Otherwise the logical ids the CDK records per construct path in the stack's metadata.
    for (const logicalId of logicalIdsUnder(topDir, template, record.path)) {
      const resource = template.resources[logicalId];
      if (resource && FUNCTION_TYPES.has(resource.Type ?? '')) return { template, resource, logicalId };
    }
  }
  return undefined;
}

type MetadataEntries = Record<string, Array<{ type?: string; data?: unknown }>>;

/** Logical ids recorded (`aws:cdk:logicalId`) for constructs at or under `constructPath`. */
function logicalIdsUnder(topDir: string, template: AssemblyTemplate, constructPath: string): string[] {
  const dir = path.join(topDir, path.dirname(template.file));
  const manifest = readJsonOrUndefined(path.join(dir, 'manifest.json')) as
    { artifacts?: Record<string, { metadata?: MetadataEntries; additionalMetadataFile?: string }> } | undefined;
  const artifact = manifest?.artifacts?.[template.stack];
  const metadata: MetadataEntries = { ...(artifact?.metadata ?? {}) };
  if (typeof artifact?.additionalMetadataFile === 'string') {
    Object.assign(metadata, readJsonOrUndefined(path.join(dir, artifact.additionalMetadataFile)) as MetadataEntries | undefined);
  }
  const ids: string[] = [];
  for (const [p, entries] of Object.entries(metadata)) {
    if (!isUnder(p.replace(/^\//, ''), constructPath) || !Array.isArray(entries)) continue;
    for (const e of entries) if (e?.type === 'aws:cdk:logicalId' && typeof e.data === 'string') ids.push(e.data);
  }
  return ids;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function referencedId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const att = v['Fn::GetAtt'];
  return Array.isArray(att) && typeof att[0] === 'string' ? att[0] : undefined;
}

/** Object key (S3 / OSS) -> absolute path of the staged asset, from every `*.assets.json` in a dir. */
function assetSources(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.assets.json')).sort()) {
    const manifest = readJsonOrUndefined(path.join(dir, file)) as
      { files?: Record<string, { source?: { path?: unknown }; destinations?: Record<string, { objectKey?: unknown }> }> } | undefined;
    for (const asset of Object.values(manifest?.files ?? {})) {
      if (typeof asset?.source?.path !== 'string') continue;
      for (const dest of Object.values(asset.destinations ?? {})) {
        if (typeof dest?.objectKey === 'string') out.set(dest.objectKey, path.join(dir, asset.source.path));
      }
    }
  }
  return out;
}

function codeOf(record: FunctionRecord, template: AssemblyTemplate, raw: unknown, assets: Map<string, string>): LocalCode {
  const code = (raw ?? {}) as Record<string, unknown>;
  if (typeof code.ZipFile === 'string') {
    // AWS: inline source text (written as index.py / index.js); FC3: a base64 ZIP.
    return record.platform === 'aws' ? { kind: 'inline', text: code.ZipFile } : { kind: 'zip-base64', data: code.ZipFile };
  }
  const key = record.platform === 'aws' ? code.S3Key : code.OssObjectName;
  const source = typeof key === 'string' ? assets.get(key) : undefined;
  if (!source) {
    throw new UsageError(`function ${record.path}: its code (${JSON.stringify(raw)}) is not an asset of this assembly (${template.file}); `
      + 'run `layersmith invoke --code <dir|zip> ...` with the plain inputs');
  }
  return { kind: 'path', path: source };
}

function readJsonOrUndefined(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
