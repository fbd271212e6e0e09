import * as fs from 'fs';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';
import {
  cleanupTmp, ELF_AARCH64, ELF_X86_64, elfSharedObject, isolateCache, layerDir, machoDylibX86_64, makeApp, onlyResource,
  readAssets, readTemplate, synthTemplate, annotations,
} from './helpers';
import { readAssemblyManifest, readAssemblyRecords } from '../../lib/core/assembly';
import type { LayerRecord } from '../../lib/core/assembly';
import { Crc64 } from '../../lib/core/checksums';
import { FC3_LAYER_VERSION_TYPE, LayerSource, RuntimeLayer } from '../../lib/ros-cdk';

let cacheDir: string;
beforeAll(() => { cacheDir = isolateCache(); });
afterAll(cleanupTmp);

function crc64Of(file: string): string {
  return new Crc64().update(fs.readFileSync(file)).digestDecimal();
}

describe('RuntimeLayer', () => {
  test('GIVEN a directory layer WHEN synthesized THEN the template holds an ALIYUN::FC3::LayerVersion with the OSS asset and its CRC-64', () => {
    // GIVEN
    const t = makeApp();
    const dir = layerDir({ 'python/greet.py': 'def hello():\n    return "hi"\n' });
    const layer = new RuntimeLayer(t.stack, 'Greeting', {
      source: LayerSource.fromDirectory(dir),
      compatibleRuntimes: ['python3.10', 'python3.12'],
      layerName: 'greeting',
      description: 'greeting helpers',
      license: 'MIT',
    });

    // WHEN
    const template = synthTemplate(t);

    // THEN
    const { logicalId, resource } = onlyResource(template, FC3_LAYER_VERSION_TYPE);
    expect(logicalId).toBe(`Greeting${layer.inputKey.slice(0, 12)}`);
    expect(resource.Properties).toEqual({
      LayerName: 'greeting',
      CompatibleRuntime: ['python3.10', 'python3.12'],
      Description: 'greeting helpers',
      License: 'MIT',
      Acl: '0',
      Code: {
        OssBucketName: { 'Fn::Sub': 'cdk-lstest-assets-${ALIYUN::Region}' },
        OssObjectName: expect.stringMatching(/^[0-9a-f]{64}\.zip$/),
        Checksum: layer.artifact!.manifest.zip.crc64,
      },
    });
    expect(resource.DeletionPolicy).toBe('Delete');
    // the construct path, so `layersmith report` can tie the resource to its construct
    expect(resource.Metadata).toEqual({ 'aliyun:ros:path': `LayersStack/Greeting/${logicalId}` });

    // the OSS object is the asset the manifest uploads, and its bytes are the built ZIP
    const objectKey: string = resource.Properties.Code.OssObjectName;
    const assets = readAssets(t.outdir, 'LayersStack');
    const entry = Object.values(assets.files).find((f: any) => f.destinations['current_account-current_region'].objectKey === objectKey) as any;
    expect(entry).toBeDefined();
    expect(entry.source.packaging).toBe('file');
    const staged = path.join(t.outdir, entry.source.path);
    expect(fs.readFileSync(staged).equals(fs.readFileSync(layer.artifact!.zipPath))).toBe(true);
    expect(crc64Of(staged)).toBe(resource.Properties.Code.Checksum);
  });

  test('GIVEN the same layer synthesized twice WHEN comparing THEN templates and asset manifests are identical', () => {
    // GIVEN
    const dir = layerDir({ 'python/a.py': 'A = 1\n', 'lib/data.txt': 'x' });
    const once = () => {
      const t = makeApp();
      new RuntimeLayer(t.stack, 'L', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });
      t.app.synth();
      return { template: fs.readFileSync(path.join(t.outdir, 'LayersStack.template.json'), 'utf8'), assets: fs.readFileSync(path.join(t.outdir, 'LayersStack.assets.json'), 'utf8') };
    };

    // WHEN
    const first = once();
    const now = new Date();
    fs.utimesSync(path.join(dir, 'python/a.py'), now, now);
    const second = once();

    // THEN
    expect(second.template).toBe(first.template);
    expect(second.assets).toBe(first.assets);
  });

  test('GIVEN changed content WHEN synthesized THEN the logical id and OSS object change; unchanged content keeps them', () => {
    // GIVEN
    const dir = layerDir({ 'python/v.py': 'V = 1\n' });
    const ids = () => {
      const t = makeApp();
      new RuntimeLayer(t.stack, 'Versioned', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'], layerName: 'versioned' });
      const { logicalId, resource } = onlyResource(synthTemplate(t), FC3_LAYER_VERSION_TYPE);
      return { logicalId, object: resource.Properties.Code.OssObjectName };
    };

    // WHEN
    const a = ids();
    const b = ids();
    fs.writeFileSync(path.join(dir, 'python/v.py'), 'V = 2\n');
    const c = ids();

    // THEN
    expect(b).toEqual(a);
    expect(c.logicalId).not.toBe(a.logicalId);
    expect(c.object).not.toBe(a.object);
    expect(c.logicalId.startsWith('Versioned')).toBe(true);
  });

  test('GIVEN bundling skipped for the stack WHEN synthesized THEN nothing is built and the logical id and object key are unchanged', () => {
    // GIVEN
    const dir = layerDir({ 'python/s.py': 'S = 1\n' });
    const bundled = makeApp();
    const built = new RuntimeLayer(bundled.stack, 'Skippable', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });
    const withBuild = onlyResource(synthTemplate(bundled), FC3_LAYER_VERSION_TYPE);
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.mkdirSync(cacheDir, { recursive: true });

    // WHEN
    const skipped = makeApp({ context: { 'aliyun:ros:bundling-stacks': [] } });
    const layer = new RuntimeLayer(skipped.stack, 'Skippable', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });
    const withoutBuild = onlyResource(synthTemplate(skipped), FC3_LAYER_VERSION_TYPE);

    // THEN
    expect(layer.artifact).toBeUndefined();
    // nothing built or cached: at most the key's digest record (which files it has hashed) is kept
    expect(fs.readdirSync(cacheDir).filter((f) => f !== 'digests')).toEqual([]);
    expect(layer.inputKey).toBe(built.inputKey);
    expect(withoutBuild.logicalId).toBe(withBuild.logicalId);
    expect(withoutBuild.resource.Properties.Code.OssObjectName).toBe(withBuild.resource.Properties.Code.OssObjectName);
    expect(withoutBuild.resource.Properties.Code.Checksum).toBeUndefined();
    const record = readAssemblyRecords(skipped.outdir).find((r) => r.kind === 'layer') as LayerRecord;
    expect(record.manifestFile).toBeUndefined();
  });

  test('GIVEN no layerName WHEN synthesized THEN a valid name is derived from the stack and construct path', () => {
    // GIVEN
    const t = makeApp({ stackName: 'Shared' });
    const group = new ros.Construct(t.stack, 'Team.Libs');
    const layer = new RuntimeLayer(group, 'Py', { source: LayerSource.fromDirectory(layerDir({ 'python/x.py': '' })), compatibleRuntimes: ['python3.10'] });

    // WHEN
    const { resource } = onlyResource(synthTemplate(t), FC3_LAYER_VERSION_TYPE);

    // THEN
    expect(layer.layerName).toBe('Shared-Team-Libs-Py');
    expect(resource.Properties.LayerName).toBe('Shared-Team-Libs-Py');
  });

  test('GIVEN a very long construct path WHEN the name is derived THEN it stays within 64 characters and unique', () => {
    // GIVEN
    const t = makeApp();
    const deep = new ros.Construct(t.stack, 'x'.repeat(80));
    const dir = layerDir({ 'python/x.py': '' });

    // WHEN
    const a = new RuntimeLayer(deep, 'A', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });
    const b = new RuntimeLayer(deep, 'B', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });

    // THEN
    expect(a.layerName.length).toBeLessThanOrEqual(64);
    expect(a.layerName).toMatch(/^[A-Za-z][A-Za-z0-9_-]+$/);
    expect(a.layerName).not.toBe(b.layerName);
  });

  test('GIVEN an invalid layer name WHEN the layer is created THEN it throws naming the construct path and the rule', () => {
    // GIVEN
    const t = makeApp();

    // WHEN / THEN
    expect(() => new RuntimeLayer(t.stack, 'Bad', {
      source: LayerSource.fromDirectory(layerDir({ 'python/x.py': '' })),
      compatibleRuntimes: ['python3.10'],
      layerName: '9 bad name!',
    })).toThrow(/LayersStack\/Bad: invalid RuntimeLayer props:[\s\S]*9 bad name!/);
  });

  test('GIVEN too many compatible runtimes WHEN the layer is created THEN it throws with the count and the limit', () => {
    // GIVEN
    const t = makeApp();
    const runtimes = Array.from({ length: 21 }, (_, i) => `python3.${i}`);

    // WHEN / THEN
    expect(() => new RuntimeLayer(t.stack, 'Many', {
      source: LayerSource.fromDirectory(layerDir({ 'python/x.py': '' })),
      compatibleRuntimes: runtimes,
    })).toThrow(/LayersStack\/Many[\s\S]*21[\s\S]*20/);
  });

  test('GIVEN a layer with an arm64 native library WHEN synthesized THEN synth fails naming the binary, and no asset is staged', () => {
    // GIVEN
    const t = makeApp();
    const dir = layerDir({ 'lib/libfast.so': elfSharedObject(ELF_AARCH64), 'python/fast.py': 'import ctypes\n' });
    new RuntimeLayer(t.stack, 'Native', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });

    // WHEN / THEN
    expect(() => t.app.synth()).toThrow(/LayersStack\/Native[\s\S]*LS-NATIVE-BINARY[\s\S]*lib\/libfast\.so/);
    expect(fs.readdirSync(t.outdir).filter((f) => f.startsWith('asset.'))).toEqual([]);
    expect(fs.existsSync(path.join(t.outdir, 'LayersStack.template.json'))).toBe(false);
  });

  test('GIVEN a layer with a macOS x86_64 library WHEN synthesized THEN synth fails: FC runs Linux only', () => {
    // GIVEN: the right CPU, the wrong OS (what a build on a Mac laptop would produce)
    const t = makeApp();
    const dir = layerDir({ 'lib/libfast.dylib': machoDylibX86_64(), 'python/fast.py': 'import ctypes\n' });
    new RuntimeLayer(t.stack, 'MacBuilt', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });

    // WHEN / THEN
    expect(() => t.app.synth()).toThrow(/LayersStack\/MacBuilt[\s\S]*LS-NATIVE-BINARY[\s\S]*darwin\/x86_64[\s\S]*lib\/libfast\.dylib[\s\S]*linux\/x86_64/);
  });

  test('GIVEN a Python layer holding an aarch64-only wheel WHEN synthesized THEN synth fails: FC is x86_64', () => {
    // GIVEN: an installed wheel whose tag only loads on Linux aarch64
    const t = makeApp();
    const dir = layerDir({
      'python/fastjson/__init__.py': 'X = 1\n',
      'python/fastjson-1.0.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: fastjson\nVersion: 1.0.0\n',
      'python/fastjson-1.0.0.dist-info/WHEEL': 'Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp310-cp310-manylinux_2_17_aarch64\n',
    });
    new RuntimeLayer(t.stack, 'ArmWheel', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });

    // WHEN / THEN
    expect(() => t.app.synth()).toThrow(/LayersStack\/ArmWheel[\s\S]*LS-PYTHON-WHEEL-TAG[\s\S]*x86_64/);
  });

  test('GIVEN a layer with an x86_64 Linux library WHEN synthesized THEN it passes the native binary check', () => {
    // GIVEN
    const t = makeApp();
    const dir = layerDir({ 'lib/libfast.so': elfSharedObject(ELF_X86_64), 'python/fast.py': 'import ctypes\n' });
    const layer = new RuntimeLayer(t.stack, 'Native', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });

    // WHEN
    synthTemplate(t);

    // THEN
    expect(layer.artifact!.manifest.natives).toEqual([expect.objectContaining({ path: 'lib/libfast.so', os: 'linux', cpu: 'x86_64' })]);
    expect(layer.findings.filter((f) => f.ruleId === 'LS-NATIVE-BINARY' && f.severity === 'error')).toEqual([]);
  });

  test('GIVEN a lowered size limit WHEN a bigger layer is synthesized THEN synth fails with both sizes', () => {
    // GIVEN: FC's code + layers budget is unconfirmed, so it can be overridden per app
    const t = makeApp();
    const dir = layerDir({ 'python/big.py': `DATA = "${'x'.repeat(2000)}"\n` });
    new RuntimeLayer(t.stack, 'Big', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'], limits: { maxUnzippedBytes: 1000 } });

    // WHEN / THEN
    expect(() => t.app.synth()).toThrow(/LayersStack\/Big[\s\S]*LS-UNZIPPED-BUDGET[\s\S]*2,010 bytes[\s\S]*1,000 bytes/);
  });

  test('GIVEN a Python layer laid out at the ZIP root WHEN synthesized THEN synth fails with the layout FC expects', () => {
    // GIVEN
    const t = makeApp();
    const dir = layerDir({ 'greet/__init__.py': 'X = 1\n' });
    new RuntimeLayer(t.stack, 'Flat', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });

    // WHEN / THEN
    expect(() => t.app.synth()).toThrow(/LayersStack\/Flat[\s\S]*LS-LAYOUT[\s\S]*python\//);
  });

  test('GIVEN a Node.js source without a lockfile WHEN the layer is built THEN the error names the construct, the directory and the fix, and nothing is staged', () => {
    // GIVEN
    const t = makeApp();
    const packageDir = layerDir({ 'package.json': JSON.stringify({ name: 'no-lock', version: '1.0.0', dependencies: { ms: '2.1.3' } }) });

    // WHEN / THEN
    expect(() => new RuntimeLayer(t.stack, 'NoLock', { source: LayerSource.node({ packageDir }), compatibleRuntimes: ['nodejs20'] }))
      .toThrow(new RegExp(`LayersStack/NoLock: building the node layer failed: [\\s\\S]*${escapeRegExp(packageDir)}[\\s\\S]*npm install --package-lock-only`));
    expect(fs.readdirSync(t.outdir).filter((f) => f.startsWith('asset.'))).toEqual([]);
  });

  test('GIVEN a built layer WHEN synthesized THEN its manifest and a layer record land in the output for `layersmith report`', () => {
    // GIVEN
    const t = makeApp();
    const layer = new RuntimeLayer(t.stack, 'Recorded', {
      source: LayerSource.fromDirectory(layerDir({ 'python/r.py': 'R = 1\n' })),
      compatibleRuntimes: ['python3.10'],
      layerName: 'recorded',
      description: 'for the report',
    });

    // WHEN
    synthTemplate(t);

    // THEN
    const records = readAssemblyRecords(t.outdir);
    expect(records).toEqual([expect.objectContaining({
      kind: 'layer',
      platform: 'alicloud',
      framework: 'ros-cdk',
      stack: 'LayersStack',
      path: 'LayersStack/Recorded',
      layerName: 'recorded',
      description: 'for the report',
      compatibleRuntimes: ['python3.10'],
      compatibleArchitectures: ['x86_64'],
      inputKey: layer.inputKey,
      retention: 'destroy',
      grants: [],
      acl: 'private',
    })]);
    const manifest = readAssemblyManifest(t.outdir, records[0] as LayerRecord);
    expect(manifest!.zip.crc64).toBe(layer.artifact!.manifest.zip.crc64);
    expect(manifest!.entries.map((e) => e.path)).toContain('python/r.py');
  });

  test('GIVEN an output directory reused after a layer was removed WHEN synthesized again THEN the removed layer leaves no record behind', () => {
    // GIVEN: a first run with two layers
    const dir = layerDir({ 'python/k.py': 'K = 1\n' });
    const before = makeApp();
    new RuntimeLayer(before.stack, 'Kept', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });
    new RuntimeLayer(before.stack, 'Removed', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });
    before.app.synth();
    expect(readAssemblyRecords(before.outdir).map((r) => r.path)).toEqual(['LayersStack/Kept', 'LayersStack/Removed']);

    // WHEN: the same output directory, one layer left
    const after = makeApp({ outdir: before.outdir });
    new RuntimeLayer(after.stack, 'Kept', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: ['python3.10'] });
    after.app.synth();

    // THEN
    expect(readAssemblyRecords(after.outdir).map((r) => r.path)).toEqual(['LayersStack/Kept']);
  });

  test('GIVEN a layer with files no runtime searches WHEN synthesized THEN the finding becomes an annotation on the construct', () => {
    // GIVEN: a README at the layer root sits outside python/, the only directory python3.10 searches
    const t = makeApp();
    const layer = new RuntimeLayer(t.stack, 'Mixed', {
      source: LayerSource.fromDirectory(layerDir({ 'python/m.py': 'M = 1\n', 'README.md': 'notes\n' })),
      compatibleRuntimes: ['python3.10'],
    });

    // WHEN
    synthTemplate(t);

    // THEN: synth succeeds and the non-error finding is on the construct, with its path and rule
    expect(layer.findings).toEqual([expect.objectContaining({ ruleId: 'LS-LAYOUT', severity: 'info' })]);
    const notes = annotations(t.outdir, 'aliyun:ros:info').filter(([p]) => p === '/LayersStack/Mixed');
    expect(notes).toHaveLength(1);
    expect(notes[0][1]).toMatch(/LayersStack\/Mixed[\s\S]*LS-LAYOUT[\s\S]*README\.md/);
    expect(readTemplate(t.outdir, 'LayersStack').Resources).toBeDefined();
  });
});

describe('RuntimeLayer.fromLayerVersionArn', () => {
  test('GIVEN an official public layer ARN WHEN imported THEN the ARN is kept as-is', () => {
    // GIVEN
    const t = makeApp();

    // WHEN
    const layer = RuntimeLayer.fromLayerVersionArn(t.stack, 'Py310', 'acs:fc:cn-hangzhou:official:layers/Python310/versions/2');

    // THEN
    expect(layer.layerVersionArn).toBe('acs:fc:cn-hangzhou:official:layers/Python310/versions/2');
    expect(layer.compatibleRuntimes).toBeUndefined();
  });

  test('GIVEN an account layer ARN WHEN imported THEN it is accepted', () => {
    const t = makeApp();
    const layer = RuntimeLayer.fromLayerVersionArn(t.stack, 'Mine', 'acs:fc:cn-shanghai:1234567890123456:layers/my-libs/versions/12');
    expect(layer.layerVersionArn).toBe('acs:fc:cn-shanghai:1234567890123456:layers/my-libs/versions/12');
  });

  test.each([
    ['an AWS ARN', 'arn:aws:lambda:us-east-1:123456789012:layer:libs:3'],
    ['an unversioned ARN', 'acs:fc:cn-hangzhou:official:layers/Python310'],
    ['the legacy FC2 form', '0123456789abcdef0123456789abcdef#libs#3'],
    ['a non-numeric version', 'acs:fc:cn-hangzhou:official:layers/Python310/versions/latest'],
  ])('GIVEN %s WHEN imported THEN it throws naming the construct path and the ARN', (_what, arn) => {
    const t = makeApp();
    expect(() => RuntimeLayer.fromLayerVersionArn(t.stack, 'Imported', arn))
      .toThrow(new RegExp(`LayersStack/Imported: RuntimeLayer.fromLayerVersionArn: [\\s\\S]*${escapeRegExp(arn)}`));
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
