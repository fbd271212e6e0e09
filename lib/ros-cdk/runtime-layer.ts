import * as ros from '@alicloud/ros-cdk-core';
import * as oss from '@alicloud/ros-cdk-ossassets';
import { FC3_LAYER_VERSION_TYPE, getPlatform, planGrants, retainsOldVersions } from '../core';
import type { Finding, LayerGrant, PlatformLimitOverrides, StackEntryRecord, StackLayer } from '../core';
import type { LayerArtifact } from '../engine/api';
import type { LayerSource } from '../engine/source';
import { anchorDirectory } from '../engine/sources';
import {
  LayerBuild,
  analyzeBuiltLayer,
  assertWritableOutdir,
  atPath,
  checkLayerDeclaration,
  describeOwnLayer,
  errorText,
  fcAclConflict,
  importLayerVersion,
  noteFindings,
  nonErrors,
  ownLayerEntry,
  validationError,
  writeLayerRecord,
} from '../frontend';
import type { ImportedLayer, OwnLayer } from '../frontend';
import { checkRulesAtStage, validateAtStage } from './private/rule-check';
import { addPathMetadata, defaultLayerName, logicalIdPart, onSynthesize, stackNameOf } from './private/synthesis';

/** The ROS resource type this front-end emits for a layer version (see lib/core/resource-types). */
export { FC3_LAYER_VERSION_TYPE };

/** FC runs functions on x86_64 only; every layer is built and checked for it. */
const FC_ARCHITECTURE = 'x86_64' as const;

/** A layer version a FunctionWithLayers can attach: one built here, or one imported by ARN. */
export interface ILayerVersion extends ros.IConstruct {
  /** The versioned FC3 ARN (a ROS token for a layer defined in this app). */
  readonly layerVersionArn: string;
  /** FC runtimes the layer declares; undefined when unknown (imported by ARN). */
  readonly compatibleRuntimes?: readonly string[];
  /** @internal How the stack rules see this layer. */
  _stackLayer(): StackLayer;
  /** @internal How the assembly record lists this layer in a function's stack. */
  _stackEntry(): StackEntryRecord;
}

/** Properties of a RuntimeLayer. */
export interface RuntimeLayerProps {
  /** What goes into the layer: `LayerSource.python(...)`, `LayerSource.node(...)`, `LayerSource.fromDirectory(...)`. */
  readonly source: LayerSource;
  /**
   * FC runtime identifiers the layer is for, e.g. ['python3.10'], ['nodejs20'], ['custom.debian10'].
   * They drive where the build puts content and are checked against every function that attaches
   * the layer.
   */
  readonly compatibleRuntimes: string[];
  /**
   * The layer name. Every RuntimeLayer with the same name in one app is a version of one FC layer.
   * @default - derived from the stack name and construct path (letters, digits, '-', '_';
   * at most 64 characters)
   */
  readonly layerName?: string;
  /**
   * Description of the layer version.
   * @default - none
   */
  readonly description?: string;
  /**
   * License of the layer (free text on FC3).
   * @default - none
   */
  readonly license?: string;
  /**
   * Who may use the layer. FC has a per-layer ACL only: `LayerGrant.public()` makes the layer
   * public; account and organization grants fail with the reason and the alternatives.
   * @default - private (only this account)
   */
  readonly grants?: LayerGrant[];
  /**
   * What happens to a version when a content change replaces it or the layer is removed; the same
   * setting as `removalPolicy` in layersmith/aws-cdk and `retainOldVersions` in layersmith/pulumi.
   * @default - RETAIN when the layer is public (consumers may pin old versions), DESTROY otherwise
   */
  readonly removalPolicy?: ros.RemovalPolicy;
  /**
   * Per-app overrides of configurable limits used when the built layer is checked (FC's unzipped
   * code + layers budget is unconfirmed); give functions the same via FunctionWithLayers' `limits`.
   * @default - the platform profile's limits
   */
  readonly limits?: Partial<PlatformLimitOverrides>;
  /**
   * Build cache directory.
   * @default - $LAYERSMITH_CACHE_DIR or ~/.cache/layersmith
   */
  readonly cacheDir?: string;
}

/**
 * A layer built from a source for Alibaba Cloud Function Compute, emitted as
 * `ALIYUN::FC3::LayerVersion` with the reproducible ZIP uploaded as an OSS asset.
 *
 * The layer is built through ROS CDK's bundling hook (`bundling.local`, no Docker) and checked
 * when it is built: layout for every declared runtime, and native binaries, which must be Linux
 * x86_64 because FC runs nothing else. The content hash is part of the resource's logical id:
 * ROS does not replace a resource when a not-updatable property changes, so new content must
 * arrive as a new resource (a new version), and unchanged content keeps the same one.
 * `Code.Checksum` (the ZIP's CRC-64, which FC verifies) is set when the layer was built; when
 * bundling is skipped for the stack (`aliyun:ros:bundling-stacks`), nothing is built and it is
 * left out.
 */
export class RuntimeLayer extends ros.Construct implements ILayerVersion {
  /**
   * Import an existing layer version by its FC3 ARN
   * (`acs:fc:<region>:<account|official>:layers/<name>/versions/<n>`).
   */
  public static fromLayerVersionArn(scope: ros.Construct, id: string, arn: string): ILayerVersion {
    return new ImportedLayerVersion(scope, id, arn);
  }

  /** The versioned layer ARN (`Fn::GetAtt LayerVersionArn`). */
  public readonly layerVersionArn: string;
  /** The layer name. */
  public readonly layerName: string;
  /** FC runtimes the layer declares. */
  public readonly compatibleRuntimes: readonly string[];
  /** Content-addressed build input key (hex); part of the logical id. */
  public readonly inputKey: string;
  /** The emitted `ALIYUN::FC3::LayerVersion`. */
  public readonly resource: ros.RosResource;
  /** The built artifact; undefined when bundling was skipped for this stack. */
  public readonly artifact?: LayerArtifact;

  private readonly description?: string;
  private readonly license?: string;
  private readonly grants: LayerGrant[] = [];
  private acl: 'private' | 'public' = 'private';
  private readonly explicitRemovalPolicy?: ros.RemovalPolicy;
  private readonly layerFindings: Finding[] = [];
  private readonly build: LayerBuild;

  constructor(scope: ros.Construct, id: string, props: RuntimeLayerProps) {
    super(scope, id);
    const platform = getPlatform('alicloud');
    this.layerName = props.layerName ?? defaultLayerName(this, platform.limits.layerName.max);
    checkLayerDeclaration(this.node.path, 'alicloud', {
      source: props.source,
      compatibleRuntimes: props.compatibleRuntimes,
      layerName: this.layerName,
      description: props.description,
      license: props.license,
      limits: props.limits,
      grants: props.grants,
    });
    this.compatibleRuntimes = [...props.compatibleRuntimes];
    this.description = props.description;
    this.license = props.license;
    this.explicitRemovalPolicy = props.removalPolicy;
    this.addGrants(props.grants ?? [], this.node.path);

    // An output directory the bundling cannot write to fails before anything is keyed or built.
    const stagingDir = ros.Stack.of(this).bundlingRequired ? ros.Stage.of(this)?.outdir : undefined;
    if (stagingDir) {
      assertWritableOutdir(this.node.path, stagingDir, `make ${stagingDir} writable, or synthesize into another directory `
        + '(`ros-cdk synth --output <dir>`, or `new App({ outdir })`).');
    }

    const build = this.build = new LayerBuild(this.node.path, props.source.bind(), {
      platform: 'alicloud', architecture: FC_ARCHITECTURE, runtimes: this.compatibleRuntimes,
    }, props.cacheDir);
    this.inputKey = build.inputKey;

    // Build (or hit the cache) before anything is staged, so a layer that fails its checks
    // leaves nothing in the output directory; the bundling hook below then only copies.
    if (ros.Stack.of(this).bundlingRequired) {
      this.artifact = build.ensureBuilt();
      this.layerFindings = analyzeBuiltLayer({ ...this._ownLayer(), manifest: this.artifact.manifest }, props.limits);
      noteFindings(this.node.path, this.layerFindings, {
        warning: (text) => this.node.addWarning(text),
        info: (text) => this.node.addInfo(text),
      });
    }

    const properties: Record<string, unknown> = {
      LayerName: this.layerName,
      CompatibleRuntime: this.compatibleRuntimes,
      Description: props.description,
      License: props.license,
      Acl: ros.Lazy.stringValue({ produce: () => (this.acl === 'public' ? '1' : '0') }),
    };
    if (!errorText(this.node.path, this.layerFindings)) {
      const staged = build.keepStampAcrossStaging();
      const asset = new oss.Asset(this, 'Code', {
        // Only a placeholder ROS requires to exist: the custom hash (the input key) identifies
        // the content, and the bundling hook supplies the ZIP.
        path: anchorDirectory(build.spec),
        assetHash: this.inputKey,
        assetHashType: ros.AssetHashType.CUSTOM,
        bundling: {
          image: ros.DockerImage.fromRegistry('layersmith-builds-locally-without-docker'),
          outputType: ros.BundlingOutput.ARCHIVED,
          // A closure, not an object with fields: ROS hashes the bundling options as JSON, and
          // this serialises to {} so the asset hash depends on the input key alone.
          local: { tryBundle: (outputDir: string) => build.bundleInto(outputDir) },
        },
      });
      staged();
      properties.Code = {
        OssBucketName: asset.bucketName,
        OssObjectName: asset.objectKey,
        // FC verifies the uploaded package against this CRC-64; unknown when bundling was skipped.
        Checksum: this.artifact?.manifest.zip.crc64,
      };
    }
    this.resource = new ros.RosResource(this, `${logicalIdPart(id)}${this.inputKey.slice(0, 12)}`, {
      type: FC3_LAYER_VERSION_TYPE,
      properties,
    });
    addPathMetadata(this.resource);
    this.layerVersionArn = ros.Token.asString(this.resource.getAtt('LayerVersionArn'));
    this.applyRetention();

    onSynthesize(this, (outdir) => this.writeRecords(outdir));
    checkRulesAtStage(this, () => this.ruleErrors());
  }

  /**
   * Add grants (LayerPermission calls this). FC can only make a whole layer public, so account and
   * organization grants throw the lib/core message naming `subject`.
   */
  public addGrants(grants: readonly LayerGrant[], subject: string): void {
    const plan = atPath(subject, () => planGrants('alicloud', [...this.grants, ...grants], subject));
    if (plan.platform !== 'alicloud') {
      throw validationError(subject, `expected an FC ACL plan, got a plan for '${plan.platform}'.`);
    }
    this.grants.push(...grants);
    this.acl = plan.acl;
    this.applyRetention();
  }

  /** The layer's FC ACL as currently granted. */
  public get aclValue(): 'private' | 'public' {
    return this.acl;
  }

  /** Findings of the single-layer checks (warnings and infos; errors fail synth). */
  public get findings(): readonly Finding[] {
    return nonErrors(this.layerFindings);
  }

  /** @internal */
  public _stackLayer(): StackLayer {
    return describeOwnLayer(this._ownLayer());
  }

  /** @internal */
  public _stackEntry(): StackEntryRecord {
    return ownLayerEntry(this._ownLayer());
  }

  /** @internal The layer as the shared front-end steps see it. */
  public _ownLayer(): OwnLayer {
    return this.build.ownLayer(this.layerName, [FC_ARCHITECTURE]);
  }

  protected onValidate(): string[] {
    return validateAtStage(this);
  }

  /** The layer's rule errors: its own findings, and an FC ACL that disagrees with another version's. */
  private ruleErrors(): string[] {
    const errors: string[] = [];
    const layerErrors = errorText(this.node.path, this.layerFindings);
    if (layerErrors) errors.push(layerErrors);
    // FC's ACL is per layer: every RuntimeLayer with this name (in this region) must agree.
    const region = ros.Stack.of(this).region;
    const versions = this.node.root.node.findAll()
      .filter((c): c is RuntimeLayer => c instanceof RuntimeLayer)
      .filter((l) => l.layerName === this.layerName && sameRegion(ros.Stack.of(l).region, region))
      .map((l) => ({ version: l.node.path, acl: l.acl }));
    const conflict = fcAclConflict(this.node.path, this.layerName, versions);
    if (conflict) errors.push(conflict.message);
    return errors;
  }

  private retained(): boolean {
    const explicit = this.explicitRemovalPolicy === undefined ? undefined : this.explicitRemovalPolicy === ros.RemovalPolicy.RETAIN;
    return retainsOldVersions(explicit, this.acl === 'public');
  }

  private writeRecords(outdir: string): void {
    writeLayerRecord(outdir, {
      ...this._ownLayer(),
      framework: 'ros-cdk',
      stack: stackNameOf(this),
      description: this.description,
      license: this.license,
      retained: this.retained(),
      grants: this.grants,
    });
  }

  /** Re-applied whenever grants change, because the default depends on whether the layer is public. */
  private applyRetention(): void {
    // The resource does not exist yet while the constructor applies the initial grants.
    if (!this.resource) return;
    this.resource.applyRemovalPolicy(this.explicitRemovalPolicy ?? (this.retained() ? ros.RemovalPolicy.RETAIN : ros.RemovalPolicy.DESTROY));
  }
}

function sameRegion(a: string, b: string): boolean {
  // An environment-agnostic stack's region is a token; treat it as the same region as any other.
  return ros.Token.isUnresolved(a) || ros.Token.isUnresolved(b) || a === b;
}

/** A layer version known only by its FC3 ARN (e.g. an official public layer). */
class ImportedLayerVersion extends ros.Construct implements ILayerVersion {
  public readonly layerVersionArn: string;
  private readonly imported: ImportedLayer;

  constructor(scope: ros.Construct, id: string, arn: string) {
    super(scope, id);
    this.imported = importLayerVersion(this.node.path, this.node.path, arn, 'alicloud', 'RuntimeLayer.fromLayerVersionArn');
    this.layerVersionArn = arn;
  }

  /** @internal */
  public _stackLayer(): StackLayer {
    return this.imported.stackLayer;
  }

  /** @internal */
  public _stackEntry(): StackEntryRecord {
    return this.imported.entry;
  }
}
