import * as ros from '@alicloud/ros-cdk-core';
import { cleanupTmp, isolateCache, layerDir, makeApp, onlyResource, resourcesOfType, synthTemplate } from './helpers';
import { readAssemblyRecords } from '../../lib/core/assembly';
import type { LayerRecord } from '../../lib/core/assembly';
import { FC3_LAYER_VERSION_TYPE, LayerGrant, LayerPermission, LayerSource, RuntimeLayer } from '../../lib/ros-cdk';

beforeAll(isolateCache);
afterAll(cleanupTmp);

interface TestLayerProps {
  readonly layerName?: string;
  readonly grants?: LayerGrant[];
  readonly removalPolicy?: ros.RemovalPolicy;
}

function pythonLayer(scope: ros.Construct, id: string, props: TestLayerProps = {}): RuntimeLayer {
  return new RuntimeLayer(scope, id, {
    source: LayerSource.fromDirectory(layerDir({ 'python/shared.py': `ID = ${JSON.stringify(id)}\n` })),
    compatibleRuntimes: ['python3.10'],
    ...props,
  });
}

describe('LayerPermission', () => {
  test('GIVEN a public grant WHEN synthesized THEN the layer ACL is "1", old versions are retained and no extra resource is emitted', () => {
    // GIVEN
    const t = makeApp();
    const layer = pythonLayer(t.stack, 'Shared', { layerName: 'shared' });
    const permission = new LayerPermission(t.stack, 'Everyone', { layer, grant: LayerGrant.public() });

    // WHEN
    const template = synthTemplate(t);

    // THEN
    expect(permission.acl).toBe('public');
    expect(permission.grant.kind).toBe('public');
    const { resource } = onlyResource(template, FC3_LAYER_VERSION_TYPE);
    expect(resource.Properties.Acl).toBe('1');
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(Object.keys(template.Resources)).toHaveLength(1);
    const record = readAssemblyRecords(t.outdir).find((r) => r.kind === 'layer') as LayerRecord;
    expect(record).toEqual(expect.objectContaining({ acl: 'public', retention: 'retain', grants: [{ kind: 'public', principal: '*' }] }));
  });

  test('GIVEN a public grant in the layer props WHEN synthesized THEN the ACL is public', () => {
    const t = makeApp();
    pythonLayer(t.stack, 'Open', { grants: [LayerGrant.public()] });
    expect(onlyResource(synthTemplate(t), FC3_LAYER_VERSION_TYPE).resource.Properties.Acl).toBe('1');
  });

  test('GIVEN a public layer with an explicit DESTROY policy WHEN synthesized THEN the override wins', () => {
    const t = makeApp();
    pythonLayer(t.stack, 'Open', { grants: [LayerGrant.public()], removalPolicy: ros.RemovalPolicy.DESTROY });
    expect(onlyResource(synthTemplate(t), FC3_LAYER_VERSION_TYPE).resource.DeletionPolicy).toBe('Delete');
  });

  test('GIVEN a private layer with an explicit RETAIN policy WHEN synthesized THEN it is retained', () => {
    const t = makeApp();
    pythonLayer(t.stack, 'Kept', { removalPolicy: ros.RemovalPolicy.RETAIN });
    const { resource } = onlyResource(synthTemplate(t), FC3_LAYER_VERSION_TYPE);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.Properties.Acl).toBe('0');
  });

  test('GIVEN an account grant WHEN the permission is created THEN it fails with the construct path and what FC offers instead', () => {
    // GIVEN
    const t = makeApp();
    const layer = pythonLayer(t.stack, 'Shared');

    // WHEN / THEN
    expect(() => new LayerPermission(t.stack, 'Partner', { layer, grant: LayerGrant.account('123456789012') }))
      .toThrow(/LayersStack\/Partner[\s\S]*(per-account|account)[\s\S]*public/i);
    // nothing was changed on the layer
    expect(layer.aclValue).toBe('private');
  });

  test('GIVEN an organization grant WHEN the permission is created THEN it fails with the construct path', () => {
    const t = makeApp();
    const layer = pythonLayer(t.stack, 'Shared');
    expect(() => new LayerPermission(t.stack, 'Org', { layer, grant: LayerGrant.organization('o-abcdefghij') }))
      .toThrow(/LayersStack\/Org[\s\S]*organi[sz]ation/i);
  });

  test('GIVEN an account grant in the layer props WHEN the layer is created THEN it fails with the layer path', () => {
    const t = makeApp();
    expect(() => pythonLayer(t.stack, 'Direct', { grants: [LayerGrant.account('123456789012')] }))
      .toThrow(/LayersStack\/Direct/);
  });

  test('GIVEN a layer imported by ARN WHEN a permission targets it THEN it fails saying the ACL belongs to the owner', () => {
    const t = makeApp();
    const imported = RuntimeLayer.fromLayerVersionArn(t.stack, 'Official', 'acs:fc:cn-hangzhou:official:layers/Python310/versions/2');
    expect(() => new LayerPermission(t.stack, 'Share', { layer: imported, grant: LayerGrant.public() }))
      .toThrow(/LayersStack\/Share: LayerPermission can only set the ACL of a RuntimeLayer defined in this app[\s\S]*acs:fc:cn-hangzhou:official:layers\/Python310\/versions\/2/);
  });

  test('GIVEN two versions of one layer with different ACLs WHEN synthesized THEN synth fails naming both versions', () => {
    // GIVEN
    const t = makeApp();
    pythonLayer(t.stack, 'V1', { layerName: 'common-libs' });
    pythonLayer(t.stack, 'V2', { layerName: 'common-libs', grants: [LayerGrant.public()] });

    // WHEN / THEN
    expect(() => t.app.synth()).toThrow(/LayersStack\/V1[\s\S]*LayersStack\/V2|LayersStack\/V2[\s\S]*LayersStack\/V1/);
  });

  test('GIVEN two versions of one layer with the same ACL WHEN synthesized THEN both are emitted', () => {
    const t = makeApp();
    pythonLayer(t.stack, 'V1', { layerName: 'common-libs', grants: [LayerGrant.public()] });
    pythonLayer(t.stack, 'V2', { layerName: 'common-libs', grants: [LayerGrant.public()] });
    const layers = Object.values(resourcesOfType(synthTemplate(t), FC3_LAYER_VERSION_TYPE));
    expect(layers.map((l) => l.Properties.Acl)).toEqual(['1', '1']);
  });
});
