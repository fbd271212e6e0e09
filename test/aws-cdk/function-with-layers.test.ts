import * as fs from 'fs';
import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { cleanupTempDirs, elfHeader, newApp, tempDir, writeTree } from './util';
import { FunctionWithLayers, LayerSource, RuntimeLayer } from '../../lib/aws-cdk';
import { readAssemblyRecords } from '../../lib/core/assembly';
import type { FunctionRecord } from '../../lib/core/assembly';

afterAll(cleanupTempDirs);

const RECOGNIZE_LAYER_VERSION = '@aws-cdk/aws-lambda:recognizeLayerVersion';
const cacheDir = tempDir('ls-cache-');
const inline = lambda.Code.fromInline('def handler(event, context):\n    return event\n');

/** A small Python-compatible layer; `files` default to one tool under bin/. */
function layer(stack: Stack, id: string, files: Record<string, any> = { [`bin/${id.toLowerCase()}`]: '#!/bin/sh\n' }, props: Partial<ConstructorParameters<typeof RuntimeLayer>[2]> = {}) {
  return new RuntimeLayer(stack, id, {
    source: LayerSource.fromDirectory(writeTree(files)),
    compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
    compatibleArchitectures: [lambda.Architecture.X86_64, lambda.Architecture.ARM_64],
    cacheDir,
    ...props,
  });
}

function layerRefs(stack: Stack, functionLogicalPrefix: string): string[] {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const [fn] = Object.entries(functions).filter(([id]) => id.startsWith(functionLogicalPrefix)).map(([, r]) => r);
  return (fn.Properties.Layers ?? []).map((l: any) => l.Ref ?? l);
}

describe('FunctionWithLayers order', () => {
  test.each([true, false])('GIVEN layers declared out of alphabetical order and recognizeLayerVersion=%s WHEN synthesized THEN Layers keep the declared order', (flag) => {
    // GIVEN
    const stack = new Stack(newApp({ [RECOGNIZE_LAYER_VERSION]: flag }), 'Stack');
    const zeta = layer(stack, 'Zeta');
    const alpha = layer(stack, 'Alpha');
    const mid = layer(stack, 'Mid');

    // WHEN
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [zeta, alpha, mid] });

    // THEN
    const ids = [zeta, alpha, mid].map((l) => stack.getLogicalId(l.node.defaultChild as lambda.CfnLayerVersion));
    expect(layerRefs(stack, 'Fn')).toEqual(ids);
  });

  test('GIVEN recognizeLayerVersion=true WHEN the same layers go to a plain lambda.Function THEN aws-cdk-lib reorders them (why FunctionWithLayers pins the order)', () => {
    // GIVEN
    const stack = new Stack(newApp({ [RECOGNIZE_LAYER_VERSION]: true }), 'Stack');
    const zeta = layer(stack, 'Zeta');
    const alpha = layer(stack, 'Alpha');

    // WHEN
    new lambda.Function(stack, 'Plain', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [zeta, alpha] });

    // THEN
    const ids = [alpha, zeta].map((l) => stack.getLogicalId(l.node.defaultChild as lambda.CfnLayerVersion));
    expect(layerRefs(stack, 'Plain')).toEqual(ids);
  });

  test('GIVEN a function WHEN layers are added later with addLayers THEN they are appended in call order after the declared ones', () => {
    // GIVEN
    const stack = new Stack(newApp({ [RECOGNIZE_LAYER_VERSION]: true }), 'Stack');
    const b = layer(stack, 'B');
    const a = layer(stack, 'A');
    const fn = new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [b] });
    const imported = RuntimeLayer.fromLayerVersionArn(stack, 'Ext', 'arn:aws:lambda:eu-west-1:123456789012:layer:ext:3');

    // WHEN
    fn.addLayers(imported, a);

    // THEN
    expect(layerRefs(stack, 'Fn')).toEqual([
      stack.getLogicalId(b.node.defaultChild as lambda.CfnLayerVersion),
      'arn:aws:lambda:eu-west-1:123456789012:layer:ext:3',
      stack.getLogicalId(a.node.defaultChild as lambda.CfnLayerVersion),
    ]);
    expect(fn.layerStack).toEqual([b, imported, a]);
  });

  test('GIVEN Lambda Insights (a layer aws-cdk-lib adds while the function is constructed) WHEN synthesized THEN it stays in the stack, before the declared layers', () => {
    // GIVEN
    const stack = new Stack(newApp({ [RECOGNIZE_LAYER_VERSION]: true }), 'Stack');
    const tools = layer(stack, 'Tools');

    // WHEN
    const fn = new FunctionWithLayers(stack, 'Fn', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'index.handler',
      code: inline,
      layers: [tools],
      insightsVersion: lambda.LambdaInsightsVersion.VERSION_1_0_229_0,
    });

    // THEN
    expect(fn.layerStack).toHaveLength(2);
    expect(fn.layerStack[1]).toBe(tools);
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const layers = Object.values(functions)[0].Properties.Layers;
    expect(layers).toHaveLength(2);
    expect(JSON.stringify(layers[0])).toMatch(/LambdaInsights|FindInMap/);
    expect(layers[1]).toEqual({ Ref: stack.getLogicalId(tools.node.defaultChild as lambda.CfnLayerVersion) });
  });

  test('GIVEN layers in a platform stack and a function in a service stack WHEN synthesized THEN the order holds across stacks and the layers are still checked', () => {
    // GIVEN
    const app = newApp();
    const platform = new Stack(app, 'Platform');
    const first = layer(platform, 'First', { 'bin/healthcheck': 'first\n' });
    const second = layer(platform, 'Second', { 'bin/healthcheck': 'second\n' });
    const service = new Stack(app, 'Service');

    // WHEN
    new FunctionWithLayers(service, 'Fn', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'index.handler',
      code: inline,
      layers: [second, first],
    });

    // THEN
    const layers = Object.values(Template.fromStack(service).findResources('AWS::Lambda::Function'))[0].Properties.Layers;
    expect(layers.map((l: any) => JSON.stringify(l))).toEqual([
      expect.stringMatching(/Fn::ImportValue.*Second/),
      expect.stringMatching(/Fn::ImportValue.*First/),
    ]);
    const warnings = Annotations.fromStack(service).findWarning('/Service/Fn', Match.stringLikeRegexp('LS-SHADOWED-FILE'));
    expect(String(warnings[0].entry.data)).toMatch(/hidden by layer Platform\/First/);
  });

  test('GIVEN a function without layers WHEN synthesized THEN no Layers property is rendered', () => {
    const stack = new Stack(newApp(), 'Stack');
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Layers: Match.absent() });
  });

  test('GIVEN a RuntimeLayer WHEN used by a plain lambda.Function THEN it is an ordinary ILayerVersion', () => {
    const stack = new Stack(newApp(), 'Stack');
    const tools = layer(stack, 'Tools');
    new lambda.Function(stack, 'Plain', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [tools] });
    expect(layerRefs(stack, 'Plain')).toEqual([stack.getLogicalId(tools.node.defaultChild as lambda.CfnLayerVersion)]);
  });
});

describe('FunctionWithLayers stack checks at synth', () => {
  test('GIVEN six layers WHEN synthesized THEN synth fails with the layer count rule, the numbers and the path', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const layers = ['L1', 'L2', 'L3', 'L4', 'L5', 'L6'].map((id) => layer(stack, id));

    // WHEN
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers });

    // THEN
    expect(() => app.synth()).toThrow(/Stack\/Fn.*LS-LAYER-COUNT.*6.*5/);
  });

  test('GIVEN five layers WHEN synthesized THEN synth succeeds', () => {
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const layers = ['L1', 'L2', 'L3', 'L4', 'L5'].map((id) => layer(stack, id));
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers });
    expect(() => app.synth()).not.toThrow();
  });

  test('GIVEN six layers of which one is for Node.js only WHEN synthesized THEN both problems are reported together', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const layers = ['L1', 'L2', 'L3', 'L4', 'L5'].map((id) => layer(stack, id));
    layers.push(layer(stack, 'NodeOnly', { 'nodejs/node_modules/x/index.js': '' }, { compatibleRuntimes: [lambda.Runtime.NODEJS_20_X] }));

    // WHEN
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers });

    // THEN
    let message = '';
    try {
      app.synth();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/LS-LAYER-COUNT/);
    expect(message).toMatch(/Stack\/Fn \(layer Stack\/NodeOnly\) LS-RUNTIME-COMPAT.*python3\.12/);
  });

  test('GIVEN an arm64 function and a layer with an x86_64 native binary WHEN synthesized THEN synth fails naming the binary', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const native = layer(stack, 'Native', { 'bin/tool': { content: elfHeader('x86_64'), mode: 0o755 } }, { compatibleArchitectures: [lambda.Architecture.X86_64] });

    // WHEN
    new FunctionWithLayers(stack, 'Fn', {
      runtime: lambda.Runtime.PYTHON_3_12, architecture: lambda.Architecture.ARM_64, handler: 'index.handler', code: inline, layers: [native],
    });

    // THEN
    expect(() => app.synth()).toThrow(/Stack\/Fn.*(LS-ARCH-COMPAT|LS-NATIVE-BINARY)/);
  });

  test('GIVEN two layers holding the same file WHEN synthesized THEN a warning names the path and the last layer as the winner', () => {
    // GIVEN
    const stack = new Stack(newApp(), 'Stack');
    const first = layer(stack, 'First', { 'bin/healthcheck': 'first\n' });
    const second = layer(stack, 'Second', { 'bin/healthcheck': 'second\n' });

    // WHEN
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [first, second] });

    // THEN
    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Fn', Match.stringLikeRegexp('LS-SHADOWED-FILE'));
    expect(warnings).toHaveLength(1);
    const text = JSON.stringify(warnings[0].entry.data);
    expect(text).toMatch(/bin\/healthcheck/);
    expect(text).toMatch(/Stack\/Second/);
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  test('GIVEN function code of 262,144,000 bytes plus a layer WHEN synthesized THEN the unzipped budget counts the code and fails', () => {
    // GIVEN: a sparse file, so the test writes no real 250 MiB
    const codeDir = tempDir('ls-code-');
    fs.writeFileSync(path.join(codeDir, 'index.py'), 'def handler(e, c):\n    return e\n');
    const big = path.join(codeDir, 'model.bin');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 262_144_000);
    const app = new App({ outdir: tempDir('ls-cdkout-'), context: { 'aws:cdk:disable-asset-staging': true } });
    const stack = new Stack(app, 'Stack');
    const tools = layer(stack, 'Tools');

    // WHEN
    const fn = new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromAsset(codeDir), layers: [tools] });

    // THEN
    expect(fn.codeSize).toBe(262_144_000 + fs.statSync(path.join(codeDir, 'index.py')).size);
    expect(fn.analyze().budget.usedBytes).toBe(fn.codeSize! + tools.manifest!.zip.unzippedSize);
    expect(() => app.synth()).toThrow(/Stack\/Fn.*LS-UNZIPPED-BUDGET.*262,144,000/);
  });

  test('GIVEN a layer imported by ARN WHEN synthesized THEN synth passes and an info says which checks were skipped', () => {
    // GIVEN
    const stack = new Stack(newApp(), 'Stack');
    const imported = RuntimeLayer.fromLayerVersionArn(stack, 'Ext', 'arn:aws:lambda:eu-west-1:123456789012:layer:ext:3');

    // WHEN
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [imported] });

    // THEN
    const infos = Annotations.fromStack(stack).findInfo('/Stack/Fn', Match.stringLikeRegexp('LS-UNKNOWN-LAYER'));
    expect(infos).toHaveLength(1);
    expect(JSON.stringify(infos[0].entry.data)).toMatch(/arn:aws:lambda:eu-west-1:123456789012:layer:ext:3/);
  });

  test('GIVEN bundling skipped for the stack WHEN synthesized THEN content checks are reported as skipped, and content-free rules still run', () => {
    // GIVEN
    const define = (runtime: lambda.Runtime) => {
      const app = newApp({ 'aws:cdk:bundling-stacks': [] });
      const stack = new Stack(app, 'Stack');
      const tools = layer(stack, 'Tools', { 'bin/tool': 'x\n' }, { compatibleRuntimes: [runtime] });
      new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [tools] });
      return { app, stack };
    };

    // WHEN
    const compatible = define(lambda.Runtime.PYTHON_3_12);
    const incompatible = define(lambda.Runtime.NODEJS_22_X);

    // THEN
    const infos = Annotations.fromStack(compatible.stack).findInfo('/Stack/Fn', Match.stringLikeRegexp('LS-UNKNOWN-LAYER'));
    expect(infos.map((i) => String(i.entry.data))).toEqual([expect.stringMatching(/Bundling is skipped for this stack.*Stack\/Tools were not built/)]);
    expect(() => incompatible.app.synth()).toThrow(/Stack\/Fn \(layer Stack\/Tools\) LS-RUNTIME-COMPAT/);
  });

  test('GIVEN the same layer twice in one stack (two versions of one ARN) WHEN synthesized THEN synth fails with the duplicate rule', () => {
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const v3 = RuntimeLayer.fromLayerVersionArn(stack, 'V3', 'arn:aws:lambda:eu-west-1:123456789012:layer:ext:3');
    const v4 = RuntimeLayer.fromLayerVersionArn(stack, 'V4', 'arn:aws:lambda:eu-west-1:123456789012:layer:ext:4');
    new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [v3, v4] });
    expect(() => app.synth()).toThrow(/Stack\/Fn.*LS-DUPLICATE-LAYER/);
  });
});

describe('FunctionWithLayers versions and records', () => {
  test('GIVEN currentVersion WHEN a layer\'s content changes THEN the function version changes too', () => {
    // GIVEN
    const versionId = (content: string) => {
      const stack = new Stack(newApp({ [RECOGNIZE_LAYER_VERSION]: true }), 'Stack');
      const tools = layer(stack, 'Tools', { 'bin/tool': content });
      const fn = new FunctionWithLayers(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: inline, layers: [tools] });
      new CfnOutput(stack, 'Version', { value: fn.currentVersion.version });
      // The version's logical id carries the function hash.
      return Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Version'));
    };

    // WHEN
    const a = versionId('one\n');
    const again = versionId('one\n');
    const b = versionId('two\n');

    // THEN
    expect(a).toHaveLength(1);
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
  });

  test('GIVEN a function WHEN synthesized THEN its record lists the stack in order with input keys and ARNs, and the findings', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const first = layer(stack, 'First', { 'bin/healthcheck': 'first\n' });
    const imported = RuntimeLayer.fromLayerVersionArn(stack, 'Ext', 'arn:aws:lambda:eu-west-1:123456789012:layer:ext:3');
    const second = layer(stack, 'Second', { 'bin/healthcheck': 'second\n' });
    new FunctionWithLayers(stack, 'Fn', {
      runtime: lambda.Runtime.PYTHON_3_12, architecture: lambda.Architecture.ARM_64, handler: 'index.handler', code: inline, layers: [first, imported, second],
    });

    // WHEN
    const outdir = app.synth().directory;

    // THEN
    const record = readAssemblyRecords(outdir).find((r) => r.kind === 'function') as FunctionRecord;
    expect(record).toMatchObject({
      path: 'Stack/Fn',
      stack: 'Stack',
      runtime: 'python3.12',
      architecture: 'arm64',
      codeSize: Buffer.byteLength('def handler(event, context):\n    return event\n'),
      layers: [
        { layerId: 'Stack/First', layerPath: 'Stack/First', inputKey: first.inputKey },
        { layerId: 'arn:aws:lambda:eu-west-1:123456789012:layer:ext', arn: 'arn:aws:lambda:eu-west-1:123456789012:layer:ext:3' },
        { layerId: 'Stack/Second', layerPath: 'Stack/Second', inputKey: second.inputKey },
      ],
    });
    expect(record.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['LS-SHADOWED-FILE', 'LS-UNKNOWN-LAYER']));
  });

  test('GIVEN a container image function WHEN given layers THEN it throws with the path and the fix', () => {
    const stack = new Stack(newApp(), 'Stack');
    const tools = RuntimeLayer.fromLayerVersionArn(stack, 'Ext', 'arn:aws:lambda:eu-west-1:123456789012:layer:ext:3');
    expect(() => new FunctionWithLayers(stack, 'Fn', {
      runtime: lambda.Runtime.FROM_IMAGE, handler: lambda.Handler.FROM_IMAGE, code: lambda.Code.fromEcrImage(ecr.Repository.fromRepositoryName(stack, 'Repo', 'r')), layers: [tools],
    })).toThrow(/Stack\/Fn: container image functions cannot use layers/);
  });
});
