import { execFileSync } from 'child_process';
import * as ros from '@alicloud/ros-cdk-core';
import { annotations, cleanupTmp, isolateCache, layerDir, makeApp, onlyResource, synthTemplate } from './helpers';
import { readAssemblyRecords } from '../../lib/core/assembly';
import type { FunctionRecord } from '../../lib/core/assembly';
import { FunctionWithLayers, LayerSource, RuntimeLayer } from '../../lib/ros-cdk';
import type { ILayerVersion } from '../../lib/ros-cdk';

beforeAll(isolateCache);
afterAll(cleanupTmp);

const FUNCTION_TYPE = 'ALIYUN::FC3::Function';
const OFFICIAL_PY310 = 'acs:fc:cn-hangzhou:official:layers/Python310/versions/2';

function layer(scope: ros.Construct, id: string, files: Record<string, string>, runtimes = ['python3.10']): RuntimeLayer {
  return new RuntimeLayer(scope, id, {
    source: LayerSource.fromDirectory(layerDir(files)),
    compatibleRuntimes: runtimes,
    layerName: id.toLowerCase(),
  });
}

function fnProps(layers: ILayerVersion[], runtime = 'python3.10') {
  return {
    functionName: 'orders',
    handler: 'index.handler',
    runtime,
    memorySize: 512,
    code: { ossBucketName: 'code-bucket', ossObjectName: 'orders.zip' },
    layers,
  };
}

function getAttOf(template: any, layerPath: RuntimeLayer): { 'Fn::GetAtt': [string, string] } {
  const logicalId = Object.keys(template.Resources).find((id) => id.startsWith(layerPath.node.id) && template.Resources[id].Type === 'ALIYUN::FC3::LayerVersion');
  return { 'Fn::GetAtt': [logicalId!, 'LayerVersionArn'] };
}

describe('FunctionWithLayers', () => {
  test('GIVEN layers built here and one imported WHEN synthesized THEN Layers holds exactly the declared order', () => {
    // GIVEN
    const t = makeApp();
    const c = layer(t.stack, 'Charlie', { 'python/c.py': 'C = 1\n' });
    const a = layer(t.stack, 'Alpha', { 'python/a.py': 'A = 1\n' });
    const official = RuntimeLayer.fromLayerVersionArn(t.stack, 'Official', OFFICIAL_PY310);
    const b = layer(t.stack, 'Bravo', { 'python/b.py': 'B = 1\n' });
    new FunctionWithLayers(t.stack, 'Orders', fnProps([c, official, a, b]));

    // WHEN
    const template = synthTemplate(t);

    // THEN
    const { logicalId, resource } = onlyResource(template, FUNCTION_TYPE);
    expect(logicalId).toBe('Orders');
    expect(resource.Metadata).toEqual({ 'aliyun:ros:path': 'LayersStack/Orders/Orders/Orders' });
    expect(resource.Properties.Layers).toEqual([getAttOf(template, c), OFFICIAL_PY310, getAttOf(template, a), getAttOf(template, b)]);
    expect(resource.Properties).toEqual(expect.objectContaining({
      FunctionName: 'orders',
      Handler: 'index.handler',
      Runtime: 'python3.10',
      MemorySize: 512,
      Code: { OssBucketName: 'code-bucket', OssObjectName: 'orders.zip' },
    }));
  });

  test('GIVEN no layers WHEN synthesized THEN the function has no Layers property (ROS rejects an empty list)', () => {
    const t = makeApp();
    new FunctionWithLayers(t.stack, 'Bare', fnProps([]));
    expect(onlyResource(synthTemplate(t), FUNCTION_TYPE).resource.Properties.Layers).toBeUndefined();
  });

  test('GIVEN six layers WHEN synthesized THEN synth fails with the count, the limit and the construct path', () => {
    // GIVEN
    const t = makeApp();
    const layers = Array.from({ length: 6 }, (_, i) => layer(t.stack, `L${i}`, { [`python/m${i}.py`]: `X = ${i}\n` }));
    new FunctionWithLayers(t.stack, 'Crowded', fnProps(layers));

    // WHEN / THEN
    expect(() => t.app.synth()).toThrow(/LayersStack\/Crowded[\s\S]*LS-LAYER-COUNT[\s\S]*6[\s\S]*5/);
  });

  test('GIVEN five layers WHEN synthesized THEN the count is within the limit', () => {
    const t = makeApp();
    const layers = Array.from({ length: 5 }, (_, i) => layer(t.stack, `L${i}`, { [`python/m${i}.py`]: `X = ${i}\n` }));
    new FunctionWithLayers(t.stack, 'Full', fnProps(layers));
    expect(onlyResource(synthTemplate(t), FUNCTION_TYPE).resource.Properties.Layers).toHaveLength(5);
  });

  test('GIVEN two layers holding the same file WHEN synthesized THEN a warning says the FIRST layer wins on FC', () => {
    // GIVEN
    const t = makeApp();
    const first = layer(t.stack, 'First', { 'python/settings.py': 'WHO = "first"\n' });
    const second = layer(t.stack, 'Second', { 'python/settings.py': 'WHO = "second"\n' });
    const fn = new FunctionWithLayers(t.stack, 'Shadowed', fnProps([first, second]));

    // WHEN
    synthTemplate(t);

    // THEN
    expect(fn.report.shadowed).toEqual([expect.objectContaining({ path: 'python/settings.py', winner: 'LayersStack/First' })]);
    const warnings = annotations(t.outdir, 'aliyun:ros:warning').filter(([p]) => p === '/LayersStack/Shadowed');
    expect(warnings.map(([, m]) => m).join('\n'))
      .toMatch(/LS-SHADOWED-FILE[\s\S]*hidden by layer LayersStack\/First[\s\S]*first layer[\s\S]*python\/settings\.py/);
  });

  test('GIVEN a layer declared for another runtime WHEN synthesized THEN synth fails naming both runtimes (FC rejects a runtime the layer does not list)', () => {
    // GIVEN
    const t = makeApp();
    const older = layer(t.stack, 'Older', { 'python/o.py': 'O = 1\n' }, ['python3.9']);
    new FunctionWithLayers(t.stack, 'Py', fnProps([older]));

    // WHEN / THEN
    expect(() => t.app.synth()).toThrow(/\[LayersStack\/Py\][\s\S]*LS-RUNTIME-COMPAT[\s\S]*python3\.9[\s\S]*python3\.10/);
  });

  test('GIVEN a Node.js layer on a Python function WHEN synthesized THEN synth fails with the layout Python needs', () => {
    const t = makeApp();
    const nodeOnly = layer(t.stack, 'NodeOnly', { 'nodejs/node_modules/x/index.js': 'module.exports = 1;\n' }, ['nodejs20']);
    new FunctionWithLayers(t.stack, 'Py', fnProps([nodeOnly]));
    expect(() => t.app.synth()).toThrow(/\[LayersStack\/Py\][\s\S]*LS-LAYOUT[\s\S]*LayersStack\/NodeOnly[\s\S]*python\//);
  });

  test('GIVEN a custom-container function with a layer WHEN synthesized THEN synth fails: such functions cannot attach layers', () => {
    const t = makeApp();
    const py = layer(t.stack, 'Py', { 'python/p.py': 'P = 1\n' });
    new FunctionWithLayers(t.stack, 'Container', fnProps([py], 'custom-container'));
    expect(() => t.app.synth()).toThrow(/LayersStack\/Container[\s\S]*LS-RUNTIME-COMPAT[\s\S]*custom-container/);
  });

  test('GIVEN the same layer attached twice WHEN synthesized THEN synth fails', () => {
    const t = makeApp();
    const once = layer(t.stack, 'Once', { 'python/o.py': 'O = 1\n' });
    new FunctionWithLayers(t.stack, 'Twice', fnProps([once, once]));
    expect(() => t.app.synth()).toThrow(/LayersStack\/Twice[\s\S]*LS-DUPLICATE-LAYER/);
  });

  test('GIVEN a custom runtime WHEN synthesized THEN an info finding lists the variables to set, and nothing is set', () => {
    // GIVEN
    const t = makeApp();
    const py = layer(t.stack, 'Py', { 'python/p.py': 'P = 1\n' }, ['custom.debian10']);
    const fn = new FunctionWithLayers(t.stack, 'Custom', fnProps([py], 'custom.debian10'));

    // WHEN
    const template = synthTemplate(t);

    // THEN
    const info = fn.findings.find((f) => f.ruleId === 'LS-CUSTOM-RUNTIME-ENV');
    expect(info).toEqual(expect.objectContaining({ severity: 'info' }));
    expect(info!.fix).toContain('PYTHONPATH=/opt/python');
    expect(annotations(t.outdir, 'aliyun:ros:info').some(([p, m]) => p === '/LayersStack/Custom' && m.includes('LS-CUSTOM-RUNTIME-ENV'))).toBe(true);
    expect(onlyResource(template, FUNCTION_TYPE).resource.Properties.EnvironmentVariables).toBeUndefined();
  });

  test('GIVEN a custom runtime and setLayerEnvironment WHEN synthesized THEN the variables are set and the user\'s own values win', () => {
    // GIVEN
    const t = makeApp();
    const py = layer(t.stack, 'Py', { 'python/p.py': 'P = 1\n', 'lib/libx.txt': 'x' }, ['custom.debian10']);
    const nodeLayer = layer(t.stack, 'Node', { 'nodejs/node_modules/n/index.js': 'module.exports = 1;\n' }, ['custom.debian10']);
    new FunctionWithLayers(t.stack, 'Custom', {
      ...fnProps([py, nodeLayer], 'custom.debian10'),
      environmentVariables: { LD_LIBRARY_PATH: '/code/lib:/opt/lib', STAGE: 'prod' },
      setLayerEnvironment: true,
    });

    // WHEN
    const env = onlyResource(synthTemplate(t), FUNCTION_TYPE).resource.Properties.EnvironmentVariables;

    // THEN
    expect(env).toEqual({
      PYTHONPATH: '/opt/python',
      NODE_PATH: '/opt/nodejs/node_modules',
      LD_LIBRARY_PATH: '/code/lib:/opt/lib',
      STAGE: 'prod',
    });
  });

  test('GIVEN setLayerEnvironment with environment variables given as a token WHEN the function is created THEN it fails asking for a plain object', () => {
    const t = makeApp();
    const py = layer(t.stack, 'Py', { 'python/p.py': 'P = 1\n' }, ['custom.debian10']);
    const env = new ros.RosParameter(t.stack, 'Env', { type: ros.RosParameterType.JSON }).valueAsAny;
    expect(() => new FunctionWithLayers(t.stack, 'Tokened', { ...fnProps([py], 'custom.debian10'), environmentVariables: env, setLayerEnvironment: true }))
      .toThrow(/LayersStack\/Tokened: setLayerEnvironment needs environmentVariables as a plain object/);
  });

  test('GIVEN a built-in runtime and setLayerEnvironment WHEN synthesized THEN no variable is added (FC already searches the layer paths)', () => {
    const t = makeApp();
    const py = layer(t.stack, 'Py', { 'python/p.py': 'P = 1\n' });
    new FunctionWithLayers(t.stack, 'Builtin', { ...fnProps([py]), setLayerEnvironment: true });
    expect(onlyResource(synthTemplate(t), FUNCTION_TYPE).resource.Properties.EnvironmentVariables).toBeUndefined();
  });

  test('GIVEN a runtime given as a token WHEN the function is created THEN it fails asking for a literal', () => {
    const t = makeApp();
    const runtime = new ros.RosParameter(t.stack, 'Runtime', { type: ros.RosParameterType.STRING }).valueAsString;
    expect(() => new FunctionWithLayers(t.stack, 'Tokened', fnProps([], runtime))).toThrow(/LayersStack\/Tokened: runtime must be a literal/);
  });

  test('GIVEN a function prop ROS rejects WHEN synthesized THEN ros-cdk-fc3\'s own validator still runs on what we emit', () => {
    const t = makeApp();
    new FunctionWithLayers(t.stack, 'Tiny', { ...fnProps([]), memorySize: 64 });
    expect(() => t.app.synth()).toThrow(/memorySize/);
  });

  test('GIVEN a function with layers WHEN synthesized THEN a function record lists the stack in order with the findings', () => {
    // GIVEN
    const t = makeApp();
    const mine = layer(t.stack, 'Mine', { 'python/m.py': 'M = 1\n' });
    const official = RuntimeLayer.fromLayerVersionArn(t.stack, 'Official', OFFICIAL_PY310);
    new FunctionWithLayers(t.stack, 'Recorded', { ...fnProps([official, mine]), codeSize: 1234 });

    // WHEN
    synthTemplate(t);

    // THEN
    const record = readAssemblyRecords(t.outdir).find((r) => r.kind === 'function') as FunctionRecord;
    expect(record).toEqual(expect.objectContaining({
      platform: 'alicloud',
      framework: 'ros-cdk',
      stack: 'LayersStack',
      path: 'LayersStack/Recorded',
      runtime: 'python3.10',
      architecture: 'x86_64',
      codeSize: 1234,
    }));
    expect(record.layers).toEqual([
      expect.objectContaining({ arn: OFFICIAL_PY310, displayName: OFFICIAL_PY310 }),
      expect.objectContaining({ layerPath: 'LayersStack/Mine', inputKey: mine.inputKey }),
    ]);
    expect(record.findings.every((f) => f.severity !== 'error')).toBe(true);
    expect(record.findings.some((f) => f.ruleId === 'LS-UNKNOWN-LAYER')).toBe(true);
  });

  test('GIVEN inline code.zipFile WHEN constructed THEN codeSize is measured from the ZIP, and an explicit codeSize wins', () => {
    // GIVEN a real ZIP (made by Python's zipfile) holding 43 bytes of handler code
    const zipFile = execFileSync('python3', ['-c', [
      'import base64, io, sys, zipfile',
      'b = io.BytesIO()',
      "z = zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED); z.writestr('index.py', 'def handler(event, context):\\n    return 1\\n'); z.close()",
      'sys.stdout.write(base64.b64encode(b.getvalue()).decode())',
    ].join('\n')], { encoding: 'utf8' });
    const t = makeApp();

    // WHEN
    const measured = new FunctionWithLayers(t.stack, 'Inline', { ...fnProps([]), code: { zipFile } });
    const given = new FunctionWithLayers(t.stack, 'Given', { ...fnProps([]), code: { zipFile }, codeSize: 7 });

    // THEN
    expect(measured.report.budget.usedBytes).toBe(Buffer.byteLength('def handler(event, context):\n    return 1\n'));
    expect(given.report.budget.usedBytes).toBe(7);
  });

  test('GIVEN inline code.zipFile that is not a ZIP WHEN constructed THEN it fails with the path and the fix', () => {
    const t = makeApp();
    expect(() => new FunctionWithLayers(t.stack, 'Broken', { ...fnProps([]), code: { zipFile: Buffer.from('not a zip').toString('base64') } }))
      .toThrow(/^LayersStack\/Broken: cannot read the function code to measure its unzipped size: .*Fix: give a valid ZIP or directory, or set codeSize\./);
  });
});
