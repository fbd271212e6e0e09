import * as fs from 'fs';
import * as pulumi from '@pulumi/pulumi';
import { TempTree } from './fixtures';
import { CapturedResource, installMocks, ofType, valueOf } from './mocks';
import { crc64Decimal, sha256Base64 } from '../../lib/core';
import { LayerGrant, LayerSource, RuntimeLayer } from '../../lib/pulumi';

let captured: CapturedResource[];
let tree: TempTree;
let cacheDir: string;
let layerDir: string;

beforeAll(async () => {
  captured = await installMocks();
  tree = new TempTree();
  cacheDir = tree.path('cache');
  layerDir = tree.dir('layer', { 'python/greeting.py': 'HELLO = "hi"\n', 'bin/tool': '#!/bin/sh\necho tool\n' }, { 'bin/tool': 0o755 });
});
afterAll(() => tree.cleanup());
beforeEach(() => captured.splice(0));


describe('RuntimeLayer on AWS', () => {
  test('publishes aws.lambda.LayerVersion from the reproducible ZIP with our SHA-256 as sourceCodeHash', async () => {
    // GIVEN a directory layer for Python
    const layer = new RuntimeLayer('deps', {
      platform: 'aws',
      source: LayerSource.fromDirectory(layerDir),
      compatibleRuntimes: ['python3.12', 'python3.13'],
      compatibleArchitectures: ['x86_64', 'arm64'],
      description: 'shared helpers',
      license: 'MIT',
      cacheDir,
    });

    // WHEN the program has run
    const arn = await valueOf(layer.arn);
    const artifact = await valueOf(layer.artifact);

    // THEN one LayerVersion child carries the ZIP as a FileArchive and the checksum of its bytes
    const [version] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
    const zipBytes = fs.readFileSync(artifact.zipPath);
    expect(version.name).toBe('deps');
    expect(version.parent).toBe('deps');
    expect(version.parentType).toBe('layersmith:aws:RuntimeLayer');
    expect(version.inputs.layerName).toBe('deps');
    expect(version.inputs.code).toBeInstanceOf(pulumi.asset.FileArchive);
    expect(await version.inputs.code.path).toBe(artifact.zipPath);
    expect(artifact.zipPath.endsWith('.zip')).toBe(true);
    expect(version.inputs.sourceCodeHash).toBe(sha256Base64(zipBytes));
    expect(version.inputs.compatibleRuntimes).toEqual(['python3.12', 'python3.13']);
    expect(version.inputs.compatibleArchitectures).toEqual(['x86_64', 'arm64']);
    expect(version.inputs.description).toBe('shared helpers');
    expect(version.inputs.licenseInfo).toBe('MIT');
    // An unshared layer does not keep old versions.
    expect(version.inputs.skipDestroy).toBe(false);
    expect(version.retainOnDelete).toBe(false);
    expect(arn).toBe('arn:aws:lambda:us-east-1:123456789012:layer:deps:7');
    expect(await valueOf(layer.version)).toBe('7');
    expect(ofType(captured, 'layersmith:aws:RuntimeLayer').map((r) => r.name)).toEqual(['deps']);
    expect(layer.inputKey).toBe(artifact.inputKey);
  });

  test('a layer shared through grants retains old versions and gets one permission per grant', async () => {
    // GIVEN grants to an account and an organization
    const layer = new RuntimeLayer('shared', {
      platform: 'aws',
      source: LayerSource.fromDirectory(layerDir),
      compatibleRuntimes: ['python3.12'],
      layerName: 'shared-python',
      grants: [LayerGrant.account('210987654321'), LayerGrant.organization('o-abcdefghij')],
      cacheDir,
    });

    // WHEN the program has run
    await valueOf(layer.arn);
    await new Promise((r) => setImmediate(r));

    // THEN the version is retained and each grant is a LayerVersionPermission on its version
    const [version] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
    expect(version.inputs.layerName).toBe('shared-python');
    expect(version.inputs.skipDestroy).toBe(true);
    expect(version.retainOnDelete).toBe(true);
    const permissions = ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission');
    expect(permissions.map((p) => p.inputs)).toEqual([
      {
        layerName: 'arn:aws:lambda:us-east-1:123456789012:layer:shared-python',
        versionNumber: 7,
        action: 'lambda:GetLayerVersion',
        principal: '210987654321',
        statementId: 'layersmith-account-210987654321',
        skipDestroy: true,
      },
      {
        layerName: 'arn:aws:lambda:us-east-1:123456789012:layer:shared-python',
        versionNumber: 7,
        action: 'lambda:GetLayerVersion',
        principal: '*',
        organizationId: 'o-abcdefghij',
        statementId: 'layersmith-org-o-abcdefghij',
        skipDestroy: true,
      },
    ]);
    expect(permissions.every((p) => p.retainOnDelete === true && p.parent === 'shared')).toBe(true);
  });

  test('retainOldVersions: false overrides the shared default', async () => {
    // GIVEN a public layer that opts out of retention
    const layer = new RuntimeLayer('public-scratch', {
      platform: 'aws',
      source: LayerSource.fromDirectory(layerDir),
      compatibleRuntimes: ['python3.12'],
      grants: [LayerGrant.public()],
      retainOldVersions: false,
      cacheDir,
    });
    // WHEN
    await valueOf(layer.arn);
    await new Promise((r) => setImmediate(r));
    // THEN
    const [version] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
    expect(version.retainOnDelete).toBe(false);
    const [permission] = ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission');
    expect(permission.inputs.principal).toBe('*');
    expect(permission.retainOnDelete).toBe(false);
  });

  test('the same inputs give the same ZIP, key and hash on the next run (cache answers, nothing to republish)', async () => {
    // GIVEN a layer built once
    const first = new RuntimeLayer('again-1', { platform: 'aws', source: LayerSource.fromDirectory(layerDir), compatibleRuntimes: ['python3.12'], layerName: 'again', cacheDir });
    await valueOf(first.arn);
    // WHEN the same layer is declared again with the files' mtimes touched
    for (const f of ['python/greeting.py', 'bin/tool']) fs.utimesSync(tree.path('layer', f), new Date(), new Date(2001, 1, 1));
    const second = new RuntimeLayer('again-2', { platform: 'aws', source: LayerSource.fromDirectory(layerDir), compatibleRuntimes: ['python3.12'], layerName: 'again', cacheDir });
    await valueOf(second.arn);
    // THEN the inputs of both LayerVersions are identical and the second came from the cache
    const [a, b] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
    expect(b.inputs).toEqual(a.inputs);
    expect((await valueOf(second.artifact)).cacheHit).toBe(true);
  });
});

describe('RuntimeLayer on AWS through S3', () => {
  test('with s3Bucket the ZIP is uploaded as an S3 object under its content key and the version is published from it', async () => {
    // GIVEN a layer with an S3 bucket
    const layer = new RuntimeLayer('from-s3', {
      platform: 'aws',
      source: LayerSource.fromDirectory(layerDir),
      compatibleRuntimes: ['python3.12'],
      s3Bucket: 'my-artifacts',
      s3KeyPrefix: 'layers/',
      cacheDir,
    });
    // WHEN
    await valueOf(layer.arn);
    const artifact = await valueOf(layer.artifact);
    // THEN the object holds our ZIP file and the LayerVersion points at it with our hash
    const [object] = ofType(captured, 'aws:s3/bucketObjectv2:BucketObjectv2');
    expect(object.parent).toBe('from-s3');
    expect(object.inputs.bucket).toBe('my-artifacts');
    expect(object.inputs.key).toBe(`layers/${artifact.inputKey}.zip`);
    expect(object.inputs.source).toBeInstanceOf(pulumi.asset.FileAsset);
    expect(await object.inputs.source.path).toBe(artifact.zipPath);
    const [version] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
    expect(version.inputs).toMatchObject({ s3Bucket: 'my-artifacts', s3Key: `layers/${artifact.inputKey}.zip`, sourceCodeHash: artifact.manifest.zip.sha256 });
    expect(version.inputs.code).toBeUndefined();
  });
});

describe('RuntimeLayer on Alibaba FC', () => {
  test('a small ZIP goes inline as base64 with our CRC-64/XZ decimal as checksum', async () => {
    // GIVEN an FC layer
    const layer = new RuntimeLayer('fc-deps', {
      platform: 'alicloud',
      source: LayerSource.fromDirectory(layerDir),
      compatibleRuntimes: ['python3.12', 'python3.10'],
      description: 'helpers',
      license: 'Apache-2.0',
      cacheDir,
    });
    // WHEN
    const arn = await valueOf(layer.arn);
    const artifact = await valueOf(layer.artifact);
    // THEN
    const [version] = ofType(captured, 'alicloud:fc/v3LayerVersion:V3LayerVersion');
    const zipBytes = fs.readFileSync(artifact.zipPath);
    expect(version.parentType).toBe('layersmith:alicloud:RuntimeLayer');
    expect(Buffer.from(version.inputs.code.zipFile, 'base64').equals(zipBytes)).toBe(true);
    expect(version.inputs.code.checksum).toBe(crc64Decimal(zipBytes));
    expect(version.inputs.code.ossBucketName).toBeUndefined();
    expect(version.inputs).toMatchObject({ layerName: 'fc-deps', compatibleRuntimes: ['python3.12', 'python3.10'], description: 'helpers', license: 'Apache-2.0', acl: '0' });
    expect(version.retainOnDelete).toBe(false);
    expect(ofType(captured, 'alicloud:oss/bucketObject:BucketObject')).toHaveLength(0);
    expect(arn).toBe('acs:fc:cn-hangzhou:1234567890123456:layers/fc-deps/versions/3');
  });

  test('a ZIP over the inline limit is uploaded to the given OSS bucket under its content key', async () => {
    // GIVEN an inline limit lower than the ZIP and a bucket
    const layer = new RuntimeLayer('fc-big', {
      platform: 'alicloud',
      source: LayerSource.fromDirectory(layerDir),
      compatibleRuntimes: ['python3.12'],
      ossBucket: 'my-layers',
      limits: { maxInlineZipBytes: 10 },
      grants: [LayerGrant.public()],
      cacheDir,
    });
    // WHEN
    await valueOf(layer.arn);
    const artifact = await valueOf(layer.artifact);
    // THEN the object holds the ZIP and the layer version points at it
    const [object] = ofType(captured, 'alicloud:oss/bucketObject:BucketObject');
    expect(object.inputs).toEqual({ bucket: 'my-layers', key: `layersmith/${artifact.inputKey}.zip`, source: artifact.zipPath });
    expect(object.parent).toBe('fc-big');
    const [version] = ofType(captured, 'alicloud:fc/v3LayerVersion:V3LayerVersion');
    expect(version.inputs.code).toEqual({ ossBucketName: 'my-layers', ossObjectName: `layersmith/${artifact.inputKey}.zip`, checksum: artifact.manifest.zip.crc64 });
    // A public layer is shared, so it keeps old versions.
    expect(version.inputs.acl).toBe('1');
    expect(version.retainOnDelete).toBe(true);
  });

  test("upload: 'oss' sends even a small ZIP through OSS", async () => {
    const layer = new RuntimeLayer('fc-oss', {
      platform: 'alicloud',
      source: LayerSource.fromDirectory(layerDir),
      compatibleRuntimes: ['python3.12'],
      ossBucket: 'my-layers',
      ossKeyPrefix: 'team-a/',
      upload: 'oss',
      cacheDir,
    });
    await valueOf(layer.arn);
    const [version] = ofType(captured, 'alicloud:fc/v3LayerVersion:V3LayerVersion');
    expect(version.inputs.code.zipFile).toBeUndefined();
    expect(version.inputs.code.ossObjectName).toBe(`team-a/${layer.inputKey}.zip`);
  });
});

describe('RuntimeLayer refusals at construction', () => {
  const source = () => LayerSource.fromDirectory(layerDir);
  test.each([
    ['an unknown platform', { platform: 'gcp' }, /RuntimeLayer 'bad': unknown platform "gcp"/],
    ['an invalid layer name', { layerName: 'has space' }, /RuntimeLayer 'bad':[\s\S]*has space/],
    ['an unknown AWS runtime', { compatibleRuntimes: ['python2.9'] }, /RuntimeLayer 'bad':[\s\S]*python2\.9/],
    ['an account grant on FC', { platform: 'alicloud', grants: [LayerGrant.account('210987654321')] }, /Function Compute cannot share a layer with[\s\S]*LayerGrant\.public\(\)/],
    ['arm64 on FC', { platform: 'alicloud', compatibleArchitectures: ['arm64'] }, /RuntimeLayer 'bad':[\s\S]*arm64/],
    ['OSS settings on AWS', { ossBucket: 'b' }, /'ossBucket', 'ossKeyPrefix' and 'upload' are Function Compute settings[\s\S]*Fix: use s3Bucket/],
    ['S3 settings on FC', { platform: 'alicloud', s3Bucket: 'b' }, /'s3Bucket' and 's3KeyPrefix' are AWS settings\. Fix: use ossBucket/],
    ["upload 'oss' without a bucket", { platform: 'alicloud', upload: 'oss' }, /upload is 'oss' but no ossBucket/],
    ['a bad limit override', { limits: { maxInlineZipBytes: -1 } }, /RuntimeLayer 'bad': Limit override maxInlineZipBytes=-1/],
    ['a source that is not a LayerSource', { source: '/tmp' }, /'source' must be a LayerSource/],
  ])('%s', async (_what, override, message) => {
    // GIVEN / WHEN / THEN: the constructor throws before anything is built or registered
    const before = captured.length;
    expect(() => new RuntimeLayer('bad', {
      platform: 'aws', source: source(), compatibleRuntimes: ['python3.12'], cacheDir, ...override,
    } as any)).toThrow(message);
    await new Promise((r) => setTimeout(r, 50));
    expect(captured.slice(before)).toEqual([]);
  });
});
