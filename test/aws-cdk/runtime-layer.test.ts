import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { cleanupTempDirs, elfHeader, listFiles, newApp, tempDir, writeTree } from './util';
import { LayerGrant, LayerPermission, LayerSource, RuntimeLayer } from '../../lib/aws-cdk';
import { readAssemblyManifest, readAssemblyRecords } from '../../lib/core/assembly';
import type { LayerRecord } from '../../lib/core/assembly';
import { LayersmithBuildError, LayersmithError, LayersmithValidationError } from '../../lib/core/errors';

afterAll(cleanupTempDirs);

const TOOLS = {
  'bin/hello': { content: '#!/bin/sh\necho hello\n', mode: 0o755 },
  'lib/greeting.txt': 'hello from the layer\n',
};

function layerResources(stack: Stack): Record<string, any> {
  return Template.fromStack(stack).findResources('AWS::Lambda::LayerVersion');
}

function onlyLayer(stack: Stack): any {
  const layers = Object.values(layerResources(stack));
  expect(layers).toHaveLength(1);
  return layers[0];
}

describe('RuntimeLayer build through the CDK bundling hook', () => {
  test('GIVEN a directory source WHEN synthesized THEN the LayerVersion carries the declared props and our ZIP bytes are the asset', () => {
    // GIVEN
    const cacheDir = tempDir();
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const layer = new RuntimeLayer(stack, 'Tools', {
      source: LayerSource.fromDirectory(writeTree(TOOLS)),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12, lambda.Runtime.NODEJS_20_X],
      layerName: 'tools',
      description: 'shell tools',
      license: 'MIT',
      cacheDir,
    });

    // WHEN
    const template = Template.fromStack(stack);
    const assembly = app.synth();

    // THEN
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['python3.12', 'nodejs20.x'],
      CompatibleArchitectures: ['x86_64'],
      LayerName: 'tools',
      Description: 'shell tools',
      LicenseInfo: 'MIT',
      Content: { S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
    });
    expect(layer.isBuilt).toBe(true);
    const s3Key: string = onlyLayer(stack).Properties.Content.S3Key;
    const staged = path.join(assembly.directory, `asset.${s3Key}`);
    const bytes = fs.readFileSync(staged);
    expect(crypto.createHash('sha256').update(bytes).digest('base64')).toBe(layer.manifest!.zip.sha256);
    expect(layer.manifest!.entries.map((e) => e.path)).toEqual(expect.arrayContaining(['bin/hello', 'lib/greeting.txt']));
  });

  test('GIVEN the same inputs in two apps, one with touched mtimes WHEN synthesized THEN the asset key is the same; changed content changes it', () => {
    // GIVEN
    const cacheDir = tempDir();
    const dir = writeTree(TOOLS);
    const synthKey = () => {
      const stack = new Stack(newApp(), 'Stack');
      new RuntimeLayer(stack, 'Tools', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: [lambda.Runtime.PYTHON_3_12], cacheDir });
      return onlyLayer(stack).Properties.Content.S3Key as string;
    };

    // WHEN
    const first = synthKey();
    const later = new Date(Date.now() + 3_600_000);
    fs.utimesSync(path.join(dir, 'bin/hello'), later, later);
    const afterTouch = synthKey();
    fs.writeFileSync(path.join(dir, 'lib/greeting.txt'), 'changed\n');
    const afterEdit = synthKey();

    // THEN
    expect(afterTouch).toBe(first);
    expect(afterEdit).not.toBe(first);
  });

  test('GIVEN bundling skipped for the stack WHEN synthesized THEN the template is identical and nothing is built', () => {
    // GIVEN
    const dir = writeTree(TOOLS);
    const define = (app: ReturnType<typeof newApp>, cacheDir: string) => {
      const stack = new Stack(app, 'Stack');
      const layer = new RuntimeLayer(stack, 'Tools', {
        source: LayerSource.fromDirectory(dir),
        compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
        grants: [LayerGrant.account('123456789012')],
        cacheDir,
      });
      return { stack, layer };
    };
    const built = define(newApp(), tempDir());
    const skippedCache = tempDir();
    const skippedApp = newApp({ 'aws:cdk:bundling-stacks': [] });

    // WHEN
    const skipped = define(skippedApp, skippedCache);
    const skippedTemplate = Template.fromStack(skipped.stack).toJSON();

    // THEN
    expect(skippedTemplate).toEqual(Template.fromStack(built.stack).toJSON());
    expect(skipped.layer.isBuilt).toBe(false);
    expect(skipped.layer.manifest).toBeUndefined();
    // nothing built or cached: at most the key's digest record (which files it has hashed) is kept
    expect(listFiles(skippedCache).filter((f) => !f.startsWith('digests/'))).toEqual([]);
    const record = readAssemblyRecords(skippedApp.outdir).find((r) => r.kind === 'layer') as LayerRecord;
    expect(record.manifestFile).toBeUndefined();
    expect(record.inputKey).toBe(built.layer.inputKey);
  });

  test('GIVEN asset metadata on (as the cdk CLI sets it) and bundling skipped WHEN synthesized THEN only CDK\'s aws:asset:path differs', () => {
    // GIVEN
    const dir = writeTree(TOOLS);
    const resources = (context: Record<string, unknown>) => {
      const stack = new Stack(newApp({ 'aws:cdk:enable-asset-metadata': true, ...context }), 'Stack');
      new RuntimeLayer(stack, 'Tools', { source: LayerSource.fromDirectory(dir), compatibleRuntimes: [lambda.Runtime.PYTHON_3_12], cacheDir: tempDir() });
      return Template.fromStack(stack).toJSON().Resources;
    };

    // WHEN
    const built = resources({});
    const skipped = resources({ 'aws:cdk:bundling-stacks': [] });

    // THEN: like every bundled CDK asset, a skipped one points at its source instead of cdk.out
    const [id] = Object.keys(built);
    expect(built[id].Metadata['aws:asset:path']).toMatch(/^asset\.[0-9a-f]{64}\.zip$/);
    expect(skipped[id].Metadata['aws:asset:path']).toBe(dir);
    const withoutPath = (r: any) => ({ ...r[id], Metadata: { ...r[id].Metadata, 'aws:asset:path': undefined } });
    expect(withoutPath(skipped)).toEqual(withoutPath(built));
  });

  test('GIVEN a layer WHEN synthesized THEN its manifest and one record are in the cloud assembly', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const layer = new RuntimeLayer(stack, 'Tools', {
      source: LayerSource.fromDirectory(writeTree(TOOLS)),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      compatibleArchitectures: [lambda.Architecture.ARM_64, lambda.Architecture.X86_64],
      layerName: 'tools',
      grants: [LayerGrant.organization('o-a1b2c3d4e5')],
      cacheDir: tempDir(),
    });

    // WHEN
    const outdir = app.synth().directory;

    // THEN
    const records = readAssemblyRecords(outdir);
    expect(records).toHaveLength(1);
    const record = records[0] as LayerRecord;
    expect(record).toMatchObject({
      kind: 'layer',
      platform: 'aws',
      framework: 'aws-cdk',
      stack: 'Stack',
      path: 'Stack/Tools',
      layerName: 'tools',
      compatibleRuntimes: ['python3.12'],
      compatibleArchitectures: ['arm64', 'x86_64'],
      inputKey: layer.inputKey,
      retention: 'retain',
      grants: [{ kind: 'organization', principal: '*', organizationId: 'o-a1b2c3d4e5', statementId: 'layersmith-org-o-a1b2c3d4e5' }],
    });
    expect(readAssemblyManifest(outdir, record)).toEqual(layer.manifest);
  });
});

describe('RuntimeLayer checks', () => {
  test('GIVEN a layer with an arm64 ELF binary declared for x86_64 WHEN synthesized THEN synth fails naming the path, the rule and the binary', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    new RuntimeLayer(stack, 'Native', {
      source: LayerSource.fromDirectory(writeTree({ 'bin/tool': { content: elfHeader('arm64'), mode: 0o755 } })),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      compatibleArchitectures: [lambda.Architecture.X86_64],
      cacheDir: tempDir(),
    });

    // WHEN / THEN
    expect(() => app.synth()).toThrow(/Stack\/Native.*LS-NATIVE-BINARY.*bin\/tool/s);
    expect(fs.existsSync(path.join(app.outdir, 'layersmith'))).toBe(false);
  });

  test('GIVEN the same binary declared for arm64 WHEN synthesized THEN synth succeeds', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    new RuntimeLayer(stack, 'Native', {
      source: LayerSource.fromDirectory(writeTree({ 'bin/tool': { content: elfHeader('arm64'), mode: 0o755 } })),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      cacheDir: tempDir(),
    });

    // WHEN / THEN
    expect(() => app.synth()).not.toThrow();
  });

  test('GIVEN python content at the zip root for a Python runtime WHEN synthesized THEN synth fails with the layout rule and the expected layout', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    new RuntimeLayer(stack, 'Flat', {
      source: LayerSource.fromDirectory(writeTree({ 'requests/__init__.py': '' })),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      cacheDir: tempDir(),
    });

    // WHEN / THEN
    expect(() => app.synth()).toThrow(/Stack\/Flat.*LS-LAYOUT.*python\//s);
  });

  test('GIVEN an invalid layer name and description WHEN constructed THEN it throws with the path and both rules, and nothing is built', () => {
    // GIVEN
    const cacheDir = tempDir();
    const stack = new Stack(newApp(), 'Stack');

    // WHEN / THEN
    expect(() => new RuntimeLayer(stack, 'Bad', {
      source: LayerSource.fromDirectory(writeTree(TOOLS)),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      layerName: 'bad name!',
      description: 'x'.repeat(257),
      cacheDir,
    })).toThrow(/Stack\/Bad: invalid RuntimeLayer props:\n.*bad name!.*\n.*257/);
    expect(listFiles(cacheDir)).toEqual([]);
  });

  test('GIVEN no compatible runtime WHEN constructed THEN it throws with the path and the fix', () => {
    const stack = new Stack(newApp(), 'Stack');
    expect(() => new RuntimeLayer(stack, 'NoRuntime', {
      source: LayerSource.fromDirectory(writeTree(TOOLS)),
      compatibleRuntimes: [],
    })).toThrow(/Stack\/NoRuntime: RuntimeLayer needs at least one compatible runtime.*PYTHON_3_12/);
  });

  test('GIVEN a python source whose requirement is not in the local wheels WHEN constructed THEN it throws and no bundle is left in the assembly', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const wheels = tempDir('ls-wheels-');

    // WHEN / THEN
    expect(() => new RuntimeLayer(stack, 'Py', {
      source: LayerSource.python({ packages: ['definitely-not-here==1.0'], findLinks: [wheels], noIndex: true }),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      cacheDir: tempDir(),
    })).toThrow(/Stack\/Py[\s\S]*definitely-not-here/);
    expect(listFiles(app.outdir).filter((f) => f.startsWith('asset.') || f.startsWith('bundling-temp'))).toEqual([]);
    expect(fs.readdirSync(app.outdir).filter((f) => f.startsWith('asset.'))).toEqual([]);
  });
  test('GIVEN a command that fails WHEN constructed THEN the engine error comes back through the sync build child as a LayersmithError with its code and the construct path', () => {
    // GIVEN a build command that exits 3 (it runs in the synchronous build child process)
    const stack = new Stack(newApp(), 'Stack');
    const dir = writeTree({ 'build.sh': 'echo broken >&2; exit 3\n' });

    // WHEN
    let error: unknown;
    try {
      new RuntimeLayer(stack, 'Broken', {
        source: LayerSource.command({ command: ['sh', path.join(dir, 'build.sh')], cwd: dir, inputs: [dir] }),
        compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
        cacheDir: tempDir(),
      });
    } catch (err) {
      error = err;
    }

    // THEN the class, code and path survive, and the message starts with the construct path
    expect(error).toBeInstanceOf(LayersmithError);
    expect(error).toBeInstanceOf(LayersmithBuildError);
    expect((error as LayersmithError).code).toBe('COMMAND_FAILED');
    expect((error as LayersmithError).constructPath).toBe('Stack/Broken');
    expect((error as Error).message).toMatch(/^Stack\/Broken: building the command layer failed: .*exit code 3/);
  });

  test('GIVEN a bad prop WHEN constructed THEN the error is a LayersmithValidationError with the construct path', () => {
    const stack = new Stack(newApp(), 'Stack');
    let error: unknown;
    try {
      new RuntimeLayer(stack, 'Bad', { source: LayerSource.fromDirectory(writeTree(TOOLS)), compatibleRuntimes: [lambda.Runtime.PYTHON_3_12], layerName: 'bad name!' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LayersmithValidationError);
    expect((error as LayersmithError).code).toBe('INVALID_PROPS');
    expect((error as LayersmithError).constructPath).toBe('Stack/Bad');
  });
});

describe('RuntimeLayer retention and grants', () => {
  const define = (props: { grants?: LayerGrant[]; removalPolicy?: RemovalPolicy }) => {
    const stack = new Stack(newApp(), 'Stack');
    const layer = new RuntimeLayer(stack, 'Shared', {
      source: LayerSource.fromDirectory(writeTree(TOOLS)),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      cacheDir: tempDir(),
      ...props,
    });
    return { stack, layer };
  };

  test('GIVEN a shared layer WHEN synthesized THEN the version and its permissions are retained on update and removal', () => {
    // GIVEN
    const { stack } = define({ grants: [LayerGrant.account('123456789012'), LayerGrant.organization('o-a1b2c3d4e5')] });

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.hasResource('AWS::Lambda::LayerVersion', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const permissions = Object.values(template.findResources('AWS::Lambda::LayerVersionPermission'));
    expect(permissions).toHaveLength(2);
    for (const p of permissions) {
      expect(p).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  test('GIVEN a layer with no grant WHEN synthesized THEN CloudFormation default deletion applies', () => {
    const { stack } = define({});
    const layer = onlyLayer(stack);
    expect(layer.DeletionPolicy).toBeUndefined();
    expect(layer.UpdateReplacePolicy).toBeUndefined();
  });

  test('GIVEN a shared layer with removalPolicy DESTROY WHEN synthesized THEN the explicit policy wins on the version and its permissions', () => {
    // GIVEN
    const { stack } = define({ grants: [LayerGrant.public()], removalPolicy: RemovalPolicy.DESTROY });

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.hasResource('AWS::Lambda::LayerVersion', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    template.hasResource('AWS::Lambda::LayerVersionPermission', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('GIVEN a grant added later with grantUsage (twice) WHEN synthesized THEN one permission exists and the layer becomes retained', () => {
    // GIVEN
    const { stack, layer } = define({});

    // WHEN
    const first = layer.grantUsage(LayerGrant.account('123456789012'));
    const again = layer.grantUsage(LayerGrant.account('123456789012'));

    // THEN
    expect(again).toBe(first);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::LayerVersionPermission', 1);
    template.hasResource('AWS::Lambda::LayerVersion', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(layer.grants.map((g) => g.key)).toEqual(['account-123456789012']);
  });

  test('GIVEN a LayerPermission created directly on a RuntimeLayer WHEN synthesized THEN the layer counts as shared: retained and recorded', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'Stack');
    const layer = new RuntimeLayer(stack, 'Shared', {
      source: LayerSource.fromDirectory(writeTree(TOOLS)), compatibleRuntimes: [lambda.Runtime.PYTHON_3_12], cacheDir: tempDir(),
    });

    // WHEN
    new LayerPermission(stack, 'Direct', { layer, grant: LayerGrant.account('444455556666') });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Lambda::LayerVersion', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::Lambda::LayerVersionPermission', { DeletionPolicy: 'Retain', Properties: { Principal: '444455556666' } });
    const record = readAssemblyRecords(app.synth().directory).find((r) => r.kind === 'layer') as LayerRecord;
    expect(record.retention).toBe('retain');
    expect(record.grants.map((g) => g.principal)).toEqual(['444455556666']);
  });

  test('GIVEN aws-cdk-lib addPermission WHEN called with an organization THEN it becomes a validated organization grant', () => {
    // GIVEN
    const { stack, layer } = define({});

    // WHEN
    layer.addPermission('Org', { accountId: '*', organizationId: 'o-a1b2c3d4e5' });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersionPermission', {
      Action: 'lambda:GetLayerVersion', Principal: '*', OrganizationId: 'o-a1b2c3d4e5',
    });
    expect(() => layer.addPermission('Bad', { accountId: '12345' })).toThrow(/Stack\/Shared: Invalid account.*12345.*12 digits/);
  });
});

describe('RuntimeLayer.fromLayerVersionArn', () => {
  test('GIVEN a valid ARN WHEN imported THEN it is usable as a layer with that ARN', () => {
    const stack = new Stack(newApp(), 'Stack');
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:layer:shared-tools:7';
    const layer = RuntimeLayer.fromLayerVersionArn(stack, 'Imported', arn);
    expect(layer.layerVersionArn).toBe(arn);
    expect(layer.compatibleRuntimes).toBeUndefined();
  });

  test('GIVEN an ARN without a version WHEN imported THEN it throws with the construct path', () => {
    const stack = new Stack(newApp(), 'Stack');
    expect(() => RuntimeLayer.fromLayerVersionArn(stack, 'Imported', 'arn:aws:lambda:eu-west-1:123456789012:layer:shared-tools'))
      .toThrow(/^Stack\/Imported: .*arn:aws:lambda:eu-west-1:123456789012:layer:shared-tools/);
  });
});
