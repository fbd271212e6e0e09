import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as yauzl from 'yauzl';
import { cleanupTempDirs, makeTempDir, testWithTools } from '../helpers';
import { lintTemplates } from './cfn-lint';
import { REPO, installTarball, npmEnv, run } from './pack';
import { canMount, mountTmpfs, unmountAll } from '../helpers/mounts';

/**
 * A fresh app with the packed tarball and the front-end SDKs installed from the npm registry at
 * our lockfile's versions (--prefer-offline), used the way users use it: TypeScript and plain
 * JavaScript (CommonJS and ESM), a real `cdk synth`, ROS CDK synth, a Pulumi program under
 * mocks, and the installed `layersmith` command on what they produced.
 */
jest.setTimeout(600_000);

const FIXTURES = path.join(__dirname, 'consumer');
const PEERS = [
  'aws-cdk-lib', 'constructs', '@alicloud/ros-cdk-core', '@alicloud/ros-cdk-fc3', '@alicloud/ros-cdk-ossassets',
  '@pulumi/pulumi', '@pulumi/aws', '@pulumi/alicloud', '@types/node',
];
const TSC = require.resolve('typescript/bin/tsc');
const CDK_CLI = require.resolve('aws-cdk/bin/cdk');

let app: string;
let env: NodeJS.ProcessEnv;

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Entry names of a ZIP, read with yauzl (not with our own reader). */
function zipEntries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => { names.push(e.fileName); zip.readEntry(); });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function tsc(config: Record<string, unknown>, file: string): { status: number | null; output: string } {
  const name = `tsconfig.${createHash('sha256').update(JSON.stringify([config, file])).digest('hex').slice(0, 8)}.json`;
  fs.writeFileSync(path.join(app, name), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', lib: ['es2022'], types: ['node'], skipLibCheck: true, ...config },
    files: [file],
  }));
  const r = spawnSync(process.execPath, [TSC, '-p', name], { cwd: app, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function npx(args: string[], cwd = app): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['--no-install', ...args], { cwd, encoding: 'utf8', env: npmEnv(env), maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  app = makeTempDir('layersmith-test-consumer-');
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  installTarball(app, { install: PEERS });
  fs.cpSync(FIXTURES, app, { recursive: true });
  for (const f of ['consumer.ts', 'bad.ts']) fs.renameSync(path.join(app, `${f}.fixture`), path.join(app, f));
  // The layers' inputs: a directory, a Node.js package with its lockfile (the example's), functions.
  fs.mkdirSync(path.join(app, 'layers', 'tools', 'bin'), { recursive: true });
  fs.writeFileSync(path.join(app, 'layers', 'tools', 'bin', 'hello'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  fs.cpSync(path.join(REPO, 'examples', 'aws-cdk-app', 'layers', 'node'), path.join(app, 'layers', 'node'), { recursive: true });
  fs.mkdirSync(path.join(app, 'functions', 'py'), { recursive: true });
  fs.writeFileSync(path.join(app, 'functions', 'py', 'handler.py'), 'import six\n\ndef handler(event, context):\n    return six.__version__\n');
  fs.mkdirSync(path.join(app, 'functions', 'node'), { recursive: true });
  fs.writeFileSync(path.join(app, 'functions', 'node', 'index.js'), 'exports.handler = async () => require("ms")("1d");\n');
  fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: 'node cdk-app.js', versionReporting: false }));
  env = { ...process.env, PIP_RETRIES: '0', LAYERSMITH_QUIET: '1', LAYERSMITH_CACHE_DIR: makeTempDir('layersmith-test-consumer-cache-'), CDK_DISABLE_VERSION_CHECK: '1' };
});

afterAll(() => {
  unmountAll();
  cleanupTempDirs();
});

describe('TypeScript consumers', () => {
  test('GIVEN strict TypeScript with module/moduleResolution node16 WHEN the consumer is type-checked THEN it compiles against the exports map types', () => {
    expect(tsc({ module: 'node16', moduleResolution: 'node16' }, 'consumer.ts')).toEqual({ status: 0, output: '' });
  });

  test('GIVEN strict TypeScript with moduleResolution bundler WHEN the consumer is type-checked THEN it compiles', () => {
    expect(tsc({ module: 'esnext', moduleResolution: 'bundler' }, 'consumer.ts')).toEqual({ status: 0, output: '' });
  });

  test('GIVEN moduleResolution node (node10, what `cdk init` projects use) WHEN the consumer is type-checked THEN typesVersions gives it the subpaths', () => {
    expect(tsc({ module: 'commonjs', moduleResolution: 'node' }, 'consumer.ts')).toEqual({ status: 0, output: '' });
  });

  test('GIVEN a wrong prop type WHEN type-checked THEN it fails (the control: the declarations are really checked)', () => {
    const r = tsc({ module: 'node16', moduleResolution: 'node16' }, 'bad.ts');
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/bad\.ts\(6,\d+\): error TS2322: Type 'string' is not assignable to type 'LayerSource'/);
  });
});

describe('JavaScript consumers', () => {
  test('GIVEN a .cjs file WHEN it requires layersmith/aws-cdk THEN the constructs load', () => {
    expect(run(process.execPath, ['app.cjs'], { cwd: app })).toBe('function function function\n');
  });

  test('GIVEN a .mjs file WHEN it imports { RuntimeLayer } from layersmith/aws-cdk THEN the named exports are there', () => {
    expect(run(process.execPath, ['app.mjs'], { cwd: app })).toBe('function function function\n');
  });

  test('GIVEN a layer that fails its rules WHEN the app synthesizes THEN the installed package throws a LayersmithError the app can branch on', () => {
    // GIVEN Python modules at the ZIP root, where python3.12 never looks
    fs.mkdirSync(path.join(app, 'layers', 'flat', 'requests'), { recursive: true });
    fs.writeFileSync(path.join(app, 'layers', 'flat', 'requests', '__init__.py'), '');
    fs.writeFileSync(path.join(app, 'rule-failed.cjs'), [
      "const cdk = require('aws-cdk-lib');",
      "const lambda = require('aws-cdk-lib/aws-lambda');",
      "const { LayersmithError, LayersmithValidationError } = require('layersmith');",
      "const { LayerSource, RuntimeLayer } = require('layersmith/aws-cdk');",
      'const app = new cdk.App({ outdir: process.argv[2] });',
      "const stack = new cdk.Stack(app, 'Consumer');",
      "new RuntimeLayer(stack, 'Flat', { source: LayerSource.fromDirectory('layers/flat'), compatibleRuntimes: [lambda.Runtime.PYTHON_3_12] });",
      'try { app.synth(); } catch (e) {',
      '  const kind = e instanceof LayersmithValidationError && e instanceof LayersmithError;',
      '  process.stdout.write(JSON.stringify({ kind, code: e.code, constructPath: e.constructPath, layout: /LS-LAYOUT/.test(e.message) }));',
      '}',
    ].join('\n'));

    // WHEN
    const out = run(process.execPath, ['rule-failed.cjs', makeTempDir('layersmith-test-consumer-out-')], { cwd: app, env });

    // THEN
    expect(JSON.parse(out)).toEqual({ kind: true, code: 'RULE_FAILED', constructPath: 'Consumer/Flat', layout: true });
  });

  (canMount ? test : test.skip)('GIVEN an output directory on a read-only file system WHEN the app declares a layer THEN the installed package '
    + 'throws ASSEMBLY_NOT_WRITABLE before building anything', () => {
    // GIVEN (a tmpfs mount needs root, as CI runs)
    const outdir = makeTempDir('layersmith-test-consumer-ro-');
    mountTmpfs(outdir, 'ro,size=1m');
    const cacheDir = makeTempDir('layersmith-test-consumer-ro-cache-');
    fs.writeFileSync(path.join(app, 'read-only-out.cjs'), [
      "const cdk = require('aws-cdk-lib');",
      "const lambda = require('aws-cdk-lib/aws-lambda');",
      "const { LayersmithBuildError } = require('layersmith');",
      "const { LayerSource, RuntimeLayer } = require('layersmith/aws-cdk');",
      'const app = new cdk.App({ outdir: process.argv[2] });',
      "const stack = new cdk.Stack(app, 'Consumer');",
      'try {',
      "  new RuntimeLayer(stack, 'Tools', { source: LayerSource.fromDirectory('layers/tools'), compatibleRuntimes: [lambda.Runtime.PYTHON_3_12] });",
      '} catch (e) {',
      '  process.stdout.write(JSON.stringify({ kind: e instanceof LayersmithBuildError, code: e.code, constructPath: e.constructPath, path: e.path }));',
      '}',
    ].join('\n'));

    // WHEN
    const out = run(process.execPath, ['read-only-out.cjs', outdir], { cwd: app, env: { ...env, LAYERSMITH_CACHE_DIR: cacheDir } });

    // THEN the error the app can branch on, and no build ran
    expect(JSON.parse(out)).toEqual({ kind: true, code: 'ASSEMBLY_NOT_WRITABLE', constructPath: 'Consumer/Tools', path: outdir });
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });
});

describe('a CDK app synthesized by the real cdk synth', () => {
  let out: string;
  beforeAll(() => {
    out = path.join(app, 'cdk.out');
    run(process.execPath, [CDK_CLI, 'synth', '--no-notices', '--quiet', '--output', out], { cwd: app, env });
  });

  test('THEN the functions list their layers in the declared order', () => {
    const template = readJson(path.join(out, 'Consumer.template.json'));
    const fn = (prefix: string) => Object.entries(template.Resources as Record<string, any>)
      .find(([id, r]) => id.startsWith(prefix) && r.Type === 'AWS::Lambda::Function')![1];
    const refs = (f: any) => f.Properties.Layers.map((l: any) => l.Ref.replace(/[0-9A-F]{8}$/, ''));
    expect(refs(fn('PyFn'))).toEqual(['PythonDeps', 'Tools']);
    expect(refs(fn('NodeFn'))).toEqual(['Tools', 'NodeDeps']);
    const permissions = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::Lambda::LayerVersionPermission');
    expect(permissions.map((p) => p.Properties.Principal)).toEqual(['111122223333']);
  });

  test('THEN each layer asset ZIP the assets manifest names holds the layer\'s paths', async () => {
    const template = readJson(path.join(out, 'Consumer.template.json'));
    const assets = readJson(path.join(out, 'Consumer.assets.json'));
    const expected: Record<string, string> = { Tools: 'bin/hello', PythonDeps: 'python/six.py', NodeDeps: 'nodejs/node_modules/ms/index.js' };
    const seen: string[] = [];
    for (const [id, r] of Object.entries(template.Resources as Record<string, any>).filter(([, x]) => x.Type === 'AWS::Lambda::LayerVersion')) {
      const key = r.Properties.Content.S3Key;
      const asset = Object.values(assets.files as Record<string, any>)
        .find((a) => Object.values(a.destinations as Record<string, any>).some((d) => d.objectKey === key));
      const entries = await zipEntries(path.join(out, asset.source.path));
      const construct = id.replace(/[0-9A-F]{8}$/, '');
      expect({ construct, has: entries.includes(expected[construct]) }).toEqual({ construct, has: true });
      seen.push(construct);
    }
    expect(seen.sort()).toEqual(['NodeDeps', 'PythonDeps', 'Tools']);
  });

  testWithTools('cfn-lint')('THEN the template passes cfn-lint with no error and no unaccepted warning', () => {
    expect(lintTemplates([path.join(out, 'Consumer.template.json')])).toEqual({ errors: [], warnings: [] });
  });

  test('THEN the installed `layersmith inspect` and `layersmith report` read it, with their exit codes', () => {
    const zip = fs.readdirSync(out).find((f) => f.startsWith('asset.') && f.endsWith('.zip'))!;
    const inspect = npx(['layersmith', 'inspect', path.join(out, zip), '--json']);
    expect(inspect.status).toBe(0);
    expect(JSON.parse(inspect.stdout).manifest.zip.sha256).toBe(createHash('sha256').update(fs.readFileSync(path.join(out, zip))).digest('base64'));

    const report = npx(['layersmith', 'report', out, '--format', 'json']);
    expect(report.status).toBe(0);
    const json = JSON.parse(report.stdout);
    expect(json.layers.map((l: { path: string }) => l.path).sort()).toEqual(['Consumer/NodeDeps', 'Consumer/PythonDeps', 'Consumer/Tools']);
    for (const f of json.functions) expect(f.templateOrder.status).toBe('match');

    // bad input: exit 2 and one line
    const missing = npx(['layersmith', 'inspect', path.join(app, 'nope.zip')]);
    expect({ status: missing.status, lines: missing.stderr.trim().split('\n').length }).toEqual({ status: 2, lines: 1 });
  });
});

describe('the newer features, from the installed package', () => {
  test('GIVEN the installed library WHEN it builds a slimmed Python layer THEN the import check ran, packages carry their sizes, '
    + 'and the installed `layersmith invoke` runs a handler on that layer', () => {
    // GIVEN a script that uses only what the tarball installed
    fs.writeFileSync(path.join(app, 'slim-build.js'), [
      "const { LayerSource, buildLayerSync } = require('layersmith');",
      "const target = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.11'] };",
      "const a = buildLayerSync(LayerSource.python({ packages: ['six'], slim: true }), target);",
      'process.stdout.write(JSON.stringify({ zipPath: a.zipPath, manifest: a.manifest }));',
    ].join('\n'));

    // WHEN it runs
    const { zipPath, manifest } = JSON.parse(run(process.execPath, ['slim-build.js'], { cwd: app, env }));

    // THEN slim verified the layer with a real interpreter, six is sized, and the unpinned requirement is recorded
    expect(manifest.slim.verification).toMatchObject({ ran: true, modules: expect.arrayContaining(['six']) });
    expect(manifest.packages).toEqual(expect.arrayContaining([
      expect.objectContaining({ ecosystem: 'python', name: 'six', files: expect.any(Number), unzippedBytes: expect.any(Number) }),
    ]));
    expect(manifest.build.unpinned).toEqual(['six']);
    const inspected = npx(['layersmith', 'inspect', zipPath, '--json']);
    expect(inspected.status).toBe(0);
    expect(JSON.parse(inspected.stdout).packages.map((p: { name: string }) => p.name)).toContain('six');

    // AND the installed command runs the function's handler with that layer as /opt
    const invoked = npx(['layersmith', 'invoke', '--layer', zipPath, '--platform', 'aws', '--runtime', 'python3.11',
      '--handler', 'handler.handler', '--code', path.join(app, 'functions', 'py'), '--no-namespace']);
    const six = manifest.packages.find((p: { name: string }) => p.name === 'six');
    expect({ status: invoked.status, result: JSON.parse(invoked.stdout || 'null') }).toEqual({ status: 0, result: six.version });
  });
});

describe('a ROS CDK app synthesized by running it', () => {
  let out: string;
  beforeAll(() => {
    out = path.join(app, 'ros.out');
    run(process.execPath, ['ros-app.js', out], { cwd: app, env });
  });

  test('THEN the FC functions list their layers in the declared order and each OSS asset ZIP holds the layer\'s paths', async () => {
    const template = readJson(path.join(out, 'ConsumerRos.template.json'));
    const resources = Object.entries(template.Resources as Record<string, any>);
    const layers: Record<string, { id: string; r: any }> = Object.fromEntries(resources
      .filter(([, r]) => r.Type === 'ALIYUN::FC3::LayerVersion').map(([id, r]) => [r.Properties.LayerName, { id, r }]));
    expect(Object.keys(layers).sort()).toEqual(['node-deps', 'python-deps', 'tools']);
    const fns = Object.fromEntries(resources.filter(([, r]) => r.Type === 'ALIYUN::FC3::Function').map(([, r]) => [r.Properties.FunctionName, r]));
    const arn = (name: string) => ({ 'Fn::GetAtt': [layers[name].id, 'LayerVersionArn'] });
    expect(fns['py-fn'].Properties.Layers).toEqual([arn('python-deps'), arn('tools')]);
    expect(fns['node-fn'].Properties.Layers).toEqual([arn('node-deps'), arn('tools')]);
    expect(layers.tools.r.Properties.Acl).toBe('1');

    const assets = readJson(path.join(out, 'ConsumerRos.assets.json'));
    const expected: Record<string, string> = { 'tools': 'bin/hello', 'python-deps': 'python/six.py', 'node-deps': 'nodejs/node_modules/ms/index.js' };
    for (const [name, { r }] of Object.entries(layers)) {
      const asset = Object.values(assets.files as Record<string, any>)
        .find((a) => Object.values(a.destinations as Record<string, any>).some((d) => d.objectKey === r.Properties.Code.OssObjectName));
      expect({ name, has: (await zipEntries(path.join(out, asset.source.path))).includes(expected[name]) }).toEqual({ name, has: true });
    }
  });

  test('THEN `layersmith report` reads it and `--fail-on public` fails on the public layer', () => {
    const ok = npx(['layersmith', 'report', out]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('the FIRST layer wins');
    expect(npx(['layersmith', 'report', out, '--fail-on', 'public']).status).toBe(1);
  });
});

describe('a Pulumi program under mocks', () => {
  test('THEN it declares the layer versions from our ZIPs and the functions with their declared stacks', async () => {
    const line = run(process.execPath, ['pulumi-run.js'], { cwd: app, env }).split('\n').find((l) => l.startsWith('RESULT '))!;
    const { errors, resources } = JSON.parse(line.slice('RESULT '.length));
    expect(errors).toEqual([]);
    const versions = resources.filter((r: any) => r.type === 'aws:lambda/layerVersion:LayerVersion');
    expect(versions.map((v: any) => v.name).sort()).toEqual(['node-deps', 'python-deps', 'tools']);
    const expected: Record<string, string> = { 'tools': 'bin/hello', 'python-deps': 'python/six.py', 'node-deps': 'nodejs/node_modules/ms/index.js' };
    for (const v of versions) {
      const zip = fs.readFileSync(v.inputs.code.path);
      expect(v.inputs.sourceCodeHash).toBe(createHash('sha256').update(zip).digest('base64'));
      expect({ name: v.name, has: (await zipEntries(v.inputs.code.path)).includes(expected[v.name]) }).toEqual({ name: v.name, has: true });
    }
    const fns = Object.fromEntries(resources.filter((r: any) => r.type === 'aws:lambda/function:Function').map((r: any) => [r.name, r.inputs.layers]));
    const arn = (n: string) => expect.stringMatching(new RegExp(`:layer:[^:]*${n}[^:]*:1$`));
    expect(fns['py-fn']).toEqual([arn('python-deps'), arn('tools')]);
    expect(fns['node-fn']).toEqual([arn('tools'), arn('node-deps')]);
    expect(resources.filter((r: any) => r.type === 'aws:lambda/layerVersionPermission:LayerVersionPermission').map((r: any) => r.inputs.principal)).toEqual(['111122223333']);
  });
});

describe('a Pulumi inline program (Automation API style) under mocks', () => {
  test('GIVEN an FC layer with a public grant WHEN the program calls the installed endDeclarations() THEN the version is declared then, '
    + 'public, and not before', () => {
    const line = run(process.execPath, ['pulumi-inline.js'], { cwd: app, env }).split('\n').find((l) => l.startsWith('RESULT '))!;
    expect(JSON.parse(line.slice('RESULT '.length))).toEqual({ beforeEnd: 0, versions: [{ name: 'inline-fc', acl: '1' }] });
  });
});
