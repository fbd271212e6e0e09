import { TempTree } from './fixtures';
import { CapturedResource, installMocks, ofType, valueOf } from './mocks';
import { FunctionWithLayers, LayerGrant, LayerPermission, LayerSource, RuntimeLayer } from '../../lib/pulumi';

let captured: CapturedResource[];
let tree: TempTree;
let layerDir: string;

beforeAll(async () => {
  captured = await installMocks();
  tree = new TempTree();
  layerDir = tree.dir('layer', { 'nodejs/node_modules/greet/index.js': 'module.exports = () => "hi";\n' });
});
afterAll(() => tree.cleanup());
beforeEach(() => captured.splice(0));

function layer(name: string, platform: 'aws' | 'alicloud', extra: Record<string, unknown> = {}): RuntimeLayer {
  return new RuntimeLayer(name, {
    platform,
    source: LayerSource.fromDirectory(layerDir),
    compatibleRuntimes: [platform === 'aws' ? 'nodejs20.x' : 'nodejs20'],
    cacheDir: tree.path('cache'),
    ...extra,
  });
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('LayerPermission on AWS', () => {
  test('one LayerVersionPermission on the published version, and the layer becomes retained', async () => {
    // GIVEN a layer with no grants of its own
    const shared = layer('tools', 'aws');
    // WHEN a permission for an account is declared right after it
    const permission = new LayerPermission('tools-to-prod', { layer: shared, grant: LayerGrant.account('210987654321') });
    await valueOf(permission.permission!.urn);
    await settle();

    // THEN the permission targets the version the layer published, with the statement id from lib/core
    const [p] = ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission');
    expect(p.name).toBe('tools-to-prod');
    expect(p.parentType).toBe('layersmith:aws:LayerPermission');
    expect(p.inputs).toEqual({
      layerName: 'arn:aws:lambda:us-east-1:123456789012:layer:tools',
      versionNumber: 7,
      action: 'lambda:GetLayerVersion',
      principal: '210987654321',
      statementId: 'layersmith-account-210987654321',
      skipDestroy: true,
    });
    expect(p.retainOnDelete).toBe(true);
    expect(permission.statementId).toBe('layersmith-account-210987654321');
    // A shared layer keeps old versions: consumers may still pin them.
    const [version] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
    expect(version.retainOnDelete).toBe(true);
    expect(version.inputs.skipDestroy).toBe(true);
    expect(shared.grants.map((g) => g.key)).toEqual(['account-210987654321']);
  });

  test('an organization grant renders Principal * with the organization id', async () => {
    const shared = layer('org-tools', 'aws');
    const permission = new LayerPermission('org', { layer: shared, grant: LayerGrant.organization('o-a1b2c3d4e5') });
    await valueOf(permission.permission!.urn);
    await settle();
    const [p] = ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission');
    expect(p.inputs).toMatchObject({ principal: '*', organizationId: 'o-a1b2c3d4e5', statementId: 'layersmith-org-o-a1b2c3d4e5' });
  });

  test('a permission declared after the version exists is refused when the version was not retained', async () => {
    // GIVEN an unshared layer whose version is already declared
    const late = layer('late', 'aws');
    await valueOf(late.arn);
    // WHEN / THEN
    expect(() => new LayerPermission('late-share', { layer: late, grant: LayerGrant.public() }))
      .toThrow(/LayerPermission 'late-share': RuntimeLayer 'late' already declared its layer version without retention[\s\S]*Fix: set retainOldVersions/);
  });

  test('a permission declared later is fine when the layer retains its versions', async () => {
    // GIVEN a layer that retains versions explicitly
    const kept = layer('kept', 'aws', { retainOldVersions: true });
    await valueOf(kept.arn);
    // WHEN
    const permission = new LayerPermission('kept-public', { layer: kept, grant: LayerGrant.public() });
    await valueOf(permission.permission!.urn);
    await settle();
    // THEN
    const [p] = ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission');
    expect(p.inputs).toMatchObject({ principal: '*', statementId: 'layersmith-public' });
  });

  test.each([
    ['an account id that is not 12 digits', () => LayerGrant.account('1234'), /1234/],
    ['an account id with junk after the digits', () => LayerGrant.account('123456789012-junk'), /123456789012-junk/],
    ['an organization id of the wrong shape', () => LayerGrant.organization('org-1'), /org-1/],
  ])('refuses %s', async (_what, makeGrant, message) => {
    const target = layer('refusing', 'aws');
    expect(() => new LayerPermission('bad', { layer: target, grant: makeGrant() })).toThrow(message);
    await valueOf(target.arn);
  });

  test('refuses a layer that is not a RuntimeLayer', () => {
    expect(() => new LayerPermission('arn-only', { layer: 'arn:aws:lambda:us-east-1:123456789012:layer:x:1' as any, grant: LayerGrant.public() }))
      .toThrow(/LayerPermission 'arn-only': 'layer' must be a RuntimeLayer/);
  });
});

describe('LayerPermission on Alibaba FC', () => {
  test('a public grant makes the layer ACL public (1) and retained; no separate resource exists on FC', async () => {
    // GIVEN an FC layer and a public permission declared with it
    const fcLayer = layer('fc-public', 'alicloud');
    const permission = new LayerPermission('fc-public-acl', { layer: fcLayer, grant: LayerGrant.public() });
    // WHEN
    await valueOf(fcLayer.arn);
    await permission.permission;
    // THEN
    const [version] = ofType(captured, 'alicloud:fc/v3LayerVersion:V3LayerVersion');
    expect(version.inputs.acl).toBe('1');
    expect(version.retainOnDelete).toBe(true);
    expect(permission.acl).toBe('public');
    expect(captured.filter((r) => r.custom && r.parentType === 'layersmith:alicloud:LayerPermission')).toEqual([]);
    expect(await valueOf(fcLayer.acl)).toBe('public');
  });

  test('without grants the ACL is explicitly private (0)', async () => {
    const fcLayer = layer('fc-private', 'alicloud');
    await valueOf(fcLayer.arn);
    const [version] = ofType(captured, 'alicloud:fc/v3LayerVersion:V3LayerVersion');
    expect(version.inputs.acl).toBe('0');
  });

  test.each([
    ['an account grant', () => LayerGrant.account('210987654321')],
    ['an organization grant', () => LayerGrant.organization('o-a1b2c3d4e5')],
  ])('refuses %s with the lib/core explanation', async (_what, makeGrant) => {
    const fcLayer = layer('fc-refusing', 'alicloud');
    expect(() => new LayerPermission('fc-bad', { layer: fcLayer, grant: makeGrant() }))
      .toThrow(/LayerPermission 'fc-bad' for RuntimeLayer 'fc-refusing': Function Compute cannot share a layer[\s\S]*Fix: use LayerGrant\.public\(\)/);
    // Nothing was granted or registered: the layer stays private.
    expect(await valueOf(fcLayer.acl)).toBe('private');
    expect(captured.filter((r) => r.name === 'fc-bad')).toEqual([]);
  });

  test('a grant after the FC version is declared is refused: the ACL is part of the version request', async () => {
    const fcLayer = layer('fc-late', 'alicloud');
    await valueOf(fcLayer.arn);
    expect(() => new LayerPermission('fc-late-acl', { layer: fcLayer, grant: LayerGrant.public() }))
      .toThrow(/LayerPermission 'fc-late-acl': RuntimeLayer 'fc-late' already declared its FC layer version[\s\S]*Fix: pass the grant/);
  });
});

describe('LayerPermission declared late in the program', () => {
  // Longer than the build of this small layer takes: a version declared when its build is done
  // would already exist without the grant.
  const unrelatedWork = () => new Promise((r) => setTimeout(r, 300));

  test('on AWS, after the function and after an await, it still makes the layer shared: retained, with its statement', async () => {
    // GIVEN a layer, a function using it, and an await of unrelated work
    const tools = layer('late-aws', 'aws');
    const fn = new FunctionWithLayers('late-aws-fn', {
      platform: 'aws', layers: [tools], function: { runtime: 'nodejs20.x', handler: 'index.handler', role: 'arn:aws:iam::123456789012:role/r' },
    });
    await unrelatedWork();
    // WHEN the permission is declared only now
    const permission = new LayerPermission('late-aws-share', { layer: tools, grant: LayerGrant.account('210987654321') });
    await valueOf(fn.arn);
    await valueOf(permission.permission!.urn);
    await settle();
    // THEN the version is retained and carries the statement
    const [version] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
    expect(version.retainOnDelete).toBe(true);
    expect(version.inputs.skipDestroy).toBe(true);
    const [p] = ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission');
    expect(p.inputs).toMatchObject({ principal: '210987654321', versionNumber: 7, statementId: 'layersmith-account-210987654321' });
    expect(await valueOf(tools.retained)).toBe(true);
  });

  test('on FC, after the function and after an await, it still makes the layer ACL public', async () => {
    // GIVEN
    const tools = layer('late-fc', 'alicloud');
    const fn = new FunctionWithLayers('late-fc-fn', { platform: 'alicloud', layers: [tools], function: { runtime: 'nodejs20', handler: 'index.handler' } });
    await unrelatedWork();
    // WHEN
    new LayerPermission('late-fc-public', { layer: tools, grant: LayerGrant.public() });
    await valueOf(fn.arn);
    // THEN
    const [version] = ofType(captured, 'alicloud:fc/v3LayerVersion:V3LayerVersion');
    expect(version.inputs.acl).toBe('1');
    expect(version.retainOnDelete).toBe(true);
    expect(await valueOf(tools.acl)).toBe('public');
  });
});
