import * as fs from 'fs';
import type * as alicloudSdk from '@pulumi/alicloud';
import type * as awsSdk from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { getPlatform, planGrants, retainsOldVersions } from '../core';
import type { ArchitectureId, LayerGrant, LayerManifest, PlatformId, PlatformLimitOverrides } from '../core';
import { buildLayer, computeInputKey } from '../engine';
import type { BuildTarget, LayerArtifact, LayerSource, SourceSpec } from '../engine';
import { analyzeBuiltLayer, checkLayerDeclaration, fcAclConflict, validationError } from '../frontend';
import type { OwnLayer } from '../frontend';
import { declareAwsPermission } from './aws-permission';
import { componentError, failProgramOnError, findingsError, logFindings, onResource } from './findings';
import { currentProgram } from './program';
import type { Program } from './program';
import { checkPlatform, loadAlicloud, loadAws, typeToken } from './providers';

/** How an FC layer ZIP reaches Function Compute. */
export type FcCodeUpload = 'auto' | 'oss';

/** Arguments of a RuntimeLayer. */
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
   * pinned it can still attach it (AWS `skipDestroy` plus Pulumi `retainOnDelete`); the same
   * setting as `removalPolicy: RETAIN` in layersmith/aws-cdk and layersmith/ros-cdk.
   * @default true when the layer is shared (any grant, including LayerPermissions), false otherwise
   */
  readonly retainOldVersions?: boolean;
  /**
   * AWS only: S3 bucket (in the layer's region) that receives the ZIP; the version is then
   * published from S3 (`s3Bucket`/`s3Key`), which also takes ZIPs over Lambda's inline upload limit.
   * @default no bucket: the provider uploads the ZIP with the API request, and a ZIP over the
   * inline limit is an error
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
   * Directory of the content-addressed build cache.
   * @default $LAYERSMITH_CACHE_DIR, else ~/.cache/layersmith
   */
  readonly cacheDir?: string;
}

/** The layer version once declared. */
interface Declared {
  readonly version: awsSdk.lambda.LayerVersion | alicloudSdk.fc.V3LayerVersion;
  readonly arn: pulumi.Output<string>;
  readonly versionNumber: pulumi.Output<string>;
  /** AWS: the unversioned layer ARN the permissions name. */
  readonly layerArn?: pulumi.Output<string>;
}

/**
 * A layer built from a source while the Pulumi program runs, published as
 * `aws.lambda.LayerVersion` or `alicloud.fc.V3LayerVersion`.
 *
 * The build starts at once and runs (or the cache answers) in preview too, so the diff is
 * accurate: an unchanged layer has the same ZIP bytes, the same `sourceCodeHash`/`checksum`, and
 * shows no change. The version is declared once the build is done and the program's declarations
 * have ended, so every LayerPermission the program declares for the layer is taken into account
 * (FC ACL, retention), wherever in the program it comes.
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
  /** The build, from the cache when the inputs are unchanged; fails with the build or check error. */
  public readonly artifact: pulumi.Output<LayerArtifact>;
  /** Manifest of the built ZIP (sizes, entries, checksums, packages, native binaries). */
  public readonly manifest: pulumi.Output<LayerManifest>;
  /** Versioned layer ARN (AWS `arn`, FC `layerVersionArn`). */
  public readonly arn: pulumi.Output<string>;
  /** Published version number. */
  public readonly version: pulumi.Output<string>;
  /** Whether old versions are kept (see `retainOldVersions`). */
  public readonly retained: pulumi.Output<boolean>;
  /** FC: the layer ACL the version is declared with; undefined on AWS. */
  public readonly acl: pulumi.Output<'private' | 'public' | undefined>;

  private readonly args: RuntimeLayerArgs;
  private readonly subject: string;
  private readonly program: Program;
  private readonly allGrants: LayerGrant[];
  private readonly declared: Promise<Declared>;
  private readonly built: Promise<LayerArtifact>;
  private sealed = false;

  constructor(name: string, args: RuntimeLayerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const subject = `RuntimeLayer '${name}'`;
    // Every refusal comes before the component is registered, so a bad declaration leaves nothing behind.
    const checked = checkArgs(subject, name, args);
    super(typeToken(checked.platform, 'RuntimeLayer'), name, {}, opts);
    this.platform = checked.platform;
    this.resourceName = name;
    this.subject = subject;
    this.args = args;
    this.layerName = checked.layerName;
    this.compatibleRuntimes = checked.compatibleRuntimes;
    this.compatibleArchitectures = checked.compatibleArchitectures;
    this.inputKey = checked.inputKey;
    this.allGrants = [...(args.grants ?? [])];
    this.program = currentProgram();
    if (this.platform === 'alicloud') {
      this.program.fcVersions.push({ layerName: this.layerName, subject, acl: () => this.currentAcl() });
    }

    const built = this.built = buildLayer(checked.spec, checked.target, { cacheDir: args.cacheDir })
      .catch((e: unknown) => {
        throw componentError(e, subject, this, `building the ${checked.spec.kind} layer failed`);
      })
      .then((artifact) => this.check(artifact));
    const ended = this.program.endOfDeclarations().then(() => {
      this.sealed = true;
    });
    this.declared = Promise.all([built, ended]).then(([artifact]) => this.declare(name, artifact));
    failProgramOnError(this.declared);

    this.artifact = pulumi.output(built);
    this.manifest = this.artifact.apply((a) => a.manifest);
    const declared = pulumi.output(this.declared);
    this.arn = declared.apply((d) => d.arn);
    this.version = declared.apply((d) => d.versionNumber);
    this.retained = pulumi.output(this.declared.then(() => this.isRetained()));
    this.acl = pulumi.output(this.declared.then(() => (this.platform === 'alicloud' ? this.currentAcl() : undefined)));

    // Grants given here become permissions like any LayerPermission's, parented to this layer.
    for (const grant of args.grants ?? []) this.declareAwsStatement(grant, this);
    this.registerOutputs(this.declared.then((d) => ({
      inputKey: this.inputKey,
      arn: d.arn,
      version: d.versionNumber,
    }), () => ({ inputKey: this.inputKey })));
  }

  /** Every grant of this layer: its own `grants` plus those of LayerPermissions declared for it. */
  public get grants(): readonly LayerGrant[] {
    return [...this.allGrants];
  }

  /**
   * Called by LayerPermission. A grant can change how the version is declared (FC ACL, AWS retention
   * default), so it is taken until the program's declarations end; after that (the program waited
   * for this layer's outputs first) it is refused when it would change the declared version.
   * @internal
   */
  public _addGrant(grant: LayerGrant, by: string): void {
    const who = `LayerPermission '${by}'`;
    if (this.sealed) {
      if (this.platform === 'alicloud') {
        throw validationError(who, `${this.subject} already declared its FC layer version, and an FC layer's ACL is part of that request. `
          + "Fix: pass the grant in the RuntimeLayer's grants, or declare the LayerPermission before the program waits for the layer's outputs.",
        'LATE_GRANT');
      }
      if (!this.isRetained()) {
        throw validationError(who, `${this.subject} already declared its layer version without retention (it had no grants then), `
          + 'so a version you share would be deleted on the next update while consumers still use it. '
          + 'Fix: set retainOldVersions on the RuntimeLayer, pass the grant in its grants, '
          + "or declare the LayerPermission before the program waits for the layer's outputs.", 'LATE_GRANT');
      }
    }
    this.allGrants.push(grant);
  }

  /**
   * AWS: the permission resource of a grant on every version this layer publishes, parented to
   * `parent`; undefined on FC (the ACL is part of the version).
   * @internal
   */
  public _permission(grant: LayerGrant, name: string, parent: pulumi.Resource): awsSdk.lambda.LayerVersionPermission | undefined {
    return this.declareAwsStatement(grant, parent, name);
  }

  /**
   * The built manifest once the version is declared, for the FunctionWithLayers that attach this
   * layer; rejects with the layer's error, so a function never names a layer that failed.
   * @internal
   */
  public _manifest(): Promise<LayerManifest> {
    return this.declared.then(() => this.built).then((a) => a.manifest);
  }

  /** @internal The layer as the shared front-end steps see it. */
  public _ownLayer(manifest?: LayerManifest): OwnLayer {
    return {
      path: this.subject,
      platform: this.platform,
      layerName: this.layerName,
      compatibleRuntimes: this.compatibleRuntimes,
      compatibleArchitectures: this.compatibleArchitectures,
      inputKey: this.inputKey,
      manifest,
    };
  }

  private isRetained(): boolean {
    return retainsOldVersions(this.args.retainOldVersions, this.allGrants.length > 0);
  }

  private currentAcl(): 'private' | 'public' {
    const plan = planGrants('alicloud', this.allGrants, this.subject);
    return plan.platform === 'alicloud' ? plan.acl : 'private';
  }

  /** The single-layer rules, before anything is declared: errors fail the layer, the rest are diagnostics. */
  private check(artifact: LayerArtifact): LayerArtifact {
    const findings = analyzeBuiltLayer({ ...this._ownLayer(), manifest: artifact.manifest }, this.args.limits);
    const error = findingsError(this.subject, findings, this);
    if (error) throw error;
    logFindings(this.subject, findings, this);
    return artifact;
  }

  /**
   * One AWS permission statement on every version this layer publishes. Permissions are per
   * version: a new version gets its own statement with the same id; a retained layer retains them.
   */
  private declareAwsStatement(grant: LayerGrant, parent: pulumi.Resource, name?: string): awsSdk.lambda.LayerVersionPermission | undefined {
    if (this.platform !== 'aws') return undefined;
    const plan = planGrants('aws', [grant], this.subject);
    if (plan.platform !== 'aws') return undefined;
    const statement = plan.statements[0];
    const declared = pulumi.output(this.declared);
    return declareAwsPermission(name ?? `${this.resourceName}-${statement.statementId}`, {
      layerArn: declared.apply((d) => d.layerArn!),
      version: declared.apply((d) => d.versionNumber),
    }, statement, retainsOldVersions(this.args.retainOldVersions, true), parent);
  }

  private declare(name: string, artifact: LayerArtifact): Declared {
    return this.platform === 'aws' ? this.declareAws(name, artifact) : this.declareAlicloud(name, artifact);
  }

  private declareAws(name: string, artifact: LayerArtifact): Declared {
    const aws = loadAws();
    const retained = this.isRetained();
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
      throw onResource(validationError(this.subject, `the layer ZIP is ${zip.zippedSize} bytes, `
        + `over Lambda's inline upload limit of ${inlineLimit} bytes. `
        + "Fix: set s3Bucket to an S3 bucket in the layer's region so the ZIP is published from S3.", 'INLINE_LIMIT'), this);
    }
    const version = new aws.lambda.LayerVersion(name, {
      layerName: this.layerName,
      ...code,
      sourceCodeHash: zip.sha256,
      compatibleRuntimes: [...this.compatibleRuntimes],
      compatibleArchitectures: [...this.compatibleArchitectures],
      ...(this.args.description !== undefined ? { description: this.args.description } : {}),
      ...(this.args.license !== undefined ? { licenseInfo: this.args.license } : {}),
      skipDestroy: retained,
    }, { parent: this, retainOnDelete: retained });
    return { version, arn: version.arn, versionNumber: version.version, layerArn: version.layerArn };
  }

  private declareAlicloud(name: string, artifact: LayerArtifact): Declared {
    // FC keeps one ACL per layer: this version must agree with the versions declared before it.
    const versions = this.program.fcVersions.filter((v) => v.layerName === this.layerName);
    const upTo = versions.slice(0, versions.findIndex((v) => v.subject === this.subject) + 1);
    const conflict = fcAclConflict(this.subject, this.layerName, upTo.map((v) => ({ version: v.subject, acl: v.acl() })));
    if (conflict) throw onResource(conflict, this);

    const alicloud = loadAlicloud();
    const acl = this.currentAcl();
    const zip = artifact.manifest.zip;
    const inlineLimit = getPlatform('alicloud', this.args.limits).limits.maxInlineZipBytes;
    let code: alicloudSdk.types.input.fc.V3LayerVersionCode;
    if ((this.args.upload ?? 'auto') === 'auto' && zip.zippedSize <= inlineLimit) {
      code = { zipFile: fs.readFileSync(artifact.zipPath).toString('base64'), checksum: zip.crc64 };
    } else if (this.args.ossBucket !== undefined) {
      const object = new alicloud.oss.BucketObject(name, {
        bucket: this.args.ossBucket,
        key: `${this.args.ossKeyPrefix ?? 'layersmith/'}${artifact.inputKey}.zip`,
        source: artifact.zipPath,
      }, { parent: this });
      code = { ossBucketName: object.bucket, ossObjectName: object.key, checksum: zip.crc64 };
    } else {
      throw onResource(validationError(this.subject, `the layer ZIP is ${zip.zippedSize} bytes, `
        + `over Function Compute's inline upload limit of ${inlineLimit} bytes (the request carries the ZIP base64-encoded). `
        + "Fix: set ossBucket to an OSS bucket in the layer's region so the ZIP is uploaded there.", 'INLINE_LIMIT'), this);
    }
    const version = new alicloud.fc.V3LayerVersion(name, {
      layerName: this.layerName,
      code,
      compatibleRuntimes: [...this.compatibleRuntimes],
      ...(this.args.description !== undefined ? { description: this.args.description } : {}),
      ...(this.args.license !== undefined ? { license: this.args.license } : {}),
      acl: acl === 'public' ? '1' : '0',
    }, { parent: this, retainOnDelete: this.isRetained() });
    return { version, arn: version.layerVersionArn, versionNumber: version.version };
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

function checkArgs(subject: string, name: string, args: RuntimeLayerArgs): CheckedArgs {
  const platform = checkPlatform(args?.platform, subject);
  const layerName = args.layerName ?? name;
  checkLayerDeclaration(subject, platform, { ...args, layerName });
  if (args.upload !== undefined && args.upload !== 'auto' && args.upload !== 'oss') {
    throw validationError(subject, `upload ${JSON.stringify(args.upload)} is not 'auto' or 'oss'.`);
  }
  if (platform === 'alicloud' && (args.s3Bucket !== undefined || args.s3KeyPrefix !== undefined)) {
    throw validationError(subject, "'s3Bucket' and 's3KeyPrefix' are AWS settings. Fix: use ossBucket (and ossKeyPrefix) for Function Compute.");
  }
  if (platform === 'aws' && (args.ossBucket !== undefined || args.upload !== undefined || args.ossKeyPrefix !== undefined)) {
    throw validationError(subject, "'ossBucket', 'ossKeyPrefix' and 'upload' are Function Compute settings. "
      + "Fix: use s3Bucket (and s3KeyPrefix) for AWS, or set platform: 'alicloud'.");
  }
  if (args.upload === 'oss' && args.ossBucket === undefined) {
    throw validationError(subject, "upload is 'oss' but no ossBucket is given. Fix: set ossBucket to a bucket in the layer's region.");
  }
  const compatibleRuntimes = [...args.compatibleRuntimes];
  const compatibleArchitectures = [...(args.compatibleArchitectures ?? ['x86_64' as const])];
  const spec = args.source.bind();
  const target: BuildTarget = { platform, architecture: compatibleArchitectures[0], runtimes: compatibleRuntimes };
  return { platform, layerName, compatibleRuntimes, compatibleArchitectures, spec, target, inputKey: computeInputKey(spec, target, args.cacheDir) };
}
