import { TempTree } from './fixtures';
import { CapturedResource, installMocks, ofType, valueOf } from './mocks';
import { LayerGrant, LayerPermission, LayerSource, RuntimeLayer } from '../../lib/pulumi';

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
    buildOptions: { cacheDir: tree.path('cache'), progress: false },
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
    await permission.permission;
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
    await permission.permission;
    await settle();
    const [p] = ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission');
    expect(p.inputs).toMatchObject({ principal: '*', organizationId: 'o-a1b2c3d4e5', statementId: 'layersmith-org-o-a1b2c3d4e5' });
  });

  test('a permission declared after the version exists is refused when the version was not retained', async () => {
    // GIVEN an unshared layer whose version is already declared
    const late = layer('late', 'aws');
    await late.published;
    // WHEN / THEN
    expect(() => new LayerPermission('late-share', { layer: late, grant: LayerGrant.public() }))
      .toThrow(/LayerPermission 'late-share': RuntimeLayer 'late' already declared its layer version without retention[\s\S]*Fix: set retainOldVersions/);
  });

  test('a permission declared later is fine when the layer retains its versions', async () => {
    // GIVEN a layer that retains versions explicitly
    const kept = layer('kept', 'aws', { retainOldVersions: true });
    await kept.published;
    // WHEN
    const permission = new LayerPermission('kept-public', { layer: kept, grant: LayerGrant.public() });
    await permission.permission;
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
    await target.published;
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
    expect((await fcLayer.published).acl).toBe('public');
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
    expect((await fcLayer.published).acl).toBe('private');
    expect(captured.filter((r) => r.name === 'fc-bad')).toEqual([]);
  });

  test('a grant after the FC version is declared is refused: the ACL is part of the version request', async () => {
    const fcLayer = layer('fc-late', 'alicloud');
    await fcLayer.published;
    expect(() => new LayerPermission('fc-late-acl', { layer: fcLayer, grant: LayerGrant.public() }))
      .toThrow(/LayerPermission 'fc-late-acl': RuntimeLayer 'fc-late' already declared its FC layer version[\s\S]*Fix: pass the grant/);
  });
});
