import type * as alicloudSdk from '@pulumi/alicloud';
import type * as awsSdk from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ArchitectureId, LayerManifest, PlatformId, PlatformLimitOverrides, StackLayer, StackReport } from '../core';
import {
  analyzeFunction, describeOwnLayer, importLayerVersion, layerEnvironment, measureCode, validationError, withLayerEnvironment,
} from '../frontend';
import type { FunctionCode } from '../frontend';
import { componentError, failProgramOnError, findingsError, logFindings } from './findings';
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
   * @default measured from a local FileArchive (directory or ZIP) or FC inline zipFile; otherwise
   * unknown (layers only)
   */
  readonly codeSize?: number;
  /**
   * FC custom runtimes (which add no layer directory to any search path): set the environment
   * variables the layers need, e.g. PYTHONPATH=/opt/python, LD_LIBRARY_PATH=/opt/lib. Variables you
   * set in `environmentVariables` win; values that extend a variable (PATH=/opt/bin:$PATH) stay in
   * the info finding for you to set. Nothing to set on other runtimes.
   * @default false - an info finding lists the variables to set
   */
  readonly setLayerEnvironment?: boolean;
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
  /** The stack analysis; fails with the error that fails the program. */
  public readonly report: pulumi.Output<StackReport>;
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
      throw validationError(subject, "function.runtime must be a plain string (e.g. 'python3.12'): "
        + 'the layer stack is checked against it before anything is created.');
    }
    const archs = platform === 'aws' ? (fn as AwsFunctionArgs).architectures ?? ['x86_64'] : ['x86_64' as const];
    if (!Array.isArray(archs) || archs.length !== 1 || (archs[0] !== 'x86_64' && archs[0] !== 'arm64')) {
      throw validationError(subject, `function.architectures must be ['x86_64'] or ['arm64'] (one plain value); got ${JSON.stringify(archs)}.`);
    }
    const architecture: ArchitectureId = archs[0];
    if (!Array.isArray(args.layers)) {
      throw validationError(subject, "'layers' must be an array of RuntimeLayer objects and layer version ARNs, in deploy order.");
    }
    const stack = args.layers.map((layer, i) => describeLayer(layer, i, platform, subject));
    super(typeToken(platform, 'FunctionWithLayers'), name, {}, opts);
    this.platform = platform;

    const report = (async () => {
      // A layer that failed fails this function with the same error (reported once).
      const manifests = await Promise.all(args.layers.map((l) => (typeof l === 'string' ? undefined : l._manifest())));
      const codeSize = args.codeSize ?? measureCode(subject, await localCode(fn.code));
      const analysis = analyzeFunction({
        platform,
        path: subject,
        runtime: fn.runtime,
        architecture,
        codeSize,
        layers: stack.map((s, i) => withManifest(s, manifests[i])),
        limits: args.limits,
      });
      const error = findingsError(subject, analysis.findings, this);
      if (error) throw error;
      logFindings(subject, analysis.findings, this);
      return analysis;
    })().catch((e: unknown) => {
      throw componentError(e, subject, this);
    });

    // The declared order is the order deployed: this array goes to the provider as is.
    const layerArns = args.layers.map((l) => (typeof l === 'string' ? l : l.arn));
    const resource = report.then((analysis) => {
      const env = args.setLayerEnvironment ? layerEnvironment(analysis.findings) : undefined;
      if (platform === 'aws') {
        const aws = loadAws();
        return new aws.lambda.Function(name, { ...(fn as AwsFunctionArgs), architectures: [architecture], layers: layerArns }, { parent: this });
      }
      const alicloud = loadAlicloud();
      const fcArgs = fn as AlicloudFunctionArgs;
      const environmentVariables = env
        ? pulumi.output(fcArgs.environmentVariables).apply((user) => withLayerEnvironment(user, env))
        : fcArgs.environmentVariables;
      return new alicloud.fc.V3Function(name, {
        ...fcArgs,
        ...(environmentVariables !== undefined ? { environmentVariables } : {}),
        layers: layerArns,
      }, { parent: this });
    });
    failProgramOnError(resource);
    this.report = pulumi.output(report);
    this.arn = pulumi.output(resource.then((r) => ('functionArn' in r ? r.functionArn : r.arn)));
    this.functionName = pulumi.output(resource.then((r) => ('functionArn' in r ? r.functionName : r.name)));
    this.layerArns = pulumi.output(resource.then(() => pulumi.all(layerArns)));
    this.registerOutputs(resource.then(
      (r) => ({ arn: 'functionArn' in r ? r.functionArn : r.arn, layerArns: pulumi.all(layerArns) }),
      () => ({}),
    ));
  }
}

function describeLayer(layer: LayerReference, index: number, platform: PlatformId, subject: string): StackLayer {
  if (typeof layer === 'string') return importLayerVersion(subject, layer, layer, platform, `layers[${index}]`).stackLayer;
  if (!(layer instanceof RuntimeLayer)) {
    throw validationError(subject, `layers[${index}] is neither a RuntimeLayer nor a layer version ARN string.`);
  }
  if (layer.platform !== platform) {
    throw validationError(subject, `layers[${index}] RuntimeLayer '${layer.resourceName}' is a layer for '${layer.platform}' `
      + `and cannot be attached to a function on '${platform}'. Fix: create the layer with platform: '${platform}'.`);
  }
  return describeOwnLayer(layer._ownLayer());
}

function withManifest(layer: StackLayer, manifest: LayerManifest | undefined): StackLayer {
  return manifest ? { ...layer, manifest } : layer;
}

/** The function's code when it can be read locally: a FileArchive path, or FC inline `zipFile`. */
async function localCode(code: unknown): Promise<FunctionCode | undefined> {
  if (code instanceof pulumi.asset.FileArchive) return { kind: 'path', path: await code.path };
  const zipFile = typeof code === 'object' && code !== null ? (code as { zipFile?: unknown }).zipFile : undefined;
  return typeof zipFile === 'string' ? { kind: 'zipBase64', data: zipFile } : undefined;
}
