import { Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { cleanupTempDirs, newApp, tempDir, writeTree } from './util';
import { FunctionWithLayers, LayerSource, RuntimeLayer } from '../../lib/aws-cdk';
import { formatFindings, LayersmithError, LayersmithValidationError } from '../../lib/core';
import { thrown } from '../helpers';

afterAll(cleanupTempDirs);

const inline = lambda.Code.fromInline('def handler(event, context):\n    return event\n');

/** A function with six layers known by ARN: the layer count rule fails without building anything. */
function crowded(scope: Construct, id: string): FunctionWithLayers {
  const layers = Array.from({ length: 6 }, (_, i) =>
    lambda.LayerVersion.fromLayerVersionArn(scope, `${id}L${i}`, `arn:aws:lambda:us-east-1:123456789012:layer:${id.toLowerCase()}-${i}:1`));
  return new FunctionWithLayers(scope, id, { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers });
}

/** The text a function's failing stack rules give, as the front-ends share it. */
function stackErrors(fn: FunctionWithLayers): string {
  return formatFindings(fn.node.path, fn.analyze().findings.filter((f) => f.severity === 'error'));
}

/** A construct of the user's with its own validation, counting how often it is asked. */
class Checked extends Construct {
  public calls = 0;
  constructor(scope: Construct, id: string, message: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => { this.calls++; return [message]; } });
  }
}

describe('AWS CDK FunctionWithLayers: a failing stack throws a LayersmithValidationError', () => {
  test('GIVEN a function with six layers WHEN the app is synthesized THEN the error is a LayersmithValidationError with its code, path and CDK\'s text', () => {
    // GIVEN
    const app = newApp();
    const fn = crowded(new Stack(app, 'Stack'), 'Fn');

    // WHEN
    const err = thrown(() => app.synth());

    // THEN
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err).toBeInstanceOf(LayersmithError);
    const e = err as LayersmithValidationError;
    expect(e.code).toBe('RULE_FAILED');
    expect(e.kind).toBe('validation');
    expect(e.constructPath).toBe('Stack/Fn');
    expect(e.message).toBe(`Validation failed with the following errors:\n  [Stack/Fn] ${stackErrors(fn)}`);
    expect(e.message).toMatch(/\[error\] Stack\/Fn LS-LAYER-COUNT: .*6.*5/);
  });

  test('GIVEN a function with six layers WHEN Template.fromStack synthesizes its stack THEN it throws the same LayersmithValidationError', () => {
    const stack = new Stack(newApp(), 'Stack');
    crowded(stack, 'Fn');
    const err = thrown(() => Template.fromStack(stack));
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect((err as LayersmithError).code).toBe('RULE_FAILED');
    expect((err as LayersmithError).constructPath).toBe('Stack/Fn');
  });

  test('GIVEN two failing functions in two stacks and a construct of the user\'s failing between them WHEN synthesized THEN one error lists all three '
    + 'in tree order, word for word as CDK would, and each validation ran once', () => {
    // GIVEN
    const app = newApp();
    const first = crowded(new Stack(app, 'A'), 'Fn');
    const own = new Checked(app, 'Own', 'the user\'s own check failed');
    const second = crowded(new Stack(app, 'B'), 'Fn');

    // WHEN
    const err = thrown(() => app.synth()) as LayersmithError;

    // THEN
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err.constructPath).toBe('A/Fn');
    expect(err.message.split('\n')).toEqual([
      'Validation failed with the following errors:',
      ...`  [A/Fn] ${stackErrors(first)}`.split('\n'),
      '  [Own] the user\'s own check failed',
      ...`  [B/Fn] ${stackErrors(second)}`.split('\n'),
    ]);
    expect(own.calls).toBe(1);

    // The same messages from plain constructs at the same paths: CDK's own error has the same text.
    const twin = newApp();
    new Checked(new Stack(twin, 'A'), 'Fn', stackErrors(first));
    new Checked(twin, 'Own', 'the user\'s own check failed');
    new Checked(new Stack(twin, 'B'), 'Fn', stackErrors(second));
    const framework = thrown(() => twin.synth()) as Error;
    expect(framework).not.toBeInstanceOf(LayersmithError);
    expect(err.message).toBe(framework.message);
  });

  test('GIVEN functions whose stacks pass and a construct of the user\'s that fails WHEN synthesized THEN CDK\'s own error is left as it is', () => {
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline });
    const own = new Checked(stack, 'Own', 'the user\'s own check failed');

    const err = thrown(() => app.synth()) as Error;

    expect(err).not.toBeInstanceOf(LayersmithError);
    expect(err.message).toBe('Validation failed with the following errors:\n  [Stack/Own] the user\'s own check failed');
    expect(own.calls).toBe(1);
  });

  test('GIVEN a failing function in a nested Stage WHEN the app is synthesized THEN the nested stage\'s synth throws it with the full path', () => {
    const app = newApp();
    const fn = crowded(new Stack(new Stage(app, 'Prod'), 'Stack'), 'Fn');
    const err = thrown(() => app.synth()) as LayersmithError;
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err.constructPath).toBe('Prod/Stack/Fn');
    expect(err.message).toBe(`Validation failed with the following errors:\n  [Prod/Stack/Fn] ${stackErrors(fn)}`);
  });

  test('GIVEN a function whose stack passes WHEN synthesized twice THEN both synths succeed', () => {
    const app = newApp();
    new FunctionWithLayers(new Stack(app, 'Stack'), 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline });
    expect(() => app.synth()).not.toThrow();
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  test('GIVEN a RuntimeLayer that fails its own rules and no function WHEN synthesized THEN it throws the same LayersmithValidationError at the layer', () => {
    // GIVEN Python modules at the ZIP root, where python3.12 never looks
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    new RuntimeLayer(stack, 'Flat', {
      source: LayerSource.fromDirectory(writeTree({ 'requests/__init__.py': '' })),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      cacheDir: tempDir(),
    });
    const own = new Checked(stack, 'Own', 'the user\'s own check failed');

    // WHEN
    const err = thrown(() => app.synth()) as LayersmithError;

    // THEN one layersmith error at the layer, with the user's failing construct in it, asked once
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err.code).toBe('RULE_FAILED');
    expect(err.constructPath).toBe('Stack/Flat');
    expect(err.message).toMatch(/^Validation failed with the following errors:\n  \[Stack\/Flat\] .*Stack\/Flat LS-LAYOUT.*python\//s);
    expect(err.message).toContain('\n  [Stack/Own] the user\'s own check failed');
    expect(own.calls).toBe(1);
  });
});
