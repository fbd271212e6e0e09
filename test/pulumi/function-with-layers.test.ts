import * as pulumi from '@pulumi/pulumi';
import { TempTree } from './fixtures';
import { CapturedResource, installMocks, ofType, valueOf } from './mocks';
import { FunctionWithLayers, LayerSource, RuntimeLayer } from '../../lib/pulumi';

let captured: CapturedResource[];
let tree: TempTree;
let warn: jest.SpyInstance;
let info: jest.SpyInstance;

beforeAll(async () => {
  captured = await installMocks();
  tree = new TempTree();
});
afterAll(() => tree.cleanup());
beforeEach(() => {
  captured.splice(0);
  // Without an engine, Pulumi prints diagnostics to the console: that is what we observe.
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  info = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  warn.mockRestore();
  info.mockRestore();
});

function layer(name: string, platform: 'aws' | 'alicloud', files: Record<string, string>, runtimes: string[]): RuntimeLayer {
  return new RuntimeLayer(name, {
    platform,
    source: LayerSource.fromDirectory(tree.dir(`${platform}-${name}`, files)),
    compatibleRuntimes: runtimes,
    cacheDir: tree.path('cache'),
  });
}

const OTHER_ACCOUNT_LAYER = 'arn:aws:lambda:us-east-1:210987654321:layer:vendor-extension:12';

describe('FunctionWithLayers on AWS', () => {
  test('declares aws.lambda.Function with layers in exactly the declared order and warns about shadowed files', async () => {
    // GIVEN two of our layers that both hold python/config.py, and another account's layer between them
    const base = layer('base', 'aws', { 'python/config.py': 'LEVEL = "base"\n', 'python/base.py': '' }, ['python3.12']);
    const overrides = layer('overrides', 'aws', { 'python/config.py': 'LEVEL = "override"\n' }, ['python3.12']);
    const codeDir = tree.dir('aws-code', { 'handler.py': 'def handler(e, c):\n    return 1\n' });

    // WHEN the function is declared with [base, vendor, overrides]
    const fn = new FunctionWithLayers('api', {
      platform: 'aws',
      layers: [base, OTHER_ACCOUNT_LAYER, overrides],
      function: {
        runtime: 'python3.12',
        handler: 'handler.handler',
        role: 'arn:aws:iam::123456789012:role/api',
        code: new pulumi.asset.FileArchive(codeDir),
        architectures: ['x86_64'],
        memorySize: 256,
      },
    });
    const arn = await valueOf(fn.arn);
    const report = await valueOf(fn.report);

    // THEN the provider gets the ARNs in the declared order, and the other inputs unchanged
    const [lambda] = ofType(captured, 'aws:lambda/function:Function');
    expect(lambda.parent).toBe('api');
    expect(lambda.parentType).toBe('layersmith:aws:FunctionWithLayers');
    expect(lambda.inputs.layers).toEqual([
      'arn:aws:lambda:us-east-1:123456789012:layer:base:7',
      OTHER_ACCOUNT_LAYER,
      'arn:aws:lambda:us-east-1:123456789012:layer:overrides:7',
    ]);
    expect(lambda.inputs).toMatchObject({ runtime: 'python3.12', handler: 'handler.handler', architectures: ['x86_64'], memorySize: 256 });
    expect(await valueOf(fn.layerArns)).toEqual(lambda.inputs.layers);
    expect(arn).toBe('arn:aws:lambda:us-east-1:123456789012:function:api');
    // On AWS the LAST layer wins: overrides hides base's copy.
    expect(report.shadowed).toEqual([{ path: 'python/config.py', layers: ["RuntimeLayer 'base'", "RuntimeLayer 'overrides'"], winner: "RuntimeLayer 'overrides'" }]);
    expect(report.errors).toEqual([]);
    const warnings = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(warnings).toContain("FunctionWithLayers 'api'");
    expect(warnings).toContain('LS-SHADOWED-FILE');
    // The function's own code is measured for the size budget (directory FileArchive).
    const codeBytes = 'def handler(e, c):\n    return 1\n'.length;
    const layerBytes = (await valueOf(base.artifact)).manifest.zip.unzippedSize + (await valueOf(overrides.artifact)).manifest.zip.unzippedSize;
    expect(report.budget.usedBytes).toBe(codeBytes + layerBytes);
    expect(report.budget.unknownLayers).toBe(1);
  });

  test('arm64 functions get architectures [arm64] and a layer declared for arm64', async () => {
    const armLayer = new RuntimeLayer('arm-tools', {
      platform: 'aws',
      source: LayerSource.fromDirectory(tree.dir('arm', { 'bin/hello': '#!/bin/sh\necho hi\n' })),
      compatibleRuntimes: ['provided.al2023'],
      compatibleArchitectures: ['arm64'],
      cacheDir: tree.path('cache'),
    });
    const fn = new FunctionWithLayers('arm-fn', {
      platform: 'aws',
      layers: [armLayer],
      function: { runtime: 'provided.al2023', handler: 'bootstrap', role: 'arn:aws:iam::123456789012:role/x', architectures: ['arm64'] },
    });
    await valueOf(fn.arn);
    const [lambda] = ofType(captured, 'aws:lambda/function:Function');
    expect(lambda.inputs.architectures).toEqual(['arm64']);
    expect(lambda.inputs.layers).toEqual(['arn:aws:lambda:us-east-1:123456789012:layer:arm-tools:7']);
  });
});

describe('FunctionWithLayers on Alibaba FC', () => {
  test('declares alicloud.fc.V3Function with layers in order; on FC the FIRST layer wins', async () => {
    // GIVEN two FC layers holding the same file and an official layer by ARN
    const first = layer('first', 'alicloud', { 'python/settings.py': 'A = 1\n' }, ['python3.10']);
    const second = layer('second', 'alicloud', { 'python/settings.py': 'A = 2\n' }, ['python3.10']);
    const official = 'acs:fc:cn-hangzhou:official:layers/Python310-Aliyun-SDK/versions/2';

    // WHEN
    const fn = new FunctionWithLayers('fc-api', {
      platform: 'alicloud',
      layers: [first, second, official],
      function: { runtime: 'python3.10', handler: 'index.handler', functionName: 'fc-api', memorySize: 512, code: { zipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' } },
    });
    await valueOf(fn.arn);
    const report = await valueOf(fn.report);

    // THEN
    const [fcFunction] = ofType(captured, 'alicloud:fc/v3Function:V3Function');
    expect(fcFunction.parentType).toBe('layersmith:alicloud:FunctionWithLayers');
    expect(fcFunction.inputs.layers).toEqual([
      'acs:fc:cn-hangzhou:1234567890123456:layers/first/versions/3',
      'acs:fc:cn-hangzhou:1234567890123456:layers/second/versions/3',
      official,
    ]);
    expect(fcFunction.inputs).toMatchObject({ runtime: 'python3.10', handler: 'index.handler', memorySize: 512 });
    expect(fcFunction.inputs.architectures).toBeUndefined();
    expect(report.shadowed).toEqual([{ path: 'python/settings.py', layers: ["RuntimeLayer 'first'", "RuntimeLayer 'second'"], winner: "RuntimeLayer 'first'" }]);
    expect(await valueOf(fn.functionName)).toBe('fc-api');
  });
});

describe('FunctionWithLayers refusals at construction', () => {
  const awsFn = { runtime: 'python3.12', handler: 'h.h', role: 'arn:aws:iam::123456789012:role/r' };
  test.each([
    ['an unknown platform', () => ({ platform: 'azure', layers: [], function: awsFn }), /FunctionWithLayers 'bad': unknown platform "azure"/],
    ['a runtime that is not a plain string', () => ({ platform: 'aws', layers: [], function: { ...awsFn, runtime: pulumi.output('python3.12') } }), /function\.runtime must be a plain string/],
    ['two architectures', () => ({ platform: 'aws', layers: [], function: { ...awsFn, architectures: ['x86_64', 'arm64'] } }), /function\.architectures must be \['x86_64'\] or \['arm64'\]/],
    ['layers that are not an array', () => ({ platform: 'aws', layers: 'x', function: awsFn }), /'layers' must be an array/],
    ['a malformed layer ARN', () => ({ platform: 'aws', layers: ['arn:aws:lambda:us-east-1:12345:layer:x:1'], function: awsFn }), /FunctionWithLayers 'bad': layers\[0\]: .*arn:aws:lambda:us-east-1:12345:layer:x:1/],
    ['an FC ARN on AWS', () => ({ platform: 'aws', layers: ['acs:fc:cn-hangzhou:official:layers/X/versions/1'], function: awsFn }), /FunctionWithLayers 'bad': layers\[0\]/],
    ['something that is not a layer', () => ({ platform: 'aws', layers: [42], function: awsFn }), /layers\[0\] is neither a RuntimeLayer nor a layer version ARN/],
  ])('%s', async (_what, makeArgs, message) => {
    expect(() => new FunctionWithLayers('bad', makeArgs() as any)).toThrow(message);
    // Nothing was registered, not even the component.
    await new Promise((r) => setTimeout(r, 50));
    expect(captured).toEqual([]);
  });

  test('a layer built for the other platform', async () => {
    const fcLayer = layer('fc-only', 'alicloud', { 'python/x.py': '' }, ['python3.12']);
    expect(() => new FunctionWithLayers('mixed', { platform: 'aws', layers: [fcLayer], function: awsFn }))
      .toThrow("FunctionWithLayers 'mixed': layers[0] RuntimeLayer 'fc-only' is a layer for 'alicloud' and cannot be attached to a function on 'aws'. Fix: create the layer with platform: 'aws'.");
    await valueOf(fcLayer.arn);
  });
});

describe('FunctionWithLayers setLayerEnvironment on an FC custom runtime', () => {
  test('sets the literal variables the layers need, and the user\'s own values win', async () => {
    // GIVEN a Python layer and a native-library layer on a custom runtime, which searches no layer directory
    const py = layer('env-py', 'alicloud', { 'python/mod.py': 'X = 1\n' }, ['custom.debian10']);
    const libs = layer('env-lib', 'alicloud', { 'lib/libx.so.txt': 'x\n' }, ['custom.debian10']);

    // WHEN the function asks for the layer environment and sets LD_LIBRARY_PATH itself
    const fn = new FunctionWithLayers('env-fn', {
      platform: 'alicloud',
      layers: [py, libs],
      setLayerEnvironment: true,
      function: { runtime: 'custom.debian10', handler: 'index.handler', environmentVariables: { LD_LIBRARY_PATH: '/code/lib', MODE: 'x' } },
    });
    await valueOf(fn.arn);

    // THEN PYTHONPATH comes from the layers and the user's variables are kept as given
    const [fcFunction] = ofType(captured, 'alicloud:fc/v3Function:V3Function');
    expect(fcFunction.inputs.environmentVariables).toEqual({ PYTHONPATH: '/opt/python', LD_LIBRARY_PATH: '/code/lib', MODE: 'x' });
  });
});

