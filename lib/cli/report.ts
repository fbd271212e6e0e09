import * as path from 'path';
import { FC3_LAYER_VERSION_TYPE, analyzeStack, getPlatform } from '../core';
import { UsageError } from './errors';
import { byCodePoint } from './format';
import { FunctionRecord, GrantRecord, LayerRecord, readAssemblyManifest } from '../core/assembly';
import { AssemblyTemplate, LoadedAssembly, LocatedRecord, isUnder, loadAssembly, resourcePath } from '../core/assembly-dir';
import type { ArchitectureId, Finding, LayerManifest, PlatformId, StackLayer } from '../core/model';

/**
 * The review of a synthesized app, as plain data: `--format json` prints it, the Markdown renderer
 * draws it. Everything is sorted and nothing depends on the clock or the machine, so two synths of
 * the same app give the same report.
 */
export interface ReviewReport {
  readonly schemaVersion: 1;
  /** Counts for the top of the review. */
  readonly summary: ReviewSummary;
  /** Every layer anyone may use (loud in the Markdown). */
  readonly publicAccess: readonly PublicAccessEntry[];
  readonly layers: readonly LayerReview[];
  /** Who may use which layer version, one row per grant. */
  readonly grants: readonly GrantReview[];
  readonly functions: readonly FunctionReview[];
}

export interface ReviewSummary {
  readonly frameworks: readonly string[];
  readonly stacks: readonly string[];
  readonly layers: number;
  readonly functions: number;
  readonly grants: number;
  readonly publicLayers: number;
  /** Error findings over all functions (synth would normally have failed on these). */
  readonly errors: number;
  readonly warnings: number;
  /** Functions whose Layers in the template differ from the declared order. */
  readonly orderMismatches: number;
}

export interface PublicAccessEntry {
  /** Construct path of the layer (or the template resource path for an undeclared permission). */
  readonly layer: string;
  readonly platform: PlatformId;
  readonly stack: string;
  /** What makes it public, in words. */
  readonly how: string;
  /** 'record': declared through layersmith; 'template': found only in a template. */
  readonly source: 'record' | 'template';
}

export interface LayerReview {
  readonly path: string;
  readonly stack: string;
  readonly platform: PlatformId;
  readonly framework: string;
  readonly layerName?: string;
  readonly description?: string;
  readonly license?: string;
  readonly runtimes: readonly string[];
  readonly architectures: readonly ArchitectureId[];
  readonly retention: 'retain' | 'destroy';
  /** 'private', 'shared' (accounts/organizations) or 'public'. */
  readonly access: 'private' | 'shared' | 'public';
  readonly inputKey: string;
  /** False when bundling was skipped for the stack and no manifest exists. */
  readonly built: boolean;
  readonly zippedSize?: number;
  readonly unzippedSize?: number;
  readonly entryCount?: number;
  /** Base64 SHA-256 of the ZIP (AWS CodeSha256). */
  readonly sha256?: string;
  /** CRC-64/XZ of the ZIP, decimal (FC checksum). */
  readonly crc64?: string;
  readonly packages: readonly { ecosystem: string; name: string; version: string; files?: number; unzippedBytes?: number }[];
  /** Bytes of files no package claims (absent for manifests without sizes). */
  readonly unownedBytes?: number;
  /** What slim removed, when the layer was slimmed. */
  readonly slim?: {
    readonly beforeBytes: number;
    readonly savedBytes: number;
    readonly rules: readonly { rule: string; files: number; bytes: number }[];
  };
  readonly natives: readonly { path: string; os: string; cpu: string }[];
  /** The highest GLIBC_X.Y any native binary of the layer needs, when one needs any. */
  readonly glibc?: string;
  /** Files left out as secrets at build time (paths only). */
  readonly secretsExcluded: readonly string[];
}

export interface GrantReview {
  readonly layer: string;
  readonly platform: PlatformId;
  /** Which versions the grant covers. */
  readonly versions: string;
  readonly kind: 'account' | 'organization' | 'public';
  readonly principal: string;
  readonly organizationId?: string;
  readonly statementId?: string;
  /** 'record': declared through layersmith; 'template': a permission only the template holds. */
  readonly source: 'record' | 'template';
}

export interface FunctionLayerReview {
  /** 1-based position in the declared (and deployed) order. */
  readonly position: number;
  readonly layerId: string;
  readonly displayName: string;
  readonly layerPath?: string;
  readonly arn?: string;
  /** Unzipped size when the layer's manifest is known. */
  readonly unzippedSize?: number;
}

export interface FunctionReview {
  readonly path: string;
  readonly stack: string;
  readonly platform: PlatformId;
  readonly framework: string;
  readonly runtime: string;
  readonly architecture: ArchitectureId;
  readonly codeSize?: number;
  /** Which copy of a shadowed file the platform loads. */
  readonly precedence: 'last-wins' | 'first-wins';
  readonly layers: readonly FunctionLayerReview[];
  readonly budget: { readonly usedBytes: number; readonly limitBytes: number; readonly unknownLayers: number };
  readonly shadowed: readonly { readonly path: string; readonly layers: readonly string[]; readonly winner: string }[];
  readonly findings: readonly Finding[];
  /** How the template's Layers compare with the declared order. */
  readonly templateOrder: TemplateOrderCheck;
}

export interface TemplateOrderCheck {
  /** 'match', 'mismatch', or 'not-found' (no template, e.g. Pulumi, or the function resource is absent). */
  readonly status: 'match' | 'mismatch' | 'not-found';
  /** Template file the function resource was found in. */
  readonly template?: string;
  /** The template's Layers, resolved to construct paths or ARNs, in template order. */
  readonly templateLayers?: readonly string[];
}

/** Read a cloud assembly dir and review it. Throws UsageError for a dir that is not one. */
export function reportOnAssembly(dir: string): ReviewReport {
  return buildReport(loadAssembly(dir));
}

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** Turn the loaded records and templates into the review data. */
export function buildReport(assembly: LoadedAssembly): ReviewReport {
  const layerRecords = assembly.records.filter((r): r is LocatedRecord<LayerRecord> => r.record.kind === 'layer')
    .sort((a, b) => byCodePoint(a.record.path, b.record.path));
  const functionRecords = assembly.records.filter((r): r is LocatedRecord<FunctionRecord> => r.record.kind === 'function')
    .sort((a, b) => byCodePoint(a.record.path, b.record.path));

  const manifests = new Map<string, LayerManifest | undefined>();
  const layerByPath = new Map<string, LocatedRecord<LayerRecord>>();
  for (const located of layerRecords) {
    layerByPath.set(located.record.path, located);
    manifests.set(located.record.path, readManifest(assembly, located));
  }

  const layers = layerRecords.map((l) => reviewLayer(l.record, manifests.get(l.record.path)));
  const grants = [
    ...layerRecords.flatMap((l) => reviewGrants(l.record)),
    ...undeclaredPermissions(layerRecords.map((l) => l.record), assembly.templates),
  ].sort((a, b) => byCodePoint(a.layer, b.layer) || byCodePoint(a.kind, b.kind) || byCodePoint(a.principal, b.principal)
      || byCodePoint(a.organizationId ?? '', b.organizationId ?? ''));

  const functions = functionRecords.map((f) => reviewFunction(assembly, f.record, layerByPath, manifests));
  const publicAccess = collectPublicAccess(layerRecords.map((l) => l.record), assembly.templates);

  const all = (pick: (f: FunctionReview) => number) => functions.reduce((n, f) => n + pick(f), 0);
  const records = assembly.records.map((r) => r.record);
  return {
    schemaVersion: 1,
    summary: {
      frameworks: unique(records.map((r) => r.framework)),
      stacks: unique([...records.map((r) => r.stack), ...assembly.templates.map((t) => t.stack)]),
      layers: layers.length,
      functions: functions.length,
      grants: grants.length,
      publicLayers: unique(publicAccess.map((p) => p.layer)).length,
      errors: all((f) => f.findings.filter((x) => x.severity === 'error').length),
      warnings: all((f) => f.findings.filter((x) => x.severity === 'warning').length),
      orderMismatches: functions.filter((f) => f.templateOrder.status === 'mismatch').length,
    },
    publicAccess,
    layers,
    grants,
    functions,
  };
}

function readManifest(assembly: LoadedAssembly, located: LocatedRecord<LayerRecord>): LayerManifest | undefined {
  try {
    return readAssemblyManifest(located.assemblyDir, located.record);
  } catch (e) {
    const manifestPath = path.join(located.assemblyDir, 'layersmith', located.record.manifestFile ?? '');
    const rel = path.relative(assembly.dir, manifestPath).split(path.sep).join('/');
    throw new UsageError(`${rel}: cannot read the manifest of layer ${located.record.path} (${(e as Error).message}); synthesize the app again`);
  }
}

function isPublic(record: LayerRecord): boolean {
  return record.acl === 'public' || record.grants.some((g) => g.kind === 'public');
}

function reviewLayer(record: LayerRecord, manifest: LayerManifest | undefined): LayerReview {
  const access = isPublic(record) ? 'public' : record.grants.length > 0 ? 'shared' : 'private';
  return {
    path: record.path,
    stack: record.stack,
    platform: record.platform,
    framework: record.framework,
    layerName: record.layerName,
    description: record.description,
    license: record.license,
    runtimes: [...record.compatibleRuntimes].sort(byCodePoint),
    architectures: [...record.compatibleArchitectures].sort(byCodePoint),
    retention: record.retention,
    access,
    inputKey: record.inputKey,
    built: manifest !== undefined,
    zippedSize: manifest?.zip.zippedSize,
    unzippedSize: manifest?.zip.unzippedSize,
    entryCount: manifest?.zip.entryCount,
    sha256: manifest?.zip.sha256,
    crc64: manifest?.zip.crc64,
    packages: (manifest?.packages ?? [])
      .map((p) => ({ ecosystem: p.ecosystem, name: p.name, version: p.version, files: p.files, unzippedBytes: p.unzippedBytes }))
      .sort((a, b) => byCodePoint(a.ecosystem, b.ecosystem) || byCodePoint(a.name, b.name) || byCodePoint(a.version, b.version)),
    unownedBytes: manifest?.unowned?.unzippedBytes,
    slim: manifest?.slim
      ? { beforeBytes: manifest.slim.beforeBytes, savedBytes: manifest.slim.savedBytes, rules: manifest.slim.rules.map((r) => ({ ...r })) }
      : undefined,
    natives: (manifest?.natives ?? []).map((n) => ({ path: n.path, os: n.os, cpu: n.cpu })).sort((a, b) => byCodePoint(a.path, b.path)),
    secretsExcluded: (manifest?.excluded ?? []).filter((x) => x.secret).map((x) => x.path).sort(byCodePoint),
    ...(manifest?.glibc ? { glibc: manifest.glibc } : {}),
  };
}

const FC_ACL_VERSIONS = 'every version (FC ACL is per layer)';

function reviewGrants(record: LayerRecord): GrantReview[] {
  if (record.platform === 'alicloud') {
    // FC shares per layer through its ACL, never per account; only a public ACL grants anything.
    return isPublic(record)
      ? [{ layer: record.path, platform: record.platform, versions: FC_ACL_VERSIONS, kind: 'public', principal: '*', source: 'record' }]
      : [];
  }
  return record.grants.map((g: GrantRecord) => ({
    layer: record.path,
    platform: record.platform,
    versions: 'every version this app publishes (one statement per version)',
    kind: g.kind,
    principal: g.principal,
    organizationId: g.organizationId,
    statementId: g.statementId,
    source: 'record',
  }));
}

/**
 * AWS permissions in the templates that no layersmith record declares (hand-written
 * CfnLayerVersionPermission, another library): a reviewer must see every grant that will deploy.
 */
function undeclaredPermissions(layers: readonly LayerRecord[], templates: readonly AssemblyTemplate[]): GrantReview[] {
  const out: GrantReview[] = [];
  for (const template of templates) {
    for (const id of Object.keys(template.resources).sort(byCodePoint)) {
      const resource = template.resources[id];
      if (resource.Type !== 'AWS::Lambda::LayerVersionPermission') continue;
      const props = resource.Properties ?? {};
      const principal = typeof props.Principal === 'string' ? props.Principal : JSON.stringify(props.Principal);
      const organizationId = typeof props.OrganizationId === 'string' ? props.OrganizationId : undefined;
      const target = resolveLayerRef(template, props.LayerVersionArn);
      const owner = layers.find((l) => isUnder(target, l.path));
      const declared = owner?.grants.some((g) => g.principal === principal && g.organizationId === organizationId);
      if (declared) continue;
      out.push({
        layer: owner?.path ?? target,
        platform: 'aws',
        versions: `only in ${template.file} (${id}), not declared through layersmith`,
        kind: organizationId ? 'organization' : principal === '*' ? 'public' : 'account',
        principal,
        organizationId,
        source: 'template',
      });
    }
  }
  return out;
}

function reviewFunction(
  assembly: LoadedAssembly,
  record: FunctionRecord,
  layerByPath: Map<string, LocatedRecord<LayerRecord>>,
  manifests: Map<string, LayerManifest | undefined>,
): FunctionReview {
  const stackLayers: StackLayer[] = record.layers.map((entry) => {
    const layer = entry.layerPath ? layerByPath.get(entry.layerPath)?.record : undefined;
    return {
      layerId: entry.layerId,
      displayName: entry.displayName,
      arn: entry.arn,
      compatibleRuntimes: layer?.compatibleRuntimes,
      compatibleArchitectures: layer?.compatibleArchitectures,
      manifest: entry.layerPath ? manifests.get(entry.layerPath) : undefined,
    };
  });
  let analysis: ReturnType<typeof analyzeStack>;
  try {
    analysis = analyzeStack({
      platform: record.platform,
      function: { path: record.path, runtime: record.runtime, architecture: record.architecture, codeSize: record.codeSize },
      layers: stackLayers,
    });
  } catch (e) {
    throw new UsageError(`function ${record.path}: cannot analyze its layer stack (${(e as Error).message})`);
  }
  const findings = [...analysis.findings].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9)
    || byCodePoint(a.ruleId, b.ruleId) || byCodePoint(a.layer ?? '', b.layer ?? '') || byCodePoint(a.message, b.message));
  return {
    path: record.path,
    stack: record.stack,
    platform: record.platform,
    framework: record.framework,
    runtime: record.runtime,
    architecture: record.architecture,
    codeSize: record.codeSize,
    precedence: getPlatform(record.platform).precedence,
    layers: record.layers.map((entry, i) => ({
      position: i + 1,
      layerId: entry.layerId,
      displayName: entry.displayName,
      layerPath: entry.layerPath,
      arn: entry.arn,
      unzippedSize: stackLayers[i].manifest?.zip.unzippedSize,
    })),
    budget: { usedBytes: analysis.budget.usedBytes, limitBytes: analysis.budget.limitBytes, unknownLayers: analysis.budget.unknownLayers },
    shadowed: [...analysis.shadowed]
      .map((s) => ({ path: s.path, layers: [...s.layers], winner: s.winner }))
      .sort((a, b) => byCodePoint(a.path, b.path)),
    findings,
    templateOrder: checkTemplateOrder(assembly.templates, record),
  };
}

const FUNCTION_TYPES = new Set(['AWS::Lambda::Function', 'ALIYUN::FC3::Function']);

/** A Layers element as a construct path (Ref/GetAtt to a resource in the same template) or ARN text. */
function resolveLayerRef(template: AssemblyTemplate, value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const ref = typeof v.Ref === 'string' ? v.Ref
      : Array.isArray(v['Fn::GetAtt']) && typeof v['Fn::GetAtt'][0] === 'string' ? v['Fn::GetAtt'][0] as string
        : undefined;
    if (ref !== undefined) return resourcePath(template.resources[ref]) ?? ref;
  }
  return JSON.stringify(value);
}

function checkTemplateOrder(templates: readonly AssemblyTemplate[], record: FunctionRecord): TemplateOrderCheck {
  for (const template of templates) {
    for (const id of Object.keys(template.resources).sort(byCodePoint)) {
      const resource = template.resources[id];
      if (!FUNCTION_TYPES.has(resource.Type ?? '')) continue;
      const rp = resourcePath(resource);
      if (!rp || !isUnder(rp, record.path)) continue;
      const raw = resource.Properties?.Layers;
      const templateLayers = Array.isArray(raw) ? raw.map((v) => resolveLayerRef(template, v)) : [];
      const matches = templateLayers.length === record.layers.length && record.layers.every((entry, i) => {
        const actual = templateLayers[i];
        if (entry.layerPath && isUnder(actual, entry.layerPath)) return true;
        return entry.arn !== undefined && actual === entry.arn;
      });
      return { status: matches ? 'match' : 'mismatch', template: template.file, templateLayers };
    }
  }
  return { status: 'not-found' };
}

function collectPublicAccess(layers: readonly LayerRecord[], templates: readonly AssemblyTemplate[]): PublicAccessEntry[] {
  const out: PublicAccessEntry[] = [];
  for (const record of layers) {
    if (!isPublic(record)) continue;
    const how = record.platform === 'alicloud'
      ? 'FC layer ACL is public: anyone who knows the ARN can attach every version'
      : 'permission with principal * and no organization: every AWS account can attach every version';
    out.push({ layer: record.path, platform: record.platform, stack: record.stack, how, source: 'record' });
  }
  const declared = new Set(out.map((p) => p.layer));
  for (const template of templates) {
    for (const id of Object.keys(template.resources).sort(byCodePoint)) {
      const resource = template.resources[id];
      const props = resource.Properties ?? {};
      let layerPath: string | undefined;
      let how: string | undefined;
      let platform: PlatformId | undefined;
      if (resource.Type === 'AWS::Lambda::LayerVersionPermission' && props.Principal === '*' && props.OrganizationId === undefined) {
        layerPath = resolveLayerRef(template, props.LayerVersionArn);
        how = `permission ${id} in ${template.file} grants principal * with no organization`;
        platform = 'aws';
      } else if (resource.Type === FC3_LAYER_VERSION_TYPE && ['1', 'public', 1].includes(props.Acl as string)) {
        layerPath = resourcePath(resource) ?? id;
        how = `layer version ${id} in ${template.file} has a public ACL`;
        platform = 'alicloud';
      }
      if (layerPath === undefined || how === undefined || platform === undefined) continue;
      const lp = layerPath;
      if ([...declared].some((d) => isUnder(lp, d))) continue;
      const undeclared = `${how} (not declared through a layersmith LayerPermission)`;
      out.push({ layer: layerPath, platform, stack: template.stack, how: undeclared, source: 'template' });
    }
  }
  return out.sort((a, b) => byCodePoint(a.layer, b.layer) || byCodePoint(a.how, b.how));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(byCodePoint);
}
