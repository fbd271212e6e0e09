import * as fs from 'fs';
import type * as alicloudSdk from '@pulumi/alicloud';
import * as pulumi from '@pulumi/pulumi';
import { buildLayer, computeInputKey, LayerSource } from '../engine';
import type { BuildOptions, BuildTarget, LayerArtifact, SourceSpec } from '../engine';
import { analyzeLayer, checkFcAclConsistency, getPlatform, LayerGrant, planGrants, validateLayerProps } from '../core';
import type { ArchitectureId, LayerManifest, PlatformId, PlatformLimitOverrides } from '../core';
import { declareAwsPermission } from './aws-permission';
import { failProgramOnError, findingsError, logFindings } from './findings';
import { checkPlatform, loadAlicloud, loadAws, typeToken } from './providers';

/** How an FC layer ZIP reaches Function Compute. */
export type FcCodeUpload = 'auto' | 'oss';

/** Arguments of a RuntimeLayer. */
/**
 * FC layer name -> the ACL of each version declared so far in this program. A Pulumi program has
 * no construct tree to search for sibling layers, so this is the one place that remembers them;
 * it is keyed by project and stack because one process runs one program.
 */
const fcLayerAcls = new Map<string, { version: string; acl: 'private' | 'public' }[]>();

export interface RuntimeLayerArgs {
  /** Which platform the layer is published on. */
  readonly platform: PlatformId;
  /** What goes into the layer (`LayerSource.fromDirectory(...)`, `LayerSource.node(...)`, ...). */
  readonly source: LayerSource;
  /** Runtime identifiers as the platform spells them ('python3.12', 'nodejs20.x', 'nodejs20' on FC). */
  readonly compatibleRuntimes: readonly string[];
  /**
   * Architectures the layer runs on. The first one is the build target (wheel and npm platform
   * selection). FC runs x86_64 only and has no such field.
   * @default ['x86_64']
   */
  readonly compatibleArchitectures?: readonly ArchitectureId[];
  /**
   * The layer name on the platform.
   * @default the Pulumi resource name
   */
  readonly layerName?: string;
  /**
   * Description of the layer version.
   * @default no description
   */
  readonly description?: string;
  /**
   * License text (AWS `licenseInfo`, FC `license`).
   * @default no license
   */
  readonly license?: string;
  /**
   * Who may use every version this layer publishes. AWS: one LayerVersionPermission per grant;
   * FC: the layer ACL (public grants only).
   * @default no grants: only the owning account
   */
  readonly grants?: readonly LayerGrant[];
  /**
   * Keep a published version when a new one replaces it or the layer is removed, so consumers that
   * pinned it can still attach it (AWS `skipDestroy` plus Pulumi `retainOnDelete`).
   * @default true when the layer is shared (any grant), false otherwise
   */
  readonly retainOldVersions?: boolean;
  /**
   * AWS only: S3 bucket (in the layer's region) that receives the ZIP; the version is then
   * published from S3 (`s3Bucket`/`s3Key`), which also takes ZIPs over Lambda's inline upload limit.
   * @default no bucket: the provider uploads the ZIP with the API request, and a ZIP over the inline limit is an error
   */
  readonly s3Bucket?: pulumi.Input<string>;
  /**
   * AWS only: key prefix of the uploaded ZIP; the key ends with the content-addressed input key, so
   * an unchanged layer keeps its object.
   * @default 'layersmith/'
   */
  readonly s3KeyPrefix?: string;
  /**
   * FC only: OSS bucket that receives the ZIP when it is too big to send inline (or when `upload`
   * is 'oss'). The bucket must be in the layer's region.
   * @default no bucket: a ZIP over the inline limit is an error
   */
  readonly ossBucket?: pulumi.Input<string>;
  /**
   * FC only: key prefix of the uploaded ZIP; the key ends with the content-addressed input key, so
   * an unchanged layer keeps its object.
   * @default 'layersmith/'
   */
  readonly ossKeyPrefix?: string;
  /**
   * FC only: 'auto' sends the ZIP inline (base64 in `code.zipFile`) when it fits the platform's
   * inline limit and through OSS otherwise; 'oss' always uploads to `ossBucket`, which keeps the
   * ZIP out of the Pulumi state.
   * @default 'auto'
   */
  readonly upload?: FcCodeUpload;
  /**
   * Overrides of configurable limits; FC's inline upload limit (`maxInlineZipBytes`) is an
   * approximation of its request-size limit, so it can be lowered or raised here.
   * @default the platform's published limits
   */
  readonly limits?: Partial<PlatformLimitOverrides>;
  /**
   * Build settings (cache directory, progress lines).
   * @default the default cache directory, progress unless LAYERSMITH_QUIET=1
   */
  readonly buildOptions?: BuildOptions;
}

/** What a RuntimeLayer publishes once its build is done. */
export interface PublishedLayer {
  /** The built artifact (reproducible ZIP and its manifest). */
  readonly artifact: LayerArtifact;
  /** The provider resource of the layer version. */
  readonly resource: pulumi.CustomResource;
  /** Versioned ARN. */
  readonly arn: pulumi.Output<string>;
  /** Version number as the provider reports it. */
  readonly version: pulumi.Output<string>;
  /** Whether old versions are kept. */
  readonly retained: boolean;
  /** FC layer ACL; undefined on AWS. */
  readonly acl?: 'private' | 'public';
}

/** A grant added by a LayerPermission, and when it may still change how the version is created. */
interface GrantRegistration {
  readonly grant: LayerGrant;
  readonly by: string;
}

/**
 * A layer built from a source while the Pulumi program runs, published as
 * `aws.lambda.LayerVersion` or `alicloud.fc.V3LayerVersion`.
 *
 * The build runs (or the cache answers) in preview too, so the diff is accurate: an unchanged
 * layer has the same ZIP bytes, the same `sourceCodeHash`/`checksum`, and shows no change.
 */
export class RuntimeLayer extends pulumi.ComponentResource {
  public readonly platform: PlatformId;
  /** The Pulumi resource name (used in every message about this layer). */
  public readonly resourceName: string;
  /** The layer name on the platform. */
  public readonly layerName: string;
  public readonly compatibleRuntimes: readonly string[];
  public readonly compatibleArchitectures: readonly ArchitectureId[];
  /** Content-addressed key of the build inputs (same inputs, same key, on any machine). */
  public readonly inputKey: string;
  /** The build, from the cache when the inputs are unchanged. */
  public readonly artifact: Promise<LayerArtifact>;
  /** The layer version once declared; rejects with the build or check error, which also fails the program. */
  public readonly published: Promise<PublishedLayer>;
  /** Manifest of the built ZIP (sizes, entries, checksums, packages, native binaries). */
  public readonly manifest: pulumi.Output<LayerManifest>;
  /** Versioned layer ARN (AWS `arn`, FC `layerVersionArn`). */
  public readonly arn: pulumi.Output<string>;
  /** Published version number. */
  public readonly version: pulumi.Output<string>;

  private readonly args: RuntimeLayerArgs;
  private readonly lateGrants: GrantRegistration[] = [];
  private versionDeclared = false;
  private retainedDecision?: boolean;

  constructor(name: string, args: RuntimeLayerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const subject = `RuntimeLayer '${name}'`;
    // Every refusal comes before the component is registered, so a bad declaration leaves nothing behind.
    const checked = checkArgs(name, args);
    super(typeToken(checked.platform, 'RuntimeLayer'), name, {}, opts);
    const platform = checked.platform;
    this.platform = platform;
    this.resourceName = name;
    this.args = args;
    this.layerName = checked.layerName;
    this.compatibleRuntimes = checked.compatibleRuntimes;
    this.compatibleArchitectures = checked.compatibleArchitectures;

    this.inputKey = checked.inputKey;
    this.artifact = buildLayer(checked.spec, checked.target, args.buildOptions).catch((e: Error) => {
      throw new pulumi.ResourceError(`${subject}: ${e.message}`, this, true);
    });
    this.published = this.artifact.then((artifact) => this.publish(name, artifact));
    failProgramOnError(this.published);

    this.manifest = pulumi.output(this.artifact.then((a) => a.manifest));
    this.arn = pulumi.output(this.published.then((p) => p.arn));
    this.version = pulumi.output(this.published.then((p) => p.version));
    this.registerOutputs(this.published.then((p) => ({
      inputKey: this.inputKey,
      arn: p.arn,
      version: p.version,
      sha256: p.artifact.manifest.zip.sha256,
      crc64: p.artifact.manifest.zip.crc64,
    }), () => ({ inputKey: this.inputKey })));
  }

  /**
   * Every grant of this layer: its own `grants` plus those of LayerPermissions declared for it.
   */
  public get grants(): readonly LayerGrant[] {
    return [...(this.args.grants ?? []), ...this.lateGrants.map((g) => g.grant)];
  }

  /**
   * Called by LayerPermission. A grant can change how the version is created (FC ACL, AWS
   * retention default), so it must arrive before the version is declared: LayerPermissions created
   * in the same synchronous part of the program as the layer always do, because the build is
   * asynchronous.
   * @internal
   */
  public _addGrant(grant: LayerGrant, by: string): Promise<PublishedLayer> {
    if (this.versionDeclared) {
      if (this.platform === 'alicloud') {
        throw new Error(`LayerPermission '${by}': RuntimeLayer '${this.resourceName}' already declared its FC layer version, and an FC layer's ACL is part of that request. `
          + 'Fix: pass the grant in the RuntimeLayer\'s grants, or create the LayerPermission right after the RuntimeLayer (before any await).');
      }
      if (!this.retainedDecision) {
        throw new Error(`LayerPermission '${by}': RuntimeLayer '${this.resourceName}' already declared its layer version without retention (it had no grants then), `
          + 'so a version you share would be deleted on the next update while consumers still use it. '
          + 'Fix: set retainOldVersions on the RuntimeLayer, pass the grant in its grants, or create the LayerPermission right after the RuntimeLayer (before any await).');
      }
    }
    this.lateGrants.push({ grant, by });
    return this.published;
  }

  private async publish(name: string, artifact: LayerArtifact): Promise<PublishedLayer> {
    const subject = `RuntimeLayer '${name}'`;
    const findings = analyzeLayer({
      platform: this.platform,
      path: subject,
      manifest: artifact.manifest,
      compatibleRuntimes: this.compatibleRuntimes,
      compatibleArchitectures: this.compatibleArchitectures,
      ...(this.args.limits ? { limits: this.args.limits } : {}),
    });
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      throw findingsError(subject, errors, this);
    }
    logFindings(subject, findings, this);

    // LayerPermissions declared in the same synchronous block as this layer are registered by now.
    await new Promise((resolve) => setImmediate(resolve));
    const grants = this.grants;
    const retained = this.args.retainOldVersions ?? grants.length > 0;
    this.retainedDecision = retained;
    this.versionDeclared = true;
    return this.platform === 'aws'
      ? this.publishAws(name, artifact, retained)
      : this.publishAlicloud(name, artifact, grants, retained);
  }

  private publishAws(name: string, artifact: LayerArtifact, retained: boolean): PublishedLayer {
    const aws = loadAws();
    const zip = artifact.manifest.zip;
    const inlineLimit = getPlatform('aws', this.args.limits).limits.maxInlineZipBytes;
    let code: { code: pulumi.asset.FileArchive } | { s3Bucket: pulumi.Input<string>; s3Key: pulumi.Input<string> };
    if (this.args.s3Bucket !== undefined) {
      const object = new aws.s3.BucketObjectv2(name, {
        bucket: this.args.s3Bucket,
        key: `${this.args.s3KeyPrefix ?? 'layersmith/'}${artifact.inputKey}.zip`,
        source: new pulumi.asset.FileAsset(artifact.zipPath),
      }, { parent: this });
      code = { s3Bucket: object.bucket, s3Key: object.key };
    } else if (zip.zippedSize <= inlineLimit) {
      // Pulumi sends a FileArchive whose path ends in .zip byte for byte (no re-zipping), so the
      // uploaded bytes are our reproducible ZIP and match sourceCodeHash.
      code = { code: new pulumi.asset.FileArchive(artifact.zipPath) };
    } else {
      throw new pulumi.ResourceError(
        `RuntimeLayer '${name}': the layer ZIP is ${zip.zippedSize} bytes, over Lambda's inline upload limit of ${inlineLimit} bytes. `
        + 'Fix: set s3Bucket to an S3 bucket in the layer\'s region so the ZIP is published from S3.',
        this, true);
    }
    const version = new aws.lambda.LayerVersion(name, {
      layerName: this.layerName,
      ...code,
      sourceCodeHash: artifact.manifest.zip.sha256,
      compatibleRuntimes: [...this.compatibleRuntimes],
      compatibleArchitectures: [...this.compatibleArchitectures],
      ...(this.args.description !== undefined ? { description: this.args.description } : {}),
      ...(this.args.license !== undefined ? { licenseInfo: this.args.license } : {}),
      skipDestroy: retained,
    }, { parent: this, retainOnDelete: retained });

    const plan = planGrants('aws', this.args.grants ?? [], `RuntimeLayer '${name}'`);
    if (plan.platform === 'aws') {
      for (const statement of plan.statements) {
        declareAwsPermission(`${name}-${statement.statementId}`, version, statement, retained, this);
      }
    }
    return { artifact, resource: version, arn: version.arn, version: version.version, retained };
  }

  /**
   * Every RuntimeLayer with the same FC layer name publishes a version of one FC layer, and FC keeps
   * one ACL per layer: versions that disagree fail, as in the ROS CDK front-end.
   */
  private checkAclAgainstOtherVersions(name: string, acl: 'private' | 'public'): void {
    const key = `${pulumi.getProject()}/${pulumi.getStack()}/${this.layerName}`;
    const versions = [...(fcLayerAcls.get(key) ?? []), { version: `'${name}'`, acl }];
    checkFcAclConsistency(versions, `RuntimeLayer '${name}' (FC layer '${this.layerName}')`);
    fcLayerAcls.set(key, versions);
  }

  private publishAlicloud(name: string, artifact: LayerArtifact, grants: readonly LayerGrant[], retained: boolean): PublishedLayer {
    const alicloud = loadAlicloud();
    const subject = `RuntimeLayer '${name}'`;
    const plan = planGrants('alicloud', grants, subject);
    const acl = plan.platform === 'alicloud' ? plan : undefined;
    this.checkAclAgainstOtherVersions(name, acl?.acl ?? 'private');
    const zip = artifact.manifest.zip;
    const inlineLimit = getPlatform('alicloud', this.args.limits).limits.maxInlineZipBytes;
    const upload = this.args.upload ?? 'auto';

    let code: alicloudSdk.types.input.fc.V3LayerVersionCode;
    if (upload === 'auto' && zip.zippedSize <= inlineLimit) {
      code = { zipFile: fs.readFileSync(artifact.zipPath).toString('base64'), checksum: zip.crc64 };
    } else if (this.args.ossBucket !== undefined) {
      const object = new alicloud.oss.BucketObject(name, {
        bucket: this.args.ossBucket,
        key: `${this.args.ossKeyPrefix ?? 'layersmith/'}${artifact.inputKey}.zip`,
        source: artifact.zipPath,
      }, { parent: this });
      code = { ossBucketName: object.bucket, ossObjectName: object.key, checksum: zip.crc64 };
    } else {
      throw new pulumi.ResourceError(
        `${subject}: the layer ZIP is ${zip.zippedSize} bytes, over Function Compute's inline upload limit of ${inlineLimit} bytes `
        + '(the request carries the ZIP base64-encoded). Fix: set ossBucket to an OSS bucket in the layer\'s region so the ZIP is uploaded there.',
        this, true);
    }

    const version = new alicloud.fc.V3LayerVersion(name, {
      layerName: this.layerName,
      code,
      compatibleRuntimes: [...this.compatibleRuntimes],
      ...(this.args.description !== undefined ? { description: this.args.description } : {}),
      ...(this.args.license !== undefined ? { license: this.args.license } : {}),
      acl: acl?.aclValue ?? '0',
    }, { parent: this, retainOnDelete: retained });
    return { artifact, resource: version, arn: version.layerVersionArn, version: version.version, retained, acl: acl?.acl ?? 'private' };
  }
}

interface CheckedArgs {
  readonly platform: PlatformId;
  readonly layerName: string;
  readonly compatibleRuntimes: readonly string[];
  readonly compatibleArchitectures: readonly ArchitectureId[];
  readonly spec: SourceSpec;
  readonly target: BuildTarget;
  readonly inputKey: string;
}

function checkArgs(name: string, args: RuntimeLayerArgs): CheckedArgs {
  const subject = `RuntimeLayer '${name}'`;
  const platform = checkPlatform(args?.platform, subject);
  if (!(args.source instanceof LayerSource)) {
    throw new Error(`${subject}: 'source' must be a LayerSource (LayerSource.fromDirectory(...), LayerSource.node(...), ...).`);
  }
  const layerName = args.layerName ?? name;
  const compatibleRuntimes = [...(args.compatibleRuntimes ?? [])];
  const problems = validateLayerProps(platform, {
    layerName,
    description: args.description,
    license: args.license,
    compatibleRuntimes,
    compatibleArchitectures: args.compatibleArchitectures,
  });
  if (problems.length > 0) {
    throw new Error(`${subject}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  if (args.upload !== undefined && args.upload !== 'auto' && args.upload !== 'oss') {
    throw new Error(`${subject}: upload ${JSON.stringify(args.upload)} is not 'auto' or 'oss'.`);
  }
  if (platform === 'alicloud' && (args.s3Bucket !== undefined || args.s3KeyPrefix !== undefined)) {
    throw new Error(`${subject}: 's3Bucket' and 's3KeyPrefix' are AWS settings. Fix: use ossBucket (and ossKeyPrefix) for Function Compute.`);
  }
  if (platform === 'aws' && (args.ossBucket !== undefined || args.upload !== undefined || args.ossKeyPrefix !== undefined)) {
    throw new Error(`${subject}: 'ossBucket', 'ossKeyPrefix' and 'upload' are Function Compute settings. `
      + 'Fix: use s3Bucket (and s3KeyPrefix) for AWS, or set platform: \'alicloud\'.');
  }
  if (args.upload === 'oss' && args.ossBucket === undefined) {
    throw new Error(`${subject}: upload is 'oss' but no ossBucket is given. Fix: set ossBucket to a bucket in the layer's region.`);
  }
  try {
    getPlatform(platform, args.limits);
  } catch (e) {
    throw new Error(`${subject}: ${(e as Error).message}`);
  }
  // Refusals (e.g. an account grant on FC) surface here, before anything is built.
  planGrants(platform, args.grants ?? [], subject);
  const compatibleArchitectures = [...(args.compatibleArchitectures ?? ['x86_64' as const])];
  const spec = args.source.bind();
  const target: BuildTarget = { platform, architecture: compatibleArchitectures[0], runtimes: compatibleRuntimes };
  return { platform, layerName, compatibleRuntimes, compatibleArchitectures, spec, target, inputKey: computeInputKey(spec, target) };
}
