import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './atomic';
import type { ArchitectureId, Finding, LayerManifest, PlatformId } from './model';

/**
 * What a synthesized app (AWS CDK cloud assembly, ROS CDK output) carries for `layersmith report`.
 *
 * Each RuntimeLayer and FunctionWithLayers writes one small JSON record under
 * `<assembly outdir>/layersmith/`, and each built layer its manifest under
 * `<assembly outdir>/layersmith/manifests/<inputKey>.json`. One file per construct means no
 * global registry and no ordering between constructs; the report sorts what it finds.
 */
export const ASSEMBLY_RECORDS_DIR = 'layersmith';
export const ASSEMBLY_MANIFESTS_DIR = 'manifests';

/** Which front-end wrote a record. */
export type FrameworkId = 'aws-cdk' | 'ros-cdk' | 'pulumi';

/** Who may use a layer version, as rendered on the platform. */
export interface GrantRecord {
  readonly kind: 'account' | 'organization' | 'public';
  /** Account id / ARN principal, or '*' for organization and public grants. */
  readonly principal: string;
  readonly organizationId?: string;
  /** AWS statement id (per version); absent on FC (ACL). */
  readonly statementId?: string;
}

export interface LayerRecord {
  readonly kind: 'layer';
  readonly schemaVersion: 1;
  readonly platform: PlatformId;
  readonly framework: FrameworkId;
  /** Stack (template) the layer is in. */
  readonly stack: string;
  /** Construct path. */
  readonly path: string;
  readonly layerName?: string;
  readonly description?: string;
  readonly license?: string;
  readonly compatibleRuntimes: readonly string[];
  readonly compatibleArchitectures: readonly ArchitectureId[];
  /** Build input key (also the asset hash). */
  readonly inputKey: string;
  /**
   * Manifest path relative to the records dir (`manifests/<inputKey>.json`); absent when bundling
   * was skipped for this stack and nothing was built.
   */
  readonly manifestFile?: string;
  /** Whether old versions are retained on update/removal. */
  readonly retention: 'retain' | 'destroy';
  readonly grants: readonly GrantRecord[];
  /** FC layer ACL. */
  readonly acl?: 'private' | 'public';
}

/** One layer in a function's stack, in declared order. */
export interface StackEntryRecord {
  /** Identity regardless of version (construct path or unversioned ARN). */
  readonly layerId: string;
  readonly displayName: string;
  /** Construct path of the RuntimeLayer when it is one of ours in this app. */
  readonly layerPath?: string;
  /** ARN when the layer was imported by ARN. */
  readonly arn?: string;
  /** Input key of our layer (joins to its manifest). */
  readonly inputKey?: string;
}

export interface FunctionRecord {
  readonly kind: 'function';
  readonly schemaVersion: 1;
  readonly platform: PlatformId;
  readonly framework: FrameworkId;
  readonly stack: string;
  readonly path: string;
  readonly runtime: string;
  readonly architecture: ArchitectureId;
  /** Unzipped size of the function's own code when known. */
  readonly codeSize?: number;
  readonly layers: readonly StackEntryRecord[];
  /** Findings of analyzeStack at synth (errors would have failed synth). */
  readonly findings: readonly Finding[];
}

export type AssemblyRecord = LayerRecord | FunctionRecord;

/** File name for a record: stable, filesystem-safe, unique per construct path. */
export function recordFileName(record: AssemblyRecord): string {
  const safe = `${record.framework}__${record.path}`.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${record.kind}__${safe}.json`;
}

/** Write one record atomically (temp file + rename) with stable key order and a newline. */
export function writeAssemblyRecord(assemblyDir: string, record: AssemblyRecord): string {
  const dir = path.join(assemblyDir, ASSEMBLY_RECORDS_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, recordFileName(record));
  writeJsonAtomic(file, record);
  return file;
}

/**
 * Copy a layer manifest into the assembly; returns the path relative to the records dir.
 * `bytes`, when given, are the manifest file's own bytes (what `manifest` was parsed from): they
 * are written as they are instead of serializing a large manifest again.
 */
export function writeAssemblyManifest(assemblyDir: string, inputKey: string, manifest: LayerManifest, bytes?: Uint8Array): string {
  const rel = `${ASSEMBLY_MANIFESTS_DIR}/${inputKey}.json`;
  const file = path.join(assemblyDir, ASSEMBLY_RECORDS_DIR, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (bytes) writeFileAtomic(file, bytes);
  else writeJsonAtomic(file, manifest);
  return rel;
}

/** Read every record under an assembly dir, sorted by kind then path. Empty when none. */
export function readAssemblyRecords(assemblyDir: string): AssemblyRecord[] {
  const dir = path.join(assemblyDir, ASSEMBLY_RECORDS_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as AssemblyRecord)
    .sort((a, b) => (a.kind + a.path).localeCompare(b.kind + b.path));
}

/** Read a manifest a LayerRecord points at; undefined when the layer was not built. */
export function readAssemblyManifest(assemblyDir: string, record: LayerRecord): LayerManifest | undefined {
  if (!record.manifestFile) return undefined;
  const file = path.join(assemblyDir, ASSEMBLY_RECORDS_DIR, record.manifestFile);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as LayerManifest : undefined;
}

function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
