import * as ros from '@alicloud/ros-cdk-core';
import { cleanupTmp, ELF_AARCH64, elfSharedObject, layerDir, makeApp, tmpDir } from './helpers';
import { formatFindings, LayersmithError, LayersmithValidationError } from '../../lib/core';
import { FunctionWithLayers, LayerGrant, LayerSource, RuntimeLayer } from '../../lib/ros-cdk';
import { thrown } from '../helpers';

afterAll(cleanupTmp);

/** A function with six layers known by ARN: the layer count rule fails without building anything. */
function crowded(scope: ros.Construct, id: string): FunctionWithLayers {
  const layers = Array.from({ length: 6 }, (_, i) =>
    RuntimeLayer.fromLayerVersionArn(scope, `${id}L${i}`, `acs:fc:cn-hangzhou:1234567890123456:layers/${id.toLowerCase()}-${i}/versions/1`));
  return new FunctionWithLayers(scope, id, fnProps(layers));
}

function fnProps(layers: FunctionWithLayers['layers'] = []) {
  return {
    functionName: 'orders',
    handler: 'index.handler',
    runtime: 'python3.10',
    memorySize: 512,
    code: { ossBucketName: 'code-bucket', ossObjectName: 'orders.zip' },
    layers: [...layers],
  };
}

/** The text a function's failing stack rules give, as the front-ends share it. */
function stackErrors(fn: FunctionWithLayers): string {
  return formatFindings(fn.node.path, fn.report.findings.filter((f) => f.severity === 'error'));
}

/** A construct of the user's with its own validation, counting how often it is asked. */
class Checked extends ros.Construct {
  public calls = 0;
  constructor(scope: ros.Construct, id: string, private readonly message: string) {
    super(scope, id);
  }
  protected onValidate(): string[] {
    this.calls++;
    return [this.message];
  }
}

function newApp(): ros.App {
  return new ros.App({ outdir: tmpDir('out'), stackTraces: false });
}

function newStack(app: ros.App, id: string): ros.Stack {
  return new ros.Stack(app, id, { synthesizer: new ros.DefaultStackSynthesizer({ qualifier: 'lstest' }) });
}

describe('ROS CDK FunctionWithLayers: a failing stack throws a LayersmithValidationError', () => {
  test('GIVEN a function with six layers WHEN the app is synthesized THEN the error is a LayersmithValidationError with its code, path and ROS CDK\'s text', () => {
    // GIVEN
    const t = makeApp();
    const fn = crowded(t.stack, 'Crowded');

    // WHEN
    const err = thrown(() => t.app.synth());

    // THEN
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err).toBeInstanceOf(LayersmithError);
    const e = err as LayersmithValidationError;
    expect(e.code).toBe('RULE_FAILED');
    expect(e.constructPath).toBe('LayersStack/Crowded');
    expect(e.message).toBe(`Validation failed with the following errors:\n  [LayersStack/Crowded] ${stackErrors(fn)}`);
    expect(e.message).toMatch(/\[error\] LayersStack\/Crowded LS-LAYER-COUNT: .*6.*5/);
  });

  test('GIVEN two failing functions in two stacks and a construct of the user\'s failing between them WHEN synthesized THEN one error lists all three '
    + 'in tree order, word for word as ROS CDK would', () => {
    // GIVEN
    const app = newApp();
    const first = crowded(newStack(app, 'A'), 'Fn');
    const own = new Checked(app, 'Own', 'the user\'s own check failed');
    const second = crowded(newStack(app, 'B'), 'Fn');

    // WHEN
    const err = thrown(() => app.synth()) as LayersmithError;

    // THEN
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err.code).toBe('RULE_FAILED');
    expect(err.constructPath).toBe('A/Fn');
    expect(err.message.split('\n')).toEqual([
      'Validation failed with the following errors:',
      ...`  [A/Fn] ${stackErrors(first)}`.split('\n'),
      '  [Own] the user\'s own check failed',
      ...`  [B/Fn] ${stackErrors(second)}`.split('\n'),
    ]);
    // Validated after the first function, it is asked once (by layersmith, not by the framework).
    expect(own.calls).toBe(1);

    // The same messages from plain constructs at the same paths: ROS CDK's own error has the same text.
    const twin = newApp();
    new Checked(newStack(twin, 'A'), 'Fn', stackErrors(first));
    new Checked(twin, 'Own', 'the user\'s own check failed');
    new Checked(newStack(twin, 'B'), 'Fn', stackErrors(second));
    const framework = thrown(() => twin.synth()) as Error;
    expect(framework).not.toBeInstanceOf(LayersmithError);
    expect(err.message).toBe(framework.message);
  });

  test('GIVEN functions whose stacks pass and a construct of the user\'s that fails WHEN synthesized THEN ROS CDK\'s own error is left as it is', () => {
    const t = makeApp();
    new FunctionWithLayers(t.stack, 'Fn', fnProps());
    const own = new Checked(t.stack, 'Own', 'the user\'s own check failed');

    const err = thrown(() => t.app.synth()) as Error;

    expect(err).not.toBeInstanceOf(LayersmithError);
    expect(err.message).toBe('Validation failed with the following errors:\n  [LayersStack/Own] the user\'s own check failed');
    expect(own.calls).toBe(1);
  });

  test('GIVEN a failing function in a nested Stage WHEN the app is synthesized THEN the nested stage\'s synth throws it with the full path', () => {
    const app = newApp();
    const stage = new ros.Stage(app, 'Prod');
    const fn = crowded(new ros.Stack(stage, 'Stack', { synthesizer: new ros.DefaultStackSynthesizer({ qualifier: 'lstest' }) }), 'Fn');
    const err = thrown(() => app.synth()) as LayersmithError;
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err.constructPath).toBe('Prod/Stack/Fn');
    expect(err.message).toBe(`Validation failed with the following errors:\n  [Prod/Stack/Fn] ${stackErrors(fn)}`);
  });

  test('GIVEN a RuntimeLayer with an arm64 library and no function WHEN synthesized THEN it throws the same LayersmithValidationError at the layer', () => {
    // GIVEN
    const t = makeApp();
    const dir = layerDir({ 'lib/libfast.so': elfSharedObject(ELF_AARCH64), 'python/fast.py': 'import ctypes\n' });
    new RuntimeLayer(t.stack, 'Native', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });

    // WHEN
    const err = thrown(() => t.app.synth()) as LayersmithError;

    // THEN
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err.code).toBe('RULE_FAILED');
    expect(err.constructPath).toBe('LayersStack/Native');
    expect(err.message).toMatch(/^Validation failed with the following errors:\n  \[LayersStack\/Native\] [\s\S]*LS-NATIVE-BINARY[\s\S]*lib\/libfast\.so/);
  });

  test('GIVEN two versions of one FC layer with different ACLs WHEN synthesized THEN one LayersmithValidationError names both versions', () => {
    // GIVEN
    const t = makeApp();
    const files = { 'python/common.py': 'X = 1\n' };
    new RuntimeLayer(t.stack, 'V1', { source: LayerSource.fromDirectory(layerDir(files)), compatibleRuntimes: ['python3.10'], layerName: 'common' });
    new RuntimeLayer(t.stack, 'V2', {
      source: LayerSource.fromDirectory(layerDir(files)), compatibleRuntimes: ['python3.10'], layerName: 'common', grants: [LayerGrant.public()],
    });

    // WHEN
    const err = thrown(() => t.app.synth()) as LayersmithError;

    // THEN
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err.code).toBe('RULE_FAILED');
    expect(err.constructPath).toBe('LayersStack/V1');
    expect(err.message).toMatch(/\[LayersStack\/V1\] [\s\S]*LayersStack\/V2[\s\S]*\n  \[LayersStack\/V2\] /);
  });
});
