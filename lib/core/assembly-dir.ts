import * as fs from 'fs';
import * as path from 'path';
import { ASSEMBLY_RECORDS_DIR, AssemblyRecord, readAssemblyRecords } from './assembly';
import { UsageError } from './errors';
import { PATH_METADATA_KEYS } from './resource-types';

// The reading side of lib/core/assembly.ts: what `layersmith report`, `opt` and `invoke` know of
// a synthesized app (AWS CDK cdk.out, the ROS CDK outdir, or a Pulumi program's records).

/** A synthesized stack template found in a cloud assembly. */
export interface AssemblyTemplate {
  /** Stack artifact id (as in manifest.json). */
  readonly stack: string;
  /** 'aws:cloudformation:stack' (AWS CDK) or 'aliyun:ros:stack' (ROS CDK). */
  readonly artifactType: 'aws:cloudformation:stack' | 'aliyun:ros:stack';
  /** Template file relative to the top assembly dir (forward slashes). */
  readonly file: string;
  /** Template resources by logical id. */
  readonly resources: Readonly<Record<string, TemplateResource>>;
}

/** The part of a template resource the report reads. */
export interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** A record together with the (possibly nested) assembly dir it was found in. */
export interface LocatedRecord<R extends AssemblyRecord = AssemblyRecord> {
  readonly record: R;
  /** Absolute dir holding the record's `layersmith/` folder (a nested stage assembly or the top one). */
  readonly assemblyDir: string;
}

/** Everything `layersmith report` reads from a synthesized app. */
export interface LoadedAssembly {
  /** Absolute path of the top assembly dir. */
  readonly dir: string;
  readonly records: readonly LocatedRecord[];
  readonly templates: readonly AssemblyTemplate[];
}

const STACK_TYPES = new Set(['aws:cloudformation:stack', 'aliyun:ros:stack']);

/**
 * Read a cloud assembly dir: AWS CDK `cdk.out` or the ROS CDK output dir (both hold a
 * `manifest.json`), including nested stage assemblies, plus the layersmith records the front-ends
 * wrote. Throws a UsageError (one line) for a path that is not a cloud assembly.
 */
export function loadAssembly(dirArg: string): LoadedAssembly {
  const dir = path.resolve(dirArg);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UsageError(`${dirArg}: no such directory; pass the directory your app synthesized into (AWS CDK: cdk.out; ROS CDK: the app's outdir)`);
  }
  if (!stat.isDirectory()) {
    throw new UsageError(`${dirArg}: is a file, not a directory; pass the directory your app synthesized into (AWS CDK: cdk.out; ROS CDK: the app's `
      + 'outdir)');
  }
  const hasManifest = fs.existsSync(path.join(dir, 'manifest.json'));
  const hasRecords = fs.existsSync(path.join(dir, ASSEMBLY_RECORDS_DIR));
  if (!hasManifest && !hasRecords) {
    throw new UsageError(`${dirArg}: not a cloud assembly (no manifest.json and no ${ASSEMBLY_RECORDS_DIR}/ records); run \`cdk synth\` or your ROS `
      + 'CDK app and pass the directory it wrote');
  }

  const records: LocatedRecord[] = [];
  const templates: AssemblyTemplate[] = [];
  const seen = new Set<string>();
  const visit = (assemblyDir: string): void => {
    if (seen.has(assemblyDir)) return;
    seen.add(assemblyDir);
    for (const record of readRecords(dir, assemblyDir)) records.push({ record, assemblyDir });
    const manifestFile = path.join(assemblyDir, 'manifest.json');
    if (!fs.existsSync(manifestFile)) return;
    const manifest = readJson(dir, manifestFile) as { artifacts?: Record<string, ArtifactEntry> };
    const artifacts = manifest && typeof manifest === 'object' && manifest.artifacts && typeof manifest.artifacts === 'object'
      ? manifest.artifacts
      : {};
    for (const id of Object.keys(artifacts).sort()) {
      const artifact = artifacts[id];
      const props = artifact?.properties ?? {};
      if (artifact?.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
        visit(path.join(assemblyDir, props.directoryName));
      } else if (artifact && STACK_TYPES.has(artifact.type ?? '') && typeof props.templateFile === 'string') {
        const file = path.join(assemblyDir, props.templateFile);
        if (!fs.existsSync(file)) continue;
        const template = readJson(dir, file) as { Resources?: Record<string, TemplateResource> };
        templates.push({
          stack: id,
          artifactType: artifact.type as AssemblyTemplate['artifactType'],
          file: relative(dir, file),
          resources: template?.Resources ?? {},
        });
      }
    }
  };
  visit(dir);
  return { dir, records, templates };
}

interface ArtifactEntry {
  readonly type?: string;
  readonly properties?: { templateFile?: unknown; directoryName?: unknown };
}

function readRecords(topDir: string, assemblyDir: string): AssemblyRecord[] {
  let records: AssemblyRecord[];
  try {
    records = readAssemblyRecords(assemblyDir);
  } catch (e) {
    throw new UsageError(`${relative(topDir, path.join(assemblyDir, ASSEMBLY_RECORDS_DIR))}/: cannot read the layersmith records `
      + `(${(e as Error).message}); synthesize the app again`);
  }
  for (const r of records) {
    const where = `${relative(topDir, path.join(assemblyDir, ASSEMBLY_RECORDS_DIR))}/`;
    if (!r || typeof r !== 'object' || (r.kind !== 'layer' && r.kind !== 'function')) {
      throw new UsageError(`${where}: a record has an unknown kind '${(r as { kind?: unknown })?.kind}'; expected 'layer' or 'function' (written by `
        + 'a different layersmith version? synthesize the app again)');
    }
    if (r.schemaVersion !== 1) {
      throw new UsageError(`${where}: record ${r.path} has schemaVersion ${String(r.schemaVersion)}; this layersmith reads schemaVersion 1 (upgrade `
        + 'layersmith or synthesize again with this one)');
    }
  }
  return records;
}

function readJson(topDir: string, file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${relative(topDir, file)}: not valid JSON (${(e as Error).message}); synthesize the app again`);
  }
}

function relative(topDir: string, file: string): string {
  return path.relative(topDir, file).split(path.sep).join('/');
}

/** The construct path a template resource carries in its metadata (AWS CDK or ROS CDK), if any. */
export function resourcePath(resource: TemplateResource | undefined): string | undefined {
  for (const key of PATH_METADATA_KEYS) {
    const v = resource?.Metadata?.[key];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** True when a resource path is the construct path or lies under it. */
export function isUnder(resourcePathText: string, constructPath: string): boolean {
  return resourcePathText === constructPath || resourcePathText.startsWith(`${constructPath}/`)
    || resourcePathText.startsWith(`/${constructPath}/`);
}
