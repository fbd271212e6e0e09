import {
  AssetHashType,
  BundlingOutput,
  CfnResource,
  DockerImage,
  RemovalPolicy,
  Resource,
  Stack,
  Token,
  attachCustomSynthesis,
} from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { LayerSource } from '../engine';
import { LayerGrant, analyzeLayer, formatFindings, parseLayerVersionArn, validateLayerProps } from '../core';
import { LayerPermission, grantFromPermission, grantRecords } from './layer-permission';
import { writeAssemblyManifest, writeAssemblyRecord } from '../core/assembly';
import type { LayerRecord } from '../core/assembly';
import type { ArchitectureId, Finding, LayerManifest, StackLayer } from '../core/model';
import { annotateFindings } from './private/annotate';
import { LayerBuild, anchorDirectory } from './private/layer-build';

/** Properties of a {@link RuntimeLayer}. */
export interface RuntimeLayerProps {
  /** What goes into the layer and how it is built (e.g. `LayerSource.python({ requirements })`). */
  readonly source: LayerSource;

  /**
   * Runtimes that may use the layer. They also drive the build: the Python version pip targets,
   * the Node version directory, and the layout check against each runtime's search paths.
   */
  readonly compatibleRuntimes: lambda.Runtime[];

  /**
   * Architectures that may use the layer. The first one is the architecture the layer is built
   * for (pip and npm fetch binaries for it); native binaries are checked against every one.
   * @default [lambda.Architecture.X86_64]
   */
  readonly compatibleArchitectures?: lambda.Architecture[];

  /**
   * Name of the layer (1-140 characters of `[a-zA-Z0-9-_]`).
   * @default - CloudFormation generates a name from the stack and construct id
   */
  readonly layerName?: string;

  /**
   * Description of the layer version (at most 256 characters).
   * @default - no description
   */
  readonly description?: string;

  /**
   * License of the layer content: an SPDX identifier, a URL or text (at most 512 characters).
   * @default - no license information
   */
  readonly license?: string;

  /**
   * What happens to a layer version (and its permissions) when CloudFormation replaces or removes it.
   * @default RemovalPolicy.RETAIN when the layer has any grant (consumers may pin an old version),
   * otherwise CloudFormation's default (the old version is deleted)
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Who may use every version this layer publishes. More can be added with `grantUsage()`.
   * @default - no grant: only the owning account can use the layer
   */
  readonly grants?: LayerGrant[];

  /**
   * Directory of the content-addressed build cache.
   * @default $LAYERSMITH_CACHE_DIR, else ~/.cache/layersmith
   */
  readonly cacheDir?: string;
}

/**
 * A Lambda layer built from a {@link LayerSource} at synth time, without Docker, through the CDK
 * bundling hook.
 *
 * The asset hash is derived only from the build's input key, so an unchanged layer keeps its hash,
 * is not rebuilt, and publishes no new version. The built ZIP is checked against the declared
 * runtimes and architectures, and its manifest is written into the cloud assembly for
 * `layersmith report`. It is a `lambda.LayerVersion`, so it works with a plain `lambda.Function` too.
 */
export class RuntimeLayer extends lambda.LayerVersion {
  /**
   * Import an existing layer version by its ARN (validated). Stacks that use it are checked with
   * what can be known without its content; the findings say which checks were skipped.
   */
  public static fromLayerVersionArn(scope: Construct, id: string, layerVersionArn: string): lambda.ILayerVersion {
    return new ImportedRuntimeLayer(scope, id, layerVersionArn);
  }

  /** The build's content-addressed input key (the only input of the asset hash). */
  public readonly inputKey: string;
  /** What the layer is built from. */
  public readonly source: LayerSource;
  /** Architectures that may use the layer, in declared order. */
  public readonly compatibleArchitectures: lambda.Architecture[];
  /** Whether the layer was built in this synth (false when bundling is skipped for its stack). */
  public readonly isBuilt: boolean;

  private readonly build: LayerBuild;
  private readonly explicitRemovalPolicy?: RemovalPolicy;
  private readonly layerFindings: Finding[];
  private readonly layerGrants: LayerGrant[] = [];
  private readonly permissions = new Map<string, LayerPermission>();
  private readonly props: RuntimeLayerProps;

  constructor(scope: Construct, id: string, props: RuntimeLayerProps) {
    const subject = scope.node.path ? `${scope.node.path}/${id}` : id;
    const architectures = props.compatibleArchitectures ?? [lambda.Architecture.X86_64];
    // Check the props before anything is built, so a bad prop costs no build.
    checkLayerProps(subject, props, architectures);

    const build = new LayerBuild(props.source.bind(), {
      platform: 'aws',
      architecture: architectures[0].name as ArchitectureId,
      runtimes: props.compatibleRuntimes.map((r) => r.name),
    }, props.cacheDir);

    super(scope, id, {
      code: lambda.Code.fromAsset(anchorDirectory(build.spec), {
        // CDK hashes this key plus the (constant) bundling settings: the hash changes exactly
        // when an input of the layer changes, and is the same whether bundling runs or is skipped.
        assetHash: build.inputKey,
        assetHashType: AssetHashType.CUSTOM,
        bundling: {
          // Never pulled or run: local bundling always succeeds or throws.
          image: DockerImage.fromRegistry('layersmith-no-docker'),
          outputType: BundlingOutput.ARCHIVED,
          local: { tryBundle: (outDir: string) => build.bundleInto(outDir) },
        },
      }),
      compatibleRuntimes: props.compatibleRuntimes,
      compatibleArchitectures: architectures,
      layerVersionName: props.layerName,
      description: props.description,
      license: props.license,
      removalPolicy: props.removalPolicy,
    });

    this.props = props;
    this.build = build;
    this.inputKey = build.inputKey;
    this.source = props.source;
    this.compatibleArchitectures = architectures;
    this.explicitRemovalPolicy = props.removalPolicy;

    // CDK does not run the bundling hook when the bundle already sits in the output directory
    // (a second synth into the same cdk.out); the cache then answers without building.
    this.isBuilt = Stack.of(this).bundlingRequired;
    this.layerFindings = [];
    if (this.isBuilt) {
      const artifact = build.ensureBuilt();
      this.layerFindings.push(...analyzeLayer({
        platform: 'aws',
        path: this.node.path,
        manifest: artifact.manifest,
        compatibleRuntimes: props.compatibleRuntimes.map((r) => r.name),
        compatibleArchitectures: architectures.map((a) => a.name as ArchitectureId),
      }));
    }
    reportFindings(this, this.layerFindings);

    for (const grant of props.grants ?? []) this.grantUsage(grant);

    // Records are written during synthesis, after validation: a synth that fails writes none.
    attachCustomSynthesis(this, { onSynthesize: (session) => this.writeAssembly(session.outdir) });
  }

  /** The built layer's manifest; undefined when bundling was skipped for this stack. */
  public get manifest(): LayerManifest | undefined {
    return this.build.built?.manifest;
  }

  /** Grants declared on this layer, in the order they were added. */
  public get grants(): LayerGrant[] {
    return [...this.layerGrants];
  }

  /**
   * The removal policy old versions and permissions get: the explicit one, else RETAIN once the
   * layer is shared, else undefined (CloudFormation deletes replaced versions).
   */
  public get effectiveRemovalPolicy(): RemovalPolicy | undefined {
    return this.explicitRemovalPolicy ?? (this.layerGrants.length > 0 ? RemovalPolicy.RETAIN : undefined);
  }

  /**
   * Let an account, an organization or everyone use every version this layer publishes. Adding
   * the same grant twice returns the existing permission.
   */
  public grantUsage(grant: LayerGrant): LayerPermission {
    const existing = this.permissions.get(grant.key);
    if (existing) return existing;
    const permission = new LayerPermission(this, `Grant${logicalSafe(grant.key)}`, { layer: this, grant });
    this.permissions.set(grant.key, permission);
    return permission;
  }

  /**
   * Record a grant that a LayerPermission renders for this layer, wherever it was created: the
   * layer becomes shared (retained unless a removal policy was given) and its record lists it.
   * @internal
   */
  public _adoptGrant(grant: LayerGrant): void {
    if (this.layerGrants.some((g) => g.key === grant.key)) return;
    this.layerGrants.push(grant);
    if (this.explicitRemovalPolicy === undefined && this.layerGrants.length === 1) {
      (this.node.defaultChild as CfnResource).applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
  }

  /** Routed through {@link grantUsage}, so the grant is validated and retained like the others. */
  public addPermission(_id: string, permission: lambda.LayerVersionPermission): void {
    this.grantUsage(grantFromPermission(this, permission));
  }

  /**
   * The layer as the stack rules see it.
   * @internal
   */
  public _stackLayer(): StackLayer {
    return {
      layerId: this.node.path,
      displayName: this.node.path,
      compatibleRuntimes: this.props.compatibleRuntimes.map((r) => r.name),
      compatibleArchitectures: this.compatibleArchitectures.map((a) => a.name as ArchitectureId),
      manifest: this.manifest,
    };
  }

  private writeAssembly(outdir: string): void {
    const manifest = this.manifest;
    const manifestFile = manifest ? writeAssemblyManifest(outdir, this.inputKey, manifest) : undefined;
    const record: LayerRecord = {
      kind: 'layer',
      schemaVersion: 1,
      platform: 'aws',
      framework: 'aws-cdk',
      stack: Stack.of(this).stackName,
      path: this.node.path,
      layerName: literal(this.props.layerName),
      description: literal(this.props.description),
      license: literal(this.props.license),
      compatibleRuntimes: this.props.compatibleRuntimes.map((r) => r.name),
      compatibleArchitectures: this.compatibleArchitectures.map((a) => a.name as ArchitectureId),
      inputKey: this.inputKey,
      manifestFile,
      retention: this.effectiveRemovalPolicy === RemovalPolicy.RETAIN ? 'retain' : 'destroy',
      grants: grantRecords(this.node.path, this.layerGrants),
    };
    writeAssemblyRecord(outdir, record);
  }
}

/** A layer version known only by its ARN. */
class ImportedRuntimeLayer extends Resource implements lambda.ILayerVersion {
  public readonly layerVersionArn: string;
  /** Unknown for an imported layer: CDK's own runtime check is skipped, ours reports it. */
  public readonly compatibleRuntimes?: lambda.Runtime[] = undefined;
  private readonly unversionedArn?: string;

  constructor(scope: Construct, id: string, layerVersionArn: string) {
    super(scope, id);
    this.layerVersionArn = layerVersionArn;
    if (!Token.isUnresolved(layerVersionArn)) {
      try {
        this.unversionedArn = parseLayerVersionArn(layerVersionArn, 'aws').unversionedArn;
      } catch (err) {
        throw new Error(`${this.node.path}: ${(err as Error).message}`);
      }
    }
  }

  public get layerVersionRef() {
    return { layerVersionArn: this.layerVersionArn };
  }

  public addPermission(id: string, permission: lambda.LayerVersionPermission): void {
    new LayerPermission(this, id, { layer: this, grant: grantFromPermission(this, permission) });
  }

  /** @internal */
  public _stackLayer(): StackLayer {
    const literalArn = Token.isUnresolved(this.layerVersionArn) ? undefined : this.layerVersionArn;
    return {
      layerId: this.unversionedArn ?? this.node.path,
      displayName: literalArn ?? this.node.path,
      arn: literalArn,
    };
  }
}

/** True for the layers whose stack description this module knows. */
export function isLayersmithLayer(layer: unknown): layer is RuntimeLayer | ImportedRuntimeLayer {
  return layer instanceof RuntimeLayer || layer instanceof ImportedRuntimeLayer;
}

function checkLayerProps(subject: string, props: RuntimeLayerProps, architectures: lambda.Architecture[]): void {
  if (!props.source || typeof props.source.bind !== 'function') {
    throw new Error(`${subject}: RuntimeLayer needs a 'source' (for example LayerSource.fromDirectory('layers/tools')).`);
  }
  if (!props.compatibleRuntimes || props.compatibleRuntimes.length === 0) {
    throw new Error(`${subject}: RuntimeLayer needs at least one compatible runtime; set compatibleRuntimes, e.g. [lambda.Runtime.PYTHON_3_12].`);
  }
  if (architectures.length === 0) {
    throw new Error(`${subject}: compatibleArchitectures is empty; leave it out for x86_64 or list the architectures, e.g. [lambda.Architecture.ARM_64].`);
  }
  const messages = validateLayerProps('aws', {
    layerName: literal(props.layerName),
    description: literal(props.description),
    license: literal(props.license),
    compatibleRuntimes: props.compatibleRuntimes.map((r) => r.name),
    compatibleArchitectures: architectures.map((a) => a.name as ArchitectureId),
  });
  if (messages.length > 0) {
    throw new Error(`${subject}: invalid RuntimeLayer properties:\n${messages.map((m) => `  - ${m}`).join('\n')}`);
  }
}

/** Errors fail synth (all of them, together with every other construct's); the rest are annotations. */
function reportFindings(scope: Construct, findings: readonly Finding[]): void {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    scope.node.addValidation({ validate: () => [formatFindings(scope.node.path, errors)] });
  }
  annotateFindings(scope, findings);
}

/** A value only when it is known at synth (tokens are checked by CloudFormation instead). */
function literal(value: string | undefined): string | undefined {
  return value === undefined || Token.isUnresolved(value) ? undefined : value;
}

function logicalSafe(key: string): string {
  return key.replace(/[^A-Za-z0-9]/g, '');
}
