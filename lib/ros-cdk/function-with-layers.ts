import * as ros from '@alicloud/ros-cdk-core';
import * as fc from '@alicloud/ros-cdk-fc3';
import type { Finding, PlatformLimitOverrides, StackReport } from '../core';
import {
  analyzeFunction, errorText, layerEnvironment, measureCode, noteFindings, nonErrors, validationError, withLayerEnvironment, writeFunctionRecord,
} from '../frontend';
import type { FunctionCode } from '../frontend';
import { checkRulesAtStage, validateAtStage } from './private/rule-check';
import { addPathMetadata, onSynthesize, stackNameOf } from './private/synthesis';
import type { ILayerVersion } from './runtime-layer';

/** Properties of a FunctionWithLayers: ros-cdk-fc3's function props plus the ordered layer stack. */
export interface FunctionWithLayersProps extends Omit<fc.FunctionProps, 'layers' | 'runtime'> {
  /**
   * The FC runtime, as a literal (the stack rules need it at synth), e.g. 'python3.10', 'nodejs20',
   * 'custom.debian10'.
   */
  readonly runtime: string;
  /**
   * Layers in the order they are deployed. On FC the FIRST layer wins when two layers hold the
   * same path. The template's `Layers` is exactly this order.
   * @default - no layers
   */
  readonly layers?: ILayerVersion[];
  /**
   * Unzipped size of the function's own code in bytes, counted in the code + layers size budget.
   * @default - measured from a literal `code.zipFile`; otherwise unknown (layers only)
   */
  readonly codeSize?: number;
  /**
   * Per-app overrides of configurable limits (FC's unzipped code + layers budget is unconfirmed).
   * @default - the platform profile's limits
   */
  readonly limits?: Partial<PlatformLimitOverrides>;
  /**
   * On a custom runtime (FC adds no layer directory to any search path), set the environment
   * variables the layers need, e.g. PYTHONPATH=/opt/python, NODE_PATH=/opt/nodejs/node_modules,
   * LD_LIBRARY_PATH=/opt/lib. Variables you set in `environmentVariables` win. Values that extend
   * an existing variable (PATH=/opt/bin:$PATH) cannot be expressed as a literal and stay in the
   * info finding for you to set.
   * @default false - an info finding lists the variables to set
   */
  readonly setLayerEnvironment?: boolean;
}

/**
 * An `ALIYUN::FC3::Function` with an ordered layer stack, checked before deploy.
 *
 * The stack is analysed with FC's rules (5 layers, size budget, runtime compatibility, layout,
 * the first layer winning on a shared path, the same package at two versions, native binaries,
 * the environment variables a custom runtime must set). Errors fail synth with the construct
 * path; warnings and infos are annotations.
 */
export class FunctionWithLayers extends ros.Construct {
  /** The ros-cdk-fc3 function this construct emits. */
  public readonly function: fc.Function;
  /** The stack analysis (findings, budget, shadowed paths). */
  public readonly report: StackReport;
  /** The layers, in deployed order. */
  public readonly layers: readonly ILayerVersion[];

  private readonly runtime: string;
  private readonly codeSize?: number;

  constructor(scope: ros.Construct, id: string, props: FunctionWithLayersProps) {
    super(scope, id);
    if (ros.Token.isUnresolved(props.runtime)) {
      throw validationError(this.node.path, "runtime must be a literal FC runtime id (e.g. 'python3.10'), not a token: "
        + 'the layer stack is checked against it at synth.');
    }
    const { layers = [], codeSize, limits, setLayerEnvironment, ...functionProps } = props;
    this.layers = [...layers];
    this.runtime = props.runtime;
    this.codeSize = codeSize ?? measureCode(this.node.path, literalZip(functionProps.code));

    this.report = analyzeFunction({
      platform: 'alicloud',
      path: this.node.path,
      runtime: props.runtime,
      architecture: 'x86_64',
      codeSize: this.codeSize,
      layers: this.layers.map((l) => l._stackLayer()),
      limits,
    });
    noteFindings(this.node.path, this.report.findings, {
      warning: (text) => this.node.addWarning(text),
      info: (text) => this.node.addInfo(text),
    });

    let environmentVariables = functionProps.environmentVariables;
    const env = setLayerEnvironment ? layerEnvironment(this.report.findings) : undefined;
    if (env) {
      if (ros.Token.isUnresolved(environmentVariables)) {
        throw validationError(this.node.path, 'setLayerEnvironment needs environmentVariables as a plain object to merge into, not a token. '
          + 'Fix: pass a literal object, or set the variables yourself and drop setLayerEnvironment.');
      }
      environmentVariables = withLayerEnvironment(environmentVariables as Record<string, unknown> | undefined, env);
    }

    this.function = new fc.Function(this, id, {
      ...functionProps,
      ...(environmentVariables !== undefined ? { environmentVariables } : {}),
      // Passed through as given: ros-cdk-fc3 renders the list unchanged, so the template keeps the
      // declared order. An empty list is left out because ROS requires 1-100 entries when present.
      layers: this.layers.length > 0 ? this.layers.map((l) => l.layerVersionArn) : undefined,
    });

    if (this.function.resource) addPathMetadata(this.function.resource);

    onSynthesize(this, (outdir) => this.writeRecord(outdir));
    checkRulesAtStage(this, () => {
      const errors = errorText(this.node.path, this.report.findings);
      return errors ? [errors] : [];
    });
  }

  /** Findings that are not errors (errors fail synth). */
  public get findings(): readonly Finding[] {
    return nonErrors(this.report.findings);
  }

  protected onValidate(): string[] {
    return validateAtStage(this);
  }

  private writeRecord(outdir: string): void {
    writeFunctionRecord(outdir, {
      platform: 'alicloud',
      framework: 'ros-cdk',
      stack: stackNameOf(this),
      path: this.node.path,
      runtime: this.runtime,
      architecture: 'x86_64',
      codeSize: this.codeSize,
      layers: this.layers.map((l) => l._stackEntry()),
      findings: this.findings,
    });
  }
}

/** The function's code when it is an inline ZIP known at synth. */
function literalZip(code: fc.FunctionProps['code']): FunctionCode | undefined {
  const zipFile = code && !ros.Token.isUnresolved(code) ? (code as { zipFile?: unknown }).zipFile : undefined;
  return typeof zipFile === 'string' && !ros.Token.isUnresolved(zipFile) ? { kind: 'zipBase64', data: zipFile } : undefined;
}
