import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { isolateBuilds, leftovers, namespaceAllowed, NODE_LAYER_FIXTURE, synthAws, dirWith } from './apps';
import { LayerSource } from '../../lib/aws-cdk';
import { LayerRecord, readAssemblyManifest, readAssemblyRecords } from '../../lib/core/assembly';
import { InvokeLocallyOptions, InvokeLocallyResult, invokeLocally } from '../../lib/local';
import { cleanupTempDirs, makeTempDir } from '../helpers';

beforeAll(isolateBuilds);
afterAll(cleanupTempDirs);

/** Run with its temporary directory in a fresh dir, and return what the run left there. */
async function invokeIn(options: InvokeLocallyOptions): Promise<{ result: InvokeLocallyResult; left: string[]; tempDir: string }> {
  const tempDir = makeTempDir();
  const result = await invokeLocally({ ...options, tempDir });
  return { result, left: leftovers(tempDir), tempDir };
}

function layerVersionOf(outdir: string, layerPath: string, ecosystem: string, name: string): string {
  const record = readAssemblyRecords(outdir).find((r): r is LayerRecord => r.kind === 'layer' && r.path === layerPath)!;
  const pkg = readAssemblyManifest(outdir, record)!.packages.find((p) => p.ecosystem === ecosystem && p.name === name);
  if (!pkg) throw new Error(`${layerPath} holds no ${ecosystem} package ${name}`);
  return pkg.version;
}

const SHADOW_HANDLER = [
  'import os, shared',
  'def handler(event, context):',
  '    return {',
  '        "who": shared.WHO,',
  '        "event": event,',
  '        "name": context.function_name,',
  '        "memory": context.memory_limit_in_mb,',
  '        "requestId": context.aws_request_id,',
  '        "remaining": context.get_remaining_time_in_millis(),',
  '        "optEnv": os.environ["LAYERSMITH_OPT"],',
  '        "fromOpt": open("/opt/data/who.txt").read() if os.path.exists("/opt/data/who.txt") else None,',
  '        "fromOptEnv": open(os.path.join(os.environ["LAYERSMITH_OPT"], "data/who.txt")).read(),',
  '        "stage": os.environ.get("STAGE"),',
  '    }',
  '',
].join('\n');

function shadowLayer(who: string): { source: LayerSource; runtimes: lambda.Runtime[] } {
  return {
    source: LayerSource.fromDirectory(dirWith({ 'python/shared/__init__.py': `WHO = '${who}'\n`, 'data/who.txt': who })),
    runtimes: [lambda.Runtime.PYTHON_3_11],
  };
}

describe('invokeLocally on a synthesized AWS CDK app', () => {
  let shadowApp: string;
  beforeAll(() => {
    shadowApp = synthAws({
      layers: { First: shadowLayer('first'), Last: shadowLayer('last') },
      functions: {
        Orders: {
          runtime: lambda.Runtime.PYTHON_3_11,
          handler: 'index.handler',
          code: { 'index.py': SHADOW_HANDLER },
          layers: ['First', 'Last'],
          environment: { STAGE: 'test' },
          memorySize: 256,
        },
      },
    });
  });

  test('GIVEN two layers holding one module WHEN invoked THEN the last layer\'s copy is imported (AWS), with the context and environment of the template', async () => {
    // WHEN
    const { result, left, tempDir } = await invokeIn({ assembly: shadowApp, function: 'Orders', event: { order: 7 } });

    // THEN
    expect(result.logs).toBe('');
    expect(result.ok).toBe(true);
    const value = result.result as Record<string, unknown>;
    expect(value.who).toBe('last');
    expect(value.event).toEqual({ order: 7 });
    expect(value.name).toMatch(/^Orders/);
    expect(value.memory).toBe('256');
    expect(value.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(value.remaining).toBeGreaterThan(0);
    expect(value.remaining).toBeLessThanOrEqual(60_000);
    expect(value.stage).toBe('test');
    expect(value.fromOptEnv).toBe('last');
    // LAYERSMITH_OPT names the materialized dir inside the run's temporary directory (gone now)
    expect(value.optEnv).toMatch(new RegExp(`^${tempDir}/layersmith-invoke-[^/]+/opt$`));
    expect(result.opt.shadowed.map((s) => [s.path, s.winner])).toEqual([['data/who.txt', 'Svc/Last'], ['python/shared/__init__.py', 'Svc/Last']]);
    expect(left).toEqual([]);
  });

  test('GIVEN the mode \'auto\' WHEN invoked THEN the layers are on /opt itself where this machine allows a private mount namespace, else the reason is given', async () => {
    // GIVEN whether this machine lets us bind a directory on /opt in a private mount namespace
    const allowed = namespaceAllowed();

    // WHEN
    const { result } = await invokeIn({ assembly: shadowApp, function: 'Svc/Orders' });

    // THEN the run says which mode it used, and /opt/... by absolute path reads the layer content in the namespace mode
    const value = result.result as Record<string, unknown>;
    if (allowed) {
      expect(result.mode).toBe('namespace');
      expect(result.modeReason).toBeUndefined();
      expect(value.fromOpt).toBe('last');
    } else {
      expect(result.mode).toBe('env');
      expect(result.modeReason).toMatch(/mount namespace is not allowed|unshare is not available|no \/opt/);
      expect(value.fromOpt).toBeNull();
    }
    expect(value.fromOptEnv).toBe('last');
    // and the machine's own /opt is untouched
    expect(fs.existsSync('/opt/data/who.txt')).toBe(false);
  });

  test.each([
    ['the option', { namespace: 'never' as const }, {}, '--no-namespace'],
    ['LAYERSMITH_NO_NAMESPACE=1', {}, { LAYERSMITH_NO_NAMESPACE: '1' }, 'LAYERSMITH_NO_NAMESPACE=1 is set'],
  ])('GIVEN the namespace mode turned off by %s WHEN invoked THEN only LAYERSMITH_OPT points at the layers and the reason is given', async (_how, extra, env, reason) => {
    // GIVEN
    Object.assign(process.env, env);
    try {
      // WHEN
      const { result, left } = await invokeIn({ assembly: shadowApp, function: 'Orders', ...extra });

      // THEN
      expect(result.mode).toBe('env');
      expect(result.modeReason).toContain(reason);
      const value = result.result as Record<string, unknown>;
      expect(value.fromOpt).toBeNull();
      expect(value.fromOptEnv).toBe('last');
      expect(value.who).toBe('last');
      expect(left).toEqual([]);
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  });

  test('GIVEN a python3.11 function whose layer holds real numpy WHEN invoked THEN it returns the numpy version the layer was built with', async () => {
    // GIVEN
    const outdir = synthAws({
      layers: { Numpy: { source: LayerSource.python({ packages: ['numpy'] }), runtimes: [lambda.Runtime.PYTHON_3_11] } },
      functions: {
        Stats: {
          runtime: lambda.Runtime.PYTHON_3_11,
          handler: 'app.handler',
          code: { 'app.py': 'import numpy\ndef handler(event, context):\n    print("computing")\n    return {"version": numpy.__version__, "sum": int(numpy.arange(5).sum()), "from": numpy.__file__}\n' },
          layers: ['Numpy'],
        },
      },
    });

    // WHEN
    const { result, left } = await invokeIn({ assembly: outdir, function: 'Stats' });

    // THEN numpy comes from the layer, not from this machine's site-packages
    expect(result.error).toBeUndefined();
    const value = result.result as { version: string; sum: number; from: string };
    expect(value.version).toBe(layerVersionOf(outdir, 'Svc/Numpy', 'python', 'numpy'));
    expect(value.sum).toBe(10);
    const optRoot = result.mode === 'namespace' ? '/opt' : undefined;
    expect(value.from).toMatch(optRoot ? /^\/opt\/python\/numpy\// : /\/layersmith-invoke-[^/]+\/opt\/python\/numpy\//);
    // the handler's print is a log, not part of the result
    expect(result.logs).toBe('computing\n');
    expect(result.interpreter.version.startsWith('3.11.')).toBe(true);
    expect(left).toEqual([]);
  });

  test('GIVEN a handler importing a package only this machine has WHEN invoked THEN it fails as on Lambda (no site-packages leak)', async () => {
    // GIVEN a package the local interpreter's site-packages hold, but no layer does
    const outdir = synthAws({
      layers: {},
      functions: {
        Leaky: { runtime: lambda.Runtime.PYTHON_3_11, handler: 'index.handler', code: { 'index.py': 'import pip\ndef handler(event, context):\n    return 1\n' }, layers: [] },
      },
    });

    // WHEN
    const { result } = await invokeIn({ assembly: outdir, function: 'Leaky' });

    // THEN
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({ type: 'ModuleNotFoundError', message: "No module named 'pip'" });
    expect(result.logs).toContain('Traceback (most recent call last)');
  });

  test('GIVEN a nodejs20.x function whose layer holds a real npm package WHEN invoked THEN the handler requires it through NODE_PATH', async () => {
    // GIVEN
    const outdir = synthAws({
      layers: { Deps: { source: LayerSource.node({ packageDir: NODE_LAYER_FIXTURE }), runtimes: [lambda.Runtime.NODEJS_20_X] } },
      functions: {
        Api: {
          runtime: lambda.Runtime.NODEJS_20_X,
          handler: 'index.handler',
          code: {
            'index.js': [
              "const isNumber = require('is-number');",
              "const version = require('is-number/package.json').version;",
              'exports.handler = async (event, context) => {',
              "  console.log('checking', event.value);",
              '  return { version, isNumber: isNumber(event.value), from: require.resolve(\'is-number\'),',
              '    name: context.functionName, memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis() };',
              '};',
              '',
            ].join('\n'),
          },
          layers: ['Deps'],
          memorySize: 512,
        },
      },
    });

    // WHEN
    const { result, left } = await invokeIn({ assembly: outdir, function: 'Api', event: { value: '42' } });

    // THEN
    expect(result.error).toBeUndefined();
    const value = result.result as Record<string, unknown>;
    expect(value.version).toBe(layerVersionOf(outdir, 'Svc/Deps', 'node', 'is-number'));
    expect(value.isNumber).toBe(true);
    expect(value.from).toMatch(result.mode === 'namespace' ? /^\/opt\/nodejs\/node_modules\/is-number\/index\.js$/ : /\/opt\/nodejs\/node_modules\/is-number\/index\.js$/);
    expect(value.name).toMatch(/^Api/);
    expect(value.memory).toBe('512');
    expect(value.remaining).toBeGreaterThan(0);
    expect(result.logs).toBe('checking 42\n');
    expect(result.interpreter.version.split('.')[0]).toBe('20');
    expect(left).toEqual([]);
  });

  test('GIVEN plain inputs (layer ZIPs, code dir) WHEN invoked THEN the order given is the deployed order', async () => {
    // GIVEN the layer ZIPs of the synthesized app, given in reverse order
    const zips = fs.readdirSync(shadowApp).filter((f) => /^asset\..*\.zip$/.test(f)).map((f) => path.join(shadowApp, f));
    expect(zips).toHaveLength(2);
    const code = dirWith({ 'index.py': SHADOW_HANDLER });

    // WHEN each order is run
    const whoWins = async (layers: string[]) => {
      const { result } = await invokeIn({ platform: 'aws', runtime: 'python3.11', handler: 'index.handler', code, layers, functionName: 'plain', memoryMb: 1024 });
      const value = result.result as Record<string, unknown>;
      expect(value.name).toBe('plain');
      expect(value.memory).toBe('1024');
      return value.who;
    };

    // THEN the last ZIP wins each time
    const forward = await whoWins(zips);
    const backward = await whoWins([...zips].reverse());
    expect(new Set([forward, backward])).toEqual(new Set(['first', 'last']));
  });
});
