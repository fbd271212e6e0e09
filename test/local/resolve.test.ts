import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { dirWith, isolateBuilds } from './apps';
import { FunctionWithLayers, LayerSource, RuntimeLayer } from '../../lib/aws-cdk';
import { UsageError } from '../../lib/cli/errors';
import { invokeLocally, resolveFunction } from '../../lib/local';
import { cleanupTempDirs, makeTempDir } from '../helpers';

beforeAll(isolateBuilds);
afterAll(cleanupTempDirs);

const INLINE = 'import os\ndef handler(event, context):\n    return {"bucket": os.environ.get("BUCKET"), "plain": os.environ.get("PLAIN")}\n';

let outdir: string;
beforeAll(() => {
  outdir = makeTempDir();
  const app = new App({ outdir });
  const stack = new Stack(app, 'Shop');
  const bucket = new s3.Bucket(stack, 'Data');
  const layer = new RuntimeLayer(stack, 'Base', {
    source: LayerSource.fromDirectory(dirWith({ 'python/base.py': 'X = 1\n' })), compatibleRuntimes: [lambda.Runtime.PYTHON_3_11],
  });
  const imported = RuntimeLayer.fromLayerVersionArn(stack, 'Shared', 'arn:aws:lambda:us-east-1:123456789012:layer:shared:3');
  for (const team of ['Billing', 'Shipping']) {
    new FunctionWithLayers(new Construct(stack, team), 'Orders', {
      runtime: lambda.Runtime.PYTHON_3_11,
      handler: 'index.handler',
      code: lambda.Code.fromInline(INLINE),
      layers: [layer],
      environment: { BUCKET: bucket.bucketName, PLAIN: 'yes' },
    });
  }
  new FunctionWithLayers(stack, 'UsesImported', {
    runtime: lambda.Runtime.PYTHON_3_11, handler: 'index.handler', code: lambda.Code.fromInline(INLINE), layers: [layer, imported],
  });
  app.synth();
});

describe('resolveFunction', () => {
  test('GIVEN a suffix two functions share WHEN resolved THEN a UsageError lists both', () => {
    expect(() => resolveFunction(outdir, 'Orders')).toThrow(UsageError);
    expect(() => resolveFunction(outdir, 'Orders')).toThrow(/^function 'Orders' matches 2 functions in .*: Shop\/Billing\/Orders, Shop\/Shipping\/Orders; give more of the construct path$/);
  });

  test('GIVEN a longer suffix WHEN resolved THEN the one function, its inline code, and deploy-time variables left out', () => {
    // WHEN
    const fn = resolveFunction(outdir, 'Billing/Orders');

    // THEN
    expect(fn.path).toBe('Shop/Billing/Orders');
    expect(fn.code).toEqual({ kind: 'inline', text: INLINE });
    expect(fn.environment).toEqual({ PLAIN: 'yes' });
    expect(fn.omittedEnvironment).toEqual(['BUCKET']);
    expect(fn.layers.map((l) => l.name)).toEqual(['Shop/Base']);
    expect([fn.memoryMb, fn.timeoutSeconds]).toEqual([128, 3]);
  });

  test('GIVEN inline code WHEN invoked THEN it runs as index.py, with the literal variables and the omitted ones given by --env', async () => {
    const result = await invokeLocally({ assembly: outdir, function: 'Shipping/Orders', env: { BUCKET: 'local-bucket' }, tempDir: makeTempDir(), timeoutSeconds: 60 });
    expect(result.result).toEqual({ bucket: 'local-bucket', plain: 'yes' });
    expect(result.omittedEnvironment).toEqual(['BUCKET']);
  });

  test('GIVEN a layer imported by ARN WHEN resolved THEN a UsageError points at the plain inputs', () => {
    expect(() => resolveFunction(outdir, 'UsesImported')).toThrow(
      /^function Shop\/UsesImported: layer 2 \(arn:aws:lambda:us-east-1:123456789012:layer:shared:3\) is imported by ARN.*--layer <zip>/,
    );
  });

  test('GIVEN an assembly without any FunctionWithLayers WHEN resolved THEN a UsageError says so', () => {
    const empty = makeTempDir();
    const app = new App({ outdir: empty });
    new lambda.Function(new Stack(app, 'Plain'), 'Fn', { runtime: lambda.Runtime.PYTHON_3_11, handler: 'index.handler', code: lambda.Code.fromInline(INLINE) });
    app.synth();
    expect(() => resolveFunction(empty, 'Fn')).toThrow(/holds no layersmith FunctionWithLayers; synthesize an app that declares one$/);
  });
});
