import type * as alicloudSdk from '@pulumi/alicloud';
import type * as awsSdk from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { analyzeStack, parseLayerVersionArn } from '../core';
import type { ArchitectureId, LayerManifest, PlatformId, PlatformLimitOverrides, StackLayer, StackReport } from '../core';
import { localCodeSize } from './code-size';
import { failProgramOnError, findingsError, logFindings } from './findings';
import { checkPlatform, loadAlicloud, loadAws, typeToken } from './providers';
import { RuntimeLayer } from './runtime-layer';

/** A layer in a function's stack: one of ours, or a versioned layer ARN (another account's, an official one). */
export type LayerReference = RuntimeLayer | string;

/**
 * `aws.lambda.FunctionArgs` without `layers` (FunctionWithLayers owns the order), with `runtime`
 * and `architectures` as plain values: the stack is checked against them before anything exists.
 */
export type AwsFunctionArgs = Omit<awsSdk.lambda.FunctionArgs, 'layers' | 'runtime' | 'architectures'> & {
  /** Lambda runtime identifier, e.g. 'python3.12'. */
  readonly runtime: string;
  /**
   * The function's architecture (Lambda takes one).
   * @default ['x86_64']
   */
  readonly architectures?: readonly ArchitectureId[];
};

/** `alicloud.fc.V3FunctionArgs` without `layers`, with `runtime` as a plain value. */
export type AlicloudFunctionArgs = Omit<alicloudSdk.fc.V3FunctionArgs, 'layers' | 'runtime'> & {
  /** FC runtime identifier, e.g. 'python3.12', 'nodejs20', 'custom.debian12'. */
  readonly runtime: string;
};

/** What both platforms share. */
export interface FunctionWithLayersBaseArgs {
  /** The layers in the order they are deployed (AWS: the last one wins a shared path; FC: the first). */
  readonly layers: readonly LayerReference[];
  /**
   * Unzipped size of the function's own code, in bytes, for the size budget.
   * @default measured from a local FileArchive (directory or ZIP) or FC inline zipFile; otherwise unknown (layers only)
   */
  readonly codeSize?: number;
  /**
   * Overrides of configurable limits (e.g. FC's unconfirmed unzipped budget).
   * @default the platform's published limits
   */
  readonly limits?: Partial<PlatformLimitOverrides>;
}

/** A Lambda function with an ordered layer stack. */
export interface AwsFunctionWithLayersArgs extends FunctionWithLayersBaseArgs {
  /** AWS Lambda. */
  readonly platform: 'aws';
  /** Everything `aws.lambda.Function` takes except `layers`. */
  readonly function: AwsFunctionArgs;
}

/** An FC 3.0 function with an ordered layer stack. */
export interface AlicloudFunctionWithLayersArgs extends FunctionWithLayersBaseArgs {
  /** Alibaba Cloud Function Compute. */
  readonly platform: 'alicloud';
  /** Everything `alicloud.fc.V3Function` takes except `layers`. */
  readonly function: AlicloudFunctionArgs;
}

export type FunctionWithLayersArgs = AwsFunctionWithLayersArgs | AlicloudFunctionWithLayersArgs;

/**
 * `aws.lambda.Function` / `alicloud.fc.V3Function` whose `layers` are exactly the declared order.
 *
 * Before the function is declared, the whole stack is checked by lib/core's analyzeStack (layer
 * count, size budget, runtime and architecture compatibility, shadowed files with the platform's
 * precedence, package version conflicts, native binaries); errors fail the program with the same
 * text as the CDK front-ends, warnings and infos become diagnostics on this resource.
 */
export class FunctionWithLayers extends pulumi.ComponentResource {
  public readonly platform: PlatformId;
  /** The stack analysis; rejects with the error that fails the program. */
  public readonly report: Promise<StackReport>;
  /** The provider's function resource once declared. */
  public readonly resource: Promise<awsSdk.lambda.Function | alicloudSdk.fc.V3Function>;
  /** Function ARN. */
  public readonly arn: pulumi.Output<string>;
  /** Function name on the platform. */
  public readonly functionName: pulumi.Output<string>;
  /** The layer ARNs in the order deployed. */
  public readonly layerArns: pulumi.Output<string[]>;

  constructor(name: string, args: FunctionWithLayersArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const subject = `FunctionWithLayers '${name}'`;
    // Every refusal comes before the component is registered, so a bad declaration leaves nothing behind.
    const platform = checkPlatform(args?.platform, subject);
    const fn = args.function;
    if (!fn || typeof fn.runtime !== 'string') {
      throw new Error(`${subject}: function.runtime must be a plain string (e.g. 'python3.12'): the layer stack is checked against it before anything is created.`);
    }
    const archs = platform === 'aws' ? (fn as AwsFunctionArgs).architectures ?? ['x86_64'] : ['x86_64' as const];
    if (!Array.isArray(archs) || archs.length !== 1 || (archs[0] !== 'x86_64' && archs[0] !== 'arm64')) {
      throw new Error(`${subject}: function.architectures must be ['x86_64'] or ['arm64'] (one plain value); got ${JSON.stringify(archs)}.`);
    }
    const architecture: ArchitectureId = archs[0];
    if (!Array.isArray(args.layers)) {
      throw new Error(`${subject}: 'layers' must be an array of RuntimeLayer objects and layer version ARNs, in deploy order.`);
    }
    const stack = args.layers.map((layer, i) => describeLayer(layer, i, platform, subject));
    super(typeToken(platform, 'FunctionWithLayers'), name, {}, opts);
    this.platform = platform;

    this.report = (async () => {
      // A layer that failed fails this function with the same error (reported once).
      const manifests = await Promise.all(args.layers.map((l) => typeof l === 'string' ? undefined : l.published.then((p) => p.artifact.manifest)));
      const codeSize = args.codeSize ?? await measureCode(fn.code, subject, this);
      const report = analyzeStack({
        platform,
        function: { path: subject, runtime: fn.runtime, architecture, ...(codeSize !== undefined ? { codeSize } : {}) },
        layers: stack.map((s, i) => withManifest(s, manifests[i])),
        ...(args.limits ? { limits: args.limits } : {}),
      });
      if (report.errors.length > 0) throw findingsError(subject, report.errors, this);
      logFindings(subject, report.findings, this);
      return report;
    })();

    // The declared order is the order deployed: this array goes to the provider as is.
    const layerArns = args.layers.map((l) => typeof l === 'string' ? l : l.arn);
    this.resource = this.report.then(() => {
      if (platform === 'aws') {
        const aws = loadAws();
        return new aws.lambda.Function(name, { ...(fn as AwsFunctionArgs), architectures: [architecture], layers: layerArns }, { parent: this });
      }
      const alicloud = loadAlicloud();
      return new alicloud.fc.V3Function(name, { ...(fn as AlicloudFunctionArgs), layers: layerArns }, { parent: this });
    });
    failProgramOnError(this.resource);
    this.arn = pulumi.output(this.resource.then((r) => 'functionArn' in r ? r.functionArn : r.arn));
    this.functionName = pulumi.output(this.resource.then((r) => 'functionArn' in r ? r.functionName : r.name));
    this.layerArns = pulumi.output(this.resource.then(() => pulumi.all(layerArns)));
    this.registerOutputs(this.resource.then(
      (r) => ({ arn: 'functionArn' in r ? r.functionArn : r.arn, layerArns: pulumi.all(layerArns) }),
      () => ({}),
    ));
  }
}

function describeLayer(layer: LayerReference, index: number, platform: PlatformId, subject: string): StackLayer {
  if (typeof layer === 'string') {
    let ref;
    try {
      ref = parseLayerVersionArn(layer, platform);
    } catch (e) {
      throw new Error(`${subject}: layers[${index}]: ${(e as Error).message}`);
    }
    return { layerId: ref.unversionedArn, displayName: layer, arn: layer };
  }
  if (!(layer instanceof RuntimeLayer)) {
    throw new Error(`${subject}: layers[${index}] is neither a RuntimeLayer nor a layer version ARN string.`);
  }
  if (layer.platform !== platform) {
    throw new Error(`${subject}: layers[${index}] RuntimeLayer '${layer.resourceName}' is a layer for '${layer.platform}' and cannot be attached to a function on '${platform}'. Fix: create the layer with platform: '${platform}'.`);
  }
  return {
    // Two versions of one layer name are one layer to the platform, which refuses it twice.
    layerId: `${platform}:layer:${layer.layerName}`,
    displayName: `RuntimeLayer '${layer.resourceName}'`,
    compatibleRuntimes: layer.compatibleRuntimes,
    compatibleArchitectures: layer.compatibleArchitectures,
  };
}

function withManifest(layer: StackLayer, manifest: LayerManifest | undefined): StackLayer {
  return manifest ? { ...layer, manifest } : layer;
}

async function measureCode(code: unknown, subject: string, resource: pulumi.Resource): Promise<number | undefined> {
  try {
    return await localCodeSize(code);
  } catch (e) {
    throw new pulumi.ResourceError(`${subject}: cannot read the function code to measure its unzipped size: ${(e as Error).message}. Fix: give a valid ZIP or directory, or set codeSize.`, resource, true);
  }
}
