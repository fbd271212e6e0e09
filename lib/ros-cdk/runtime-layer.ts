import * as fs from 'fs';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';
import * as oss from '@alicloud/ros-cdk-ossassets';
import { buildLayerSync, computeInputKey, LayerSource } from '../engine';
import type { BuildTarget, LayerArtifact } from '../engine';
import {
  analyzeLayer,
  checkFcAclConsistency,
  formatFindings,
  getPlatform,
  LayerGrant,
  parseLayerVersionArn,
  planGrants,
  validateLayerProps,
  writeAssemblyManifest,
  writeAssemblyRecord,
} from '../core';
import type { Finding, GrantRecord, LayerRecord, LayerVersionRef, PlatformLimitOverrides, StackEntryRecord, StackLayer } from '../core';
import { addPathMetadata, defaultLayerName, logicalIdPart, onSynthesize, stackNameOf } from './private/synthesis';

/**
 * The ROS resource type this front-end emits for a layer version.
 *
 * Properties confirmed against Alibaba Cloud's ROS reference for ALIYUN::FC3::LayerVersion
 * (https://www.alibabacloud.com/help/ros/developer-reference/aliyun-fc3-layerversion):
 * LayerName (String, required, not updatable), Acl (String '0' private / '1' public, default
 * private, updatable), Code (Map: ZipFile, Checksum = CRC-64 of the package, OssBucketName,
 * OssObjectName; not updatable), CompatibleRuntime (List, 0-20 entries, not updatable),
 * Description and License (String, not updatable). Fn::GetAtt LayerVersionArn has the form
 * acs:fc:{region}:{accountID}:layers/{layerName}/versions/{layerVersion}.
 * `@alicloud/ros-cdk-fc3` has no class for it, so it is declared as a raw RosResource.
 */
export const FC3_LAYER_VERSION_TYPE = 'ALIYUN::FC3::LayerVersion';

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
  /** What goes into the layer: `LayerSource.python(...)`, `LayerSource.node(...)`, `LayerSource.fromDirectory(...)`... */
  readonly source: LayerSource;
  /**
   * FC runtime identifiers the layer is for, e.g. ['python3.10'], ['nodejs20'], ['custom.debian10'].
   * They drive where the build puts content and are checked against every function that attaches the layer.
   */
  readonly compatibleRuntimes: string[];
  /**
   * The layer name. Every RuntimeLayer with the same name in one app is a version of one FC layer.
   * @default - derived from the stack name and construct path (letters, digits, '-', '_'; at most 64 characters)
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
   * Who may use the layer. FC has a per-layer ACL only: `LayerGrant.public()` makes the layer public;
   * account and organization grants fail with the reason and the alternatives.
   * @default - private (only this account)
   */
  readonly grants?: LayerGrant[];
  /**
   * What happens to a version when a content change replaces it or the layer is removed.
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
 * bundling is skipped for the stack (`aliyun:ros:bundling-stacks`), nothing is built and it is left out.
 */
export class RuntimeLayer extends ros.Construct implements ILayerVersion {
  /** Import an existing layer version by its FC3 ARN (`acs:fc:<region>:<account|official>:layers/<name>/versions/<n>`). */
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
  private readonly layerErrors: Finding[] = [];
  private readonly layerFindings: Finding[] = [];

  constructor(scope: ros.Construct, id: string, props: RuntimeLayerProps) {
    super(scope, id);
    const platform = getPlatform('alicloud');
    this.layerName = props.layerName ?? defaultLayerName(this, platform.limits.layerName.max);
    this.compatibleRuntimes = [...props.compatibleRuntimes];
    this.description = props.description;
    this.license = props.license;
    this.explicitRemovalPolicy = props.removalPolicy;

    const problems = validateLayerProps('alicloud', {
      layerName: this.layerName,
      description: props.description,
      license: props.license,
      compatibleRuntimes: this.compatibleRuntimes,
    });
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid RuntimeLayer props:\n  - ${problems.join('\n  - ')}`);
    }
    this.addGrants(props.grants ?? [], this.node.path);

    const target: BuildTarget = { platform: 'alicloud', architecture: FC_ARCHITECTURE, runtimes: this.compatibleRuntimes };
    const spec = props.source.bind();
    this.inputKey = computeInputKey(spec, target);

    // Build (or hit the cache) before anything is staged, so a layer that fails its checks
    // leaves nothing in the output directory; the bundling hook below then only copies.
    const bundlingRequired = ros.Stack.of(this).bundlingRequired;
    if (bundlingRequired) {
      const artifact = this.build(props, target);
      this.artifact = artifact;
      const findings = analyzeLayer({
        platform: 'alicloud',
        path: this.node.path,
        manifest: artifact.manifest,
        compatibleRuntimes: this.compatibleRuntimes,
        compatibleArchitectures: [FC_ARCHITECTURE],
        ...(props.limits ? { limits: props.limits } : {}),
      }).map((f) => (f.layer === this.node.path ? withoutLayer(f) : f)); // the subject already names this layer
      this.layerErrors.push(...findings.filter((f) => f.severity === 'error'));
      this.layerFindings.push(...findings.filter((f) => f.severity !== 'error'));
      for (const f of this.layerFindings) {
        const text = formatFindings(this.node.path, [f]);
        if (f.severity === 'warning') this.node.addWarning(text); else this.node.addInfo(text);
      }
    }

    const properties: Record<string, unknown> = {
      LayerName: this.layerName,
      CompatibleRuntime: this.compatibleRuntimes,
      Description: props.description,
      License: props.license,
      Acl: ros.Lazy.stringValue({ produce: () => (this.acl === 'public' ? '1' : '0') }),
    };
    if (this.layerErrors.length === 0) {
      const asset = this.stageAsset(props, target);
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
  }

  /**
   * Add grants (LayerPermission calls this). FC can only make a whole layer public, so account and
   * organization grants throw the lib/core message naming `subject`.
   */
  public addGrants(grants: readonly LayerGrant[], subject: string): void {
    const all = [...this.grants, ...grants];
    const plan = planGrants('alicloud', all, subject);
    if (plan.platform !== 'alicloud') {
      throw new Error(`${subject}: expected an FC ACL plan, got a plan for '${plan.platform}'.`);
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
    return [...this.layerFindings];
  }

  /** @internal */
  public _stackLayer(): StackLayer {
    return {
      layerId: `fc-layer:${this.layerName}`,
      displayName: this.node.path,
      compatibleRuntimes: this.compatibleRuntimes,
      compatibleArchitectures: [FC_ARCHITECTURE],
      manifest: this.artifact?.manifest,
    };
  }

  /** @internal */
  public _stackEntry(): StackEntryRecord {
    return {
      layerId: `fc-layer:${this.layerName}`,
      displayName: this.node.path,
      layerPath: this.node.path,
      inputKey: this.inputKey,
    };
  }

  protected onValidate(): string[] {
    const errors: string[] = [];
    if (this.layerErrors.length > 0) errors.push(formatFindings(this.node.path, this.layerErrors));
    const aclConflict = this.checkAclAcrossVersions();
    if (aclConflict) errors.push(aclConflict);
    return errors;
  }

  /** Build (or hit the cache); a failing build names this construct before the builder's own message. */
  private build(props: RuntimeLayerProps, target: BuildTarget): LayerArtifact {
    try {
      return buildLayerSync(props.source, target, { cacheDir: props.cacheDir });
    } catch (e) {
      throw new Error(`${this.node.path}: building the ${props.source.kind} layer failed: ${(e as Error).message}`);
    }
  }

  private stageAsset(props: RuntimeLayerProps, target: BuildTarget): oss.Asset {
    return new oss.Asset(this, 'Code', {
      // The path is only a placeholder ROS requires to exist: the custom hash (the input key)
      // identifies the content, and the bundling hook supplies the ZIP.
      path: __dirname,
      assetHash: this.inputKey,
      assetHashType: ros.AssetHashType.CUSTOM,
      bundling: {
        image: ros.DockerImage.fromRegistry('layersmith-builds-locally-without-docker'),
        outputType: ros.BundlingOutput.ARCHIVED,
        // A closure, not an object with fields: ROS hashes the bundling options as JSON, and
        // this serialises to {} so the asset hash depends on the input key alone.
        local: {
          tryBundle: (outputDir: string) => {
            const artifact = this.artifact ?? this.build(props, target);
            fs.copyFileSync(artifact.zipPath, path.join(outputDir, 'layer.zip'));
            return true;
          },
        },
      },
    });
  }

  /** FC's ACL is per layer: every RuntimeLayer with this name (in this region) must agree. */
  private checkAclAcrossVersions(): string | undefined {
    const region = ros.Stack.of(this).region;
    const versions = this.node.root.node.findAll()
      .filter((c): c is RuntimeLayer => c instanceof RuntimeLayer)
      .filter((l) => l.layerName === this.layerName && sameRegion(ros.Stack.of(l).region, region))
      .map((l) => ({ version: l.node.path, acl: l.acl }));
    try {
      checkFcAclConsistency(versions, this.node.path);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private removalPolicy(): ros.RemovalPolicy {
    return this.explicitRemovalPolicy ?? (this.acl === 'public' ? ros.RemovalPolicy.RETAIN : ros.RemovalPolicy.DESTROY);
  }

  private writeRecords(outdir: string): void {
    const manifestFile = this.artifact ? writeAssemblyManifest(outdir, this.inputKey, this.artifact.manifest) : undefined;
    const grants: GrantRecord[] = this.acl === 'public' ? [{ kind: 'public', principal: '*' }] : [];
    const record: LayerRecord = {
      kind: 'layer',
      schemaVersion: 1,
      platform: 'alicloud',
      framework: 'ros-cdk',
      stack: stackNameOf(this),
      path: this.node.path,
      layerName: this.layerName,
      ...(this.description !== undefined ? { description: this.description } : {}),
      ...(this.license !== undefined ? { license: this.license } : {}),
      compatibleRuntimes: this.compatibleRuntimes,
      compatibleArchitectures: [FC_ARCHITECTURE],
      inputKey: this.inputKey,
      ...(manifestFile !== undefined ? { manifestFile } : {}),
      retention: this.removalPolicy() === ros.RemovalPolicy.RETAIN ? 'retain' : 'destroy',
      grants,
      acl: this.acl,
    };
    writeAssemblyRecord(outdir, record);
  }

  /** Re-applied whenever grants change, because the default depends on whether the layer is public. */
  private applyRetention(): void {
    // The resource does not exist yet while the constructor applies the initial grants.
    if (this.resource) this.resource.applyRemovalPolicy(this.removalPolicy());
  }
}

function withoutLayer(f: Finding): Finding {
  const { layer: _layer, ...rest } = f;
  return rest;
}

function sameRegion(a: string, b: string): boolean {
  // An environment-agnostic stack's region is a token; treat it as the same region as any other.
  return ros.Token.isUnresolved(a) || ros.Token.isUnresolved(b) || a === b;
}

/** A layer version known only by its FC3 ARN (e.g. an official public layer). */
class ImportedLayerVersion extends ros.Construct implements ILayerVersion {
  public readonly layerVersionArn: string;
  public readonly ref: LayerVersionRef;

  constructor(scope: ros.Construct, id: string, arn: string) {
    super(scope, id);
    try {
      this.ref = parseLayerVersionArn(arn, 'alicloud');
    } catch (e) {
      throw new Error(`${this.node.path}: RuntimeLayer.fromLayerVersionArn: ${(e as Error).message}`);
    }
    this.layerVersionArn = this.ref.arn;
  }

  /** @internal */
  public _stackLayer(): StackLayer {
    return { layerId: this.ref.unversionedArn, displayName: this.ref.arn, arn: this.ref.arn };
  }

  /** @internal */
  public _stackEntry(): StackEntryRecord {
    return { layerId: this.ref.unversionedArn, displayName: this.ref.arn, arn: this.ref.arn };
  }
}
