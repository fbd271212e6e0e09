import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cleanupTmp, onlyResource, readAssets, readTemplate, resourcesOfType, tmpDir } from './helpers';
import { readAssemblyManifest, readAssemblyRecords } from '../../lib/core/assembly';
import type { FunctionRecord, LayerRecord } from '../../lib/core/assembly';
import { crc64Decimal } from '../../lib/core/checksums';
import { hasTool, testWithTools } from '../helpers';
import { exampleFromTarball } from '../packaging/examples';

const ROOT = path.resolve(__dirname, '..', '..');
/** A temporary copy of examples/ros-cdk-app with the packed tarball installed into it. */
let EXAMPLE: string;
const STACK = 'LayersmithOrders';
const OFFICIAL_PY310 = 'acs:fc:cn-hangzhou:official:layers/Python310/versions/2';

afterAll(cleanupTmp);

/** ROS CDK synth is running the app: do it the way demo.sh does, in a child process. */
function synthExample(outdir: string, cacheDir: string): void {
  const tsNode = require.resolve('ts-node/dist/bin.js');
  const r = spawnSync(process.execPath, [tsNode, '-P', path.join(EXAMPLE, 'tsconfig.json'), path.join(EXAMPLE, 'app.ts')], {
    cwd: EXAMPLE,
    env: { ...process.env, CDK_OUTDIR: outdir, LAYERSMITH_CACHE_DIR: cacheDir, LAYERSMITH_QUIET: '1' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`example synth failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Every file of the synthesized output that must not change between runs, with its bytes. */
function outputFiles(outdir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(outdir, full)] = fs.readFileSync(full).toString('base64');
    }
  };
  walk(outdir);
  return files;
}

function touchTree(dir: string, when: Date): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'cdk.out' && e.name !== 'node_modules') touchTree(full, when);
    } else {
      fs.utimesSync(full, when, when);
    }
  }
}

// The example builds with the real pip (local wheel, no index) and the real npm ci (npm registry).
const TOOLS = ['python3', 'npm'];
const exampleTest = testWithTools(...TOOLS);

describe('examples/ros-cdk-app', () => {
  let first: string;
  let second: string;

  beforeAll(() => {
    if (!TOOLS.every((t) => hasTool(t))) return;
    EXAMPLE = exampleFromTarball('ros-cdk-app', tmpDir('example-app'));
    first = tmpDir('example-a');
    synthExample(first, tmpDir('example-cache-a'));
    touchTree(EXAMPLE, new Date(Date.now() + 3600_000));
    // A second cold build with its own cache: reproducible bytes, not a cache hit, make it identical.
    second = tmpDir('example-b');
    synthExample(second, tmpDir('example-cache-b'));
  }, 600_000);

  exampleTest('GIVEN the example WHEN synthesized THEN it ran the packed layersmith installed into it', () => {
    const resolved = require.resolve('layersmith/ros-cdk', { paths: [EXAMPLE] });
    expect(path.relative(EXAMPLE, resolved)).toBe(path.join('node_modules', 'layersmith', 'lib', 'ros-cdk', 'index.js'));
    expect(fs.existsSync(path.join(EXAMPLE, 'node_modules', 'layersmith', 'lib', 'ros-cdk', 'index.ts'))).toBe(false);
  });

  exampleTest('GIVEN the example WHEN synthesized twice from cold caches with mtimes touched THEN every output file is identical', () => {
    const a = outputFiles(first);
    const b = outputFiles(second);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const file of Object.keys(a)) expect({ file, bytes: b[file] }).toEqual({ file, bytes: a[file] });
  });

  exampleTest('GIVEN the example WHEN synthesized THEN it has a private Python layer, a public Node layer and the function stack in declared order', () => {
    const template = readTemplate(first, STACK);
    const layers = resourcesOfType(template, 'ALIYUN::FC3::LayerVersion');
    const byName = Object.fromEntries(Object.entries(layers).map(([id, r]) => [r.Properties.LayerName, { id, r }]));
    expect(Object.keys(byName).sort()).toEqual(['format-tools', 'orders-python-libs']);

    const py = byName['orders-python-libs'];
    expect(py.r.Properties).toEqual(expect.objectContaining({ CompatibleRuntime: ['python3.10', 'custom.debian10'], Acl: '0' }));
    expect(py.r.DeletionPolicy).toBe('Delete');
    const node = byName['format-tools'];
    expect(node.r.Properties).toEqual(expect.objectContaining({ CompatibleRuntime: ['nodejs20', 'custom.debian10'], Acl: '1' }));
    expect(node.r.DeletionPolicy).toBe('Retain');

    const { logicalId, resource: fn } = onlyResource(template, 'ALIYUN::FC3::Function');
    expect(logicalId).toBe('Orders');
    expect(fn.Properties.Runtime).toBe('custom.debian10');
    expect(fn.Properties.Layers).toEqual([
      { 'Fn::GetAtt': [py.id, 'LayerVersionArn'] },
      { 'Fn::GetAtt': [node.id, 'LayerVersionArn'] },
      OFFICIAL_PY310,
    ]);
    expect(fn.Properties.EnvironmentVariables).toEqual({ PYTHONPATH: '/opt/python', NODE_PATH: '/opt/nodejs/node_modules' });
  });

  exampleTest('GIVEN the example WHEN synthesized THEN each layer\'s OSS object is a staged asset whose CRC-64 is the template checksum', () => {
    const template = readTemplate(first, STACK);
    const assets = readAssets(first, STACK);
    const expected: Record<string, string> = { 'orders-python-libs': 'python/fcgreet/__init__.py', 'format-tools': 'nodejs/node_modules/ms/index.js' };
    for (const r of Object.values(resourcesOfType(template, 'ALIYUN::FC3::LayerVersion'))) {
      const code = r.Properties.Code;
      expect(code.OssBucketName).toEqual({ 'Fn::Sub': 'cdk-orders-assets-${ALIYUN::Region}' });
      const asset = Object.values(assets.files).find((f: any) => f.destinations['current_account-current_region'].objectKey === code.OssObjectName) as any;
      expect(asset).toBeDefined();
      const staged = fs.readFileSync(path.join(first, asset.source.path));
      expect(crc64Decimal(staged)).toBe(code.Checksum);

      const record = readAssemblyRecords(first).find((x) => x.kind === 'layer' && x.layerName === r.Properties.LayerName) as LayerRecord;
      const manifest = readAssemblyManifest(first, record)!;
      expect(manifest.zip.crc64).toBe(code.Checksum);
      expect(manifest.entries.map((e) => e.path)).toContain(expected[r.Properties.LayerName]);
      expect(manifest.natives).toEqual([]);
    }
  });

  exampleTest('GIVEN the example WHEN synthesized THEN the function record lists the stack and the custom-runtime guidance', () => {
    const fnRecord = readAssemblyRecords(first).find((r) => r.kind === 'function') as FunctionRecord;
    expect(fnRecord.layers.map((l) => l.layerPath ?? l.arn)).toEqual(['LayersmithOrders/PythonLibs', 'LayersmithOrders/FormatTools', OFFICIAL_PY310]);
    expect(fnRecord.findings.map((f) => f.ruleId).sort()).toEqual(['LS-CUSTOM-RUNTIME-ENV', 'LS-UNKNOWN-LAYER']);
    expect(fnRecord.codeSize).toBe(fs.statSync(path.join(EXAMPLE, 'functions', 'orders', 'server.py')).size);
  });

  exampleTest('GIVEN the synthesized example WHEN `layersmith report` reads it THEN it ties the template back to the constructs', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'layersmith'), 'report', first, '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    const report = JSON.parse(r.stdout);
    expect(report.functions).toHaveLength(1);
    // the Layers in the template are our records' order, resolved through the aliyun:ros:path metadata
    expect(report.functions[0].templateOrder.status).toBe('match');
  });
});
