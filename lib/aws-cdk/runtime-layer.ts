import {
  AssetHashType,
  BundlingOutput,
  CfnResource,
  DockerImage,
  RemovalPolicy,
  Resource,
  Stack,
  Stage,
  Token,
  attachCustomSynthesis,
} from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { LayerGrant, retainsOldVersions } from '../core';
import type { ArchitectureId, LayerManifest, StackLayer } from '../core';
import type { LayerSource } from '../engine/source';
import { anchorDirectory } from '../engine/sources';
import {
  LayerBuild, analyzeBuiltLayer, assertWritableOutdir, checkLayerDeclaration, describeOwnLayer, errorText, importLayerVersion, writeLayerRecord,
} from '../frontend';
import type { ImportedLayer, OwnLayer } from '../frontend';
import { LayerPermission, grantFromPermission } from './layer-permission';
import { annotateFindings } from './private/annotate';
import { checkRulesAtStage } from './private/rule-check';

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
   * What happens to a layer version (and its permissions) when CloudFormation replaces or removes
   * it; the same setting as `retainOldVersions` in layersmith/pulumi and `removalPolicy` in layersmith/ros-cdk.
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
  private readonly layerGrants: LayerGrant[] = [];
  private readonly permissions = new Map<string, LayerPermission>();
  private readonly props: RuntimeLayerProps;

  constructor(scope: Construct, id: string, props: RuntimeLayerProps) {
    const subject = scope.node.path ? `${scope.node.path}/${id}` : id;
    // Check the props before anything is built, so a bad prop costs no build.
    checkLayerDeclaration(subject, 'aws', {
      source: props.source,
      compatibleRuntimes: props.compatibleRuntimes?.map((r) => r.name),
      compatibleArchitectures: props.compatibleArchitectures?.map((a) => a.name as ArchitectureId),
      layerName: literal(props.layerName),
      description: literal(props.description),
      license: literal(props.license),
      grants: props.grants,
    });
    const architectures = props.compatibleArchitectures ?? [lambda.Architecture.X86_64];

    // An output directory the bundling cannot write to fails before anything is keyed or built.
    const bundlingRequired = Stack.of(scope).bundlingRequired;
    const outdir = bundlingRequired ? Stage.of(scope)?.outdir : undefined;
    if (outdir) {
      assertWritableOutdir(subject, outdir, `make ${outdir} writable, or synthesize into another directory `
        + '(`cdk synth --output <dir>`, or `new App({ outdir })`).');
    }

    const build = new LayerBuild(subject, props.source.bind(), {
      platform: 'aws',
      architecture: architectures[0].name as ArchitectureId,
      runtimes: props.compatibleRuntimes.map((r) => r.name),
    }, props.cacheDir);
    // Build (or hit the cache) before CDK stages the asset: its bundling hook then only copies, and a
    // failed build reaches the app as our error (CDK wraps what a bundling hook throws in its own).
    if (bundlingRequired) build.ensureBuilt();
    const staged = build.keepStampAcrossStaging();

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
    staged();

    this.props = props;
    this.build = build;
    this.inputKey = build.inputKey;
    this.source = props.source;
    this.compatibleArchitectures = architectures;
    this.explicitRemovalPolicy = props.removalPolicy;

    // CDK does not run the bundling hook when the bundle already sits in the output directory
    // (a second synth into the same cdk.out); the cache then answers without building.
    this.isBuilt = bundlingRequired;
    if (this.isBuilt) {
      const findings = analyzeBuiltLayer({ ...this._ownLayer(), manifest: build.ensureBuilt().manifest });
      const errors = errorText(this.node.path, findings);
      // Errors fail synth, all of them together with every other construct's; the rest are annotations.
      if (errors) checkRulesAtStage(this, () => errors);
      annotateFindings(this, findings);
    }

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
    return this.explicitRemovalPolicy ?? (retainsOldVersions(undefined, this.layerGrants.length > 0) ? RemovalPolicy.RETAIN : undefined);
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
    const policy = this.effectiveRemovalPolicy;
    if (this.explicitRemovalPolicy === undefined && policy !== undefined) {
      (this.node.defaultChild as CfnResource).applyRemovalPolicy(policy);
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
    return describeOwnLayer(this._ownLayer());
  }

  /** @internal The layer as the shared front-end steps see it. */
  public _ownLayer(): OwnLayer {
    return this.build.ownLayer(literal(this.props.layerName), this.compatibleArchitectures.map((a) => a.name as ArchitectureId));
  }

  private writeAssembly(outdir: string): void {
    writeLayerRecord(outdir, {
      ...this._ownLayer(),
      framework: 'aws-cdk',
      stack: Stack.of(this).stackName,
      description: literal(this.props.description),
      license: literal(this.props.license),
      retained: this.effectiveRemovalPolicy === RemovalPolicy.RETAIN,
      grants: this.layerGrants,
    });
  }
}

/** A layer version known only by its ARN. */
class ImportedRuntimeLayer extends Resource implements lambda.ILayerVersion {
  public readonly layerVersionArn: string;
  /** Unknown for an imported layer: CDK's own runtime check is skipped, ours reports it. */
  public readonly compatibleRuntimes?: lambda.Runtime[] = undefined;
  private readonly imported: ImportedLayer;

  constructor(scope: Construct, id: string, layerVersionArn: string) {
    super(scope, id);
    this.layerVersionArn = layerVersionArn;
    this.imported = importLayerVersion(this.node.path, this.node.path, literal(layerVersionArn), 'aws', 'RuntimeLayer.fromLayerVersionArn');
  }

  public get layerVersionRef() {
    return { layerVersionArn: this.layerVersionArn };
  }

  public addPermission(id: string, permission: lambda.LayerVersionPermission): void {
    new LayerPermission(this, id, { layer: this, grant: grantFromPermission(this, permission) });
  }

  /** @internal */
  public _stackLayer(): StackLayer {
    return this.imported.stackLayer;
  }
}

/** True for the layers whose stack description this module knows. */
export function isLayersmithLayer(layer: unknown): layer is RuntimeLayer | ImportedRuntimeLayer {
  return layer instanceof RuntimeLayer || layer instanceof ImportedRuntimeLayer;
}

/** A value only when it is known at synth (tokens are checked by CloudFormation instead). */
export function literal(value: string | undefined): string | undefined {
  return value === undefined || Token.isUnresolved(value) ? undefined : value;
}

function logicalSafe(key: string): string {
  return key.replace(/[^A-Za-z0-9]/g, '');
}
