import * as ros from '@alicloud/ros-cdk-core';
import * as fc from '@alicloud/ros-cdk-fc3';
import { analyzeStack, formatFindings, writeAssemblyRecord } from '../core';
import type { Finding, FunctionRecord, PlatformLimitOverrides, StackReport } from '../core';
import { addPathMetadata, onSynthesize, stackNameOf } from './private/synthesis';
import type { ILayerVersion } from './runtime-layer';

/** Properties of a FunctionWithLayers: ros-cdk-fc3's function props plus the ordered layer stack. */
export interface FunctionWithLayersProps extends Omit<fc.FunctionProps, 'layers' | 'runtime'> {
  /**
   * The FC runtime, as a literal (the stack rules need it at synth), e.g. 'python3.10', 'nodejs20', 'custom.debian10'.
   */
  readonly runtime: string;
  /**
   * Layers in the order they are deployed. On FC the FIRST layer wins when two layers hold the same
   * path. The template's `Layers` is exactly this order.
   * @default - no layers
   */
  readonly layers?: ILayerVersion[];
  /**
   * Unzipped size of the function's own code in bytes, counted in the code + layers size budget.
   * @default - unknown: only the layers are counted
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
      throw new Error(`${this.node.path}: runtime must be a literal FC runtime id (e.g. 'python3.10'), not a token: the layer stack is checked against it at synth.`);
    }
    const { layers = [], codeSize, limits, setLayerEnvironment, ...functionProps } = props;
    this.layers = [...layers];
    this.runtime = props.runtime;
    this.codeSize = codeSize;

    this.report = analyzeStack({
      platform: 'alicloud',
      function: {
        path: this.node.path,
        runtime: props.runtime,
        architecture: 'x86_64',
        ...(codeSize !== undefined ? { codeSize } : {}),
      },
      layers: this.layers.map((l) => l._stackLayer()),
      ...(limits ? { limits } : {}),
    });
    for (const f of this.report.findings.filter((x) => x.severity !== 'error')) {
      const text = formatFindings(this.node.path, [f]);
      if (f.severity === 'warning') this.node.addWarning(text); else this.node.addInfo(text);
    }

    const environmentVariables = setLayerEnvironment
      ? withLayerEnvironment(this.node.path, functionProps.environmentVariables, this.report.findings)
      : functionProps.environmentVariables;

    this.function = new fc.Function(this, id, {
      ...functionProps,
      ...(environmentVariables !== undefined ? { environmentVariables } : {}),
      // Passed through as given: ros-cdk-fc3 renders the list unchanged, so the template keeps the
      // declared order. An empty list is left out because ROS requires 1-100 entries when present.
      layers: this.layers.length > 0 ? this.layers.map((l) => l.layerVersionArn) : undefined,
    });

    if (this.function.resource) addPathMetadata(this.function.resource);

    onSynthesize(this, (outdir) => this.writeRecord(outdir));
  }

  /** Findings that are not errors (errors fail synth). */
  public get findings(): readonly Finding[] {
    return this.report.findings.filter((f) => f.severity !== 'error');
  }

  protected onValidate(): string[] {
    return this.report.errors.length > 0 ? [formatFindings(this.node.path, this.report.errors)] : [];
  }

  private writeRecord(outdir: string): void {
    const record: FunctionRecord = {
      kind: 'function',
      schemaVersion: 1,
      platform: 'alicloud',
      framework: 'ros-cdk',
      stack: stackNameOf(this),
      path: this.node.path,
      runtime: this.runtime,
      architecture: 'x86_64',
      ...(this.codeSize !== undefined ? { codeSize: this.codeSize } : {}),
      layers: this.layers.map((l) => l._stackEntry()),
      findings: this.findings,
    };
    writeAssemblyRecord(outdir, record);
  }
}

/** The rule that tells which environment variables a custom runtime needs (lib/core). */
const CUSTOM_RUNTIME_ENV_RULE = 'LS-CUSTOM-RUNTIME-ENV';

/**
 * The user's variables plus the literal `NAME=value` settings the custom-runtime finding lists.
 * The user's own values win; the rule (which directories need which variable) stays in lib/core.
 */
function withLayerEnvironment(subject: string, user: fc.FunctionProps['environmentVariables'], findings: readonly Finding[]): fc.FunctionProps['environmentVariables'] {
  const finding = findings.find((f) => f.ruleId === CUSTOM_RUNTIME_ENV_RULE);
  if (!finding) return user;
  if (ros.Token.isUnresolved(user)) {
    throw new Error(`${subject}: setLayerEnvironment needs environmentVariables as a plain object to merge into, not a token. Fix: pass a literal object, or set the variables yourself and drop setLayerEnvironment.`);
  }
  const merged: Record<string, unknown> = {};
  const settings = Array.isArray(finding.data?.env) ? finding.data!.env as unknown[] : [];
  for (const setting of settings) {
    const m = typeof setting === 'string' ? /^([A-Z_][A-Z0-9_]*)=([^$]*)$/.exec(setting) : null;
    if (m) merged[m[1]] = m[2];
  }
  return { ...merged, ...(user as Record<string, unknown> | undefined) };
}
