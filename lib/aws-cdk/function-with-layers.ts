import { Lazy, Stack, Token, attachCustomSynthesis } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { ArchitectureId, Finding, StackEntryRecord, StackLayer, StackReport } from '../core';
import { analyzeFunction, errorText, importLayerVersion, measureCode, ownLayerEntry, validationError, writeFunctionRecord } from '../frontend';
import type { FunctionCode } from '../frontend';
import { annotateFindings } from './private/annotate';
import { checkRulesAtStage } from './private/rule-check';
import { RuntimeLayer, isLayersmithLayer, literal } from './runtime-layer';

/** lib/core's rule for layers whose contents are unknown (see reportedFindings). */
const UNKNOWN_LAYER_RULE = 'LS-UNKNOWN-LAYER';

/** Properties of a {@link FunctionWithLayers}: every `lambda.Function` property, with ordered layers. */
export interface FunctionWithLayersProps extends lambda.FunctionProps {
  /**
   * The function's layers in deployment order. Lambda extracts them in this order and a later
   * layer overwrites files of an earlier one; the template lists them exactly in this order.
   * @default - no layers
   */
  readonly layers?: lambda.ILayerVersion[];

  /**
   * Unzipped size of the function's own code in bytes, counted in the code + layers size budget.
   * @default measured from a local asset (directory or ZIP) or inline code; otherwise unknown (layers only)
   */
  readonly codeSize?: number;
}

/**
 * A `lambda.Function` whose layer stack is deployed in exactly the declared order, whatever
 * feature flags the app sets, and checked before deploy on Lambda's rules: layer count, the
 * unzipped size budget (function code included when it is a local directory or inline),
 * runtime and architecture compatibility, layout, files shadowed between layers, package
 * version conflicts, native binaries for the wrong CPU. Errors fail synth, all of them together
 * with the construct path; warnings and infos become annotations.
 */
export class FunctionWithLayers extends lambda.Function {
  /** Unzipped size of the function's own code when known at synth. */
  public readonly codeSize?: number;

  // Declared, not initialised: lambda.Function's constructor may call addLayers (Lambda Insights,
  // ADOT, parameters-and-secrets) before this class's field initialisers would run.
  declare private stackLayers: lambda.ILayerVersion[] | undefined;
  declare private annotated: boolean | undefined;

  constructor(scope: Construct, id: string, props: FunctionWithLayersProps) {
    // lambda.Function would throw on a sixth layer at once and may sort layers under
    // @aws-cdk/aws-lambda:recognizeLayerVersion; the stack is kept and rendered here instead.
    const { codeSize, ...functionProps } = props;
    super(scope, id, { ...functionProps, layers: undefined });
    if (props.layers && props.layers.length > 0 && props.runtime === lambda.Runtime.FROM_IMAGE) {
      throw validationError(this.node.path, 'container image functions cannot use layers; '
        + 'put the layer content into the image, or use a zip-packaged runtime.');
    }
    this.addLayers(...(props.layers ?? []));
    this.codeSize = codeSize ?? measureCode(this.node.path, localCode(props.code, this));

    const cfn = this.node.defaultChild as lambda.CfnFunction;
    cfn.addPropertyOverride('Layers', Lazy.uncachedList(
      { produce: () => this.layerStack.map((layer) => layer.layerVersionArn) },
      { omitEmpty: true },
    ));

    checkRulesAtStage(this, () => this.stackErrors());
    attachCustomSynthesis(this, { onSynthesize: (session) => this.writeAssembly(session.outdir) });
  }

  /** The layer stack in deployment order. */
  public get layerStack(): lambda.ILayerVersion[] {
    return [...(this.stackLayers ?? [])];
  }

  /**
   * Append layers to the stack, in order. Unlike `lambda.Function`, nothing is rejected here:
   * every problem is reported together at synth.
   */
  public addLayers(...layers: lambda.ILayerVersion[]): void {
    if (!this.stackLayers) this.stackLayers = [];
    for (const layer of layers) {
      this.stackLayers.push(layer);
      // Layers are referenced by Ref, which stays the same when a layer publishes a new version:
      // mix the layer's content identity into the function version hash instead.
      const identity = versionIdentity(layer);
      if (identity) this.invalidateVersionBasedOn(identity);
    }
  }

  /** Run the stack rules now (synth runs them too). */
  public analyze(): StackReport {
    return analyzeFunction({
      platform: 'aws',
      path: this.node.path,
      runtime: this.runtime.name,
      architecture: this.architecture.name as ArchitectureId,
      codeSize: this.codeSize,
      layers: this.layerStack.map((layer) => describeLayer(layer)),
    });
  }

  /** The error findings as one text (undefined when there are none); annotates the rest once. */
  private stackErrors(): string | undefined {
    const report = this.analyze();
    if (!this.annotated) {
      this.annotated = true;
      annotateFindings(this, this.reportedFindings(report));
    }
    return errorText(this.node.path, report.findings);
  }

  /**
   * The findings as annotations and records show them. A RuntimeLayer of a stack whose bundling
   * is skipped has no manifest, like a layer known only by ARN; say why instead.
   */
  private reportedFindings(report: StackReport): Finding[] {
    const unbuilt = new Set(this.layerStack
      .filter((l): l is RuntimeLayer => l instanceof RuntimeLayer && !l.isBuilt)
      .map((l) => l.node.path));
    if (unbuilt.size === 0) return report.findings;
    const kept = report.findings.filter((f) => !(f.ruleId === UNKNOWN_LAYER_RULE && f.layer && unbuilt.has(f.layer)));
    return [...kept, {
      ruleId: UNKNOWN_LAYER_RULE,
      severity: 'info',
      message: `Bundling is skipped for this stack (aws:cdk:bundling-stacks), so layers ${[...unbuilt].join(', ')} `
        + 'were not built and their contents were not checked.',
      fix: 'Synthesize this stack with bundling (the default) to check layer contents.',
      data: { skippedBundling: [...unbuilt] },
    }];
  }

  private writeAssembly(outdir: string): void {
    writeFunctionRecord(outdir, {
      platform: 'aws',
      framework: 'aws-cdk',
      stack: Stack.of(this).stackName,
      path: this.node.path,
      runtime: this.runtime.name,
      architecture: this.architecture.name as ArchitectureId,
      codeSize: this.codeSize,
      layers: this.layerStack.map((layer) => stackEntry(layer)),
      findings: this.reportedFindings(this.analyze()),
    });
  }
}

/** How CDK walks a stage to validate it. */
/** The function's code when it is local at synth: an asset directory or file, or inline text. */
function localCode(code: lambda.Code, scope: Construct): FunctionCode | undefined {
  // Binding inline code has no side effect; its text is the one file Lambda writes.
  if (code instanceof lambda.InlineCode) {
    const inline = code.bind(scope).inlineCode;
    return inline === undefined ? undefined : { kind: 'text', text: inline };
  }
  return code instanceof lambda.AssetCode ? { kind: 'path', path: code.path } : undefined;
}

/** Any ILayerVersion as the stack rules see it; our layers describe themselves. */
export function describeLayer(layer: lambda.ILayerVersion): StackLayer {
  if (isLayersmithLayer(layer)) return layer._stackLayer();
  const arn = literal(layer.layerVersionArn);
  let described: StackLayer;
  try {
    described = importLayerVersion(layer.node.path, layer.node.path, arn, 'aws').stackLayer;
  } catch {
    // An ARN we cannot parse is still a distinct layer; the path identifies it.
    described = { layerId: layer.node.path, displayName: arn ?? layer.node.path, ...(arn ? { arn } : {}) };
  }
  const runtimes = layer.compatibleRuntimes && layer.compatibleRuntimes !== lambda.Runtime.ALL
    ? layer.compatibleRuntimes.map((r) => r.name)
    : undefined;
  const cfn = layer.node.defaultChild;
  const architectures = cfn instanceof lambda.CfnLayerVersion && Array.isArray(cfn.compatibleArchitectures)
    ? cfn.compatibleArchitectures.filter((a): a is ArchitectureId => a === 'x86_64' || a === 'arm64')
    : undefined;
  return { ...described, compatibleRuntimes: runtimes, compatibleArchitectures: architectures };
}

function stackEntry(layer: lambda.ILayerVersion): StackEntryRecord {
  if (layer instanceof RuntimeLayer) return ownLayerEntry(layer._ownLayer());
  const described = describeLayer(layer);
  return { layerId: described.layerId, displayName: described.displayName, ...(described.arn ? { arn: described.arn } : {}) };
}

function versionIdentity(layer: lambda.ILayerVersion): string | undefined {
  if (layer instanceof RuntimeLayer) {
    return `layersmith:${layer.node.path}:${layer.inputKey}`;
  }
  return Token.isUnresolved(layer.layerVersionArn) ? undefined : `layer:${layer.layerVersionArn}`;
}
