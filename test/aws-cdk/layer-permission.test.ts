import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { cleanupTempDirs, newApp, tempDir, writeTree } from './util';
import { LayerGrant, LayerPermission, LayerSource, RuntimeLayer } from '../../lib/aws-cdk';

afterAll(cleanupTempDirs);

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:shared:4';

function importedLayerStack() {
  const stack = new Stack(newApp(), 'Stack');
  return { stack, layer: RuntimeLayer.fromLayerVersionArn(stack, 'Shared', ARN) };
}

describe('LayerPermission rendering', () => {
  test('GIVEN an account grant WHEN rendered THEN one permission with that principal on the layer version', () => {
    // GIVEN
    const { stack, layer } = importedLayerStack();

    // WHEN
    const permission = new LayerPermission(stack, 'Analytics', { layer, grant: LayerGrant.account('111122223333') });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersionPermission', {
      Action: 'lambda:GetLayerVersion', LayerVersionArn: ARN, Principal: '111122223333', OrganizationId: Match.absent(),
    });
    expect(permission.statementId).toBe('layersmith-account-111122223333');
  });

  test('GIVEN an organization grant WHEN rendered THEN Principal is * with the OrganizationId', () => {
    const { stack, layer } = importedLayerStack();
    new LayerPermission(stack, 'Org', { layer, grant: LayerGrant.organization('o-a1b2c3d4e5') });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersionPermission', {
      Action: 'lambda:GetLayerVersion', LayerVersionArn: ARN, Principal: '*', OrganizationId: 'o-a1b2c3d4e5',
    });
  });

  test('GIVEN a public grant WHEN rendered THEN Principal is * without an organization', () => {
    const { stack, layer } = importedLayerStack();
    new LayerPermission(stack, 'Everyone', { layer, grant: LayerGrant.public() });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersionPermission', {
      Principal: '*', OrganizationId: Match.absent(),
    });
  });

  test('GIVEN aws-cdk-lib permission shapes WHEN rendered THEN they map to the same grants', () => {
    // GIVEN
    const { stack, layer } = importedLayerStack();

    // WHEN
    const account = new LayerPermission(stack, 'A', { layer, grant: { accountId: 'arn:aws:iam::111122223333:root' } });
    const org = new LayerPermission(stack, 'O', { layer, grant: { accountId: '*', organizationId: 'o-a1b2c3d4e5' } });
    const everyone = new LayerPermission(stack, 'P', { layer, grant: { accountId: '*' } });

    // THEN
    expect([account.grant.kind, org.grant.kind, everyone.grant.kind]).toEqual(['account', 'organization', 'public']);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::LayerVersionPermission', 3);
  });

  test('GIVEN a permission on a layer that is not a RuntimeLayer WHEN rendered THEN it is retained by default and removalPolicy overrides', () => {
    // GIVEN
    const { stack, layer } = importedLayerStack();

    // WHEN
    new LayerPermission(stack, 'Kept', { layer, grant: LayerGrant.account('111122223333') });
    new LayerPermission(stack, 'Dropped', { layer, grant: LayerGrant.account('444455556666'), removalPolicy: RemovalPolicy.DESTROY });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Lambda::LayerVersionPermission', { Properties: { Principal: '111122223333' }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::Lambda::LayerVersionPermission', { Properties: { Principal: '444455556666' }, DeletionPolicy: 'Delete' });
  });
});

describe('LayerPermission identity across versions', () => {
  test('GIVEN a RuntimeLayer whose content changes WHEN synthesized twice THEN the permission keeps its logical id and follows the new version by Ref', () => {
    // GIVEN
    const cacheDir = tempDir();
    const synth = (content: string) => {
      const stack = new Stack(newApp(), 'Stack');
      new RuntimeLayer(stack, 'Tools', {
        source: LayerSource.fromDirectory(writeTree({ 'bin/tool': content })),
        compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
        grants: [LayerGrant.account('111122223333'), LayerGrant.organization('o-a1b2c3d4e5')],
        cacheDir,
      });
      const template = Template.fromStack(stack);
      return {
        permissions: template.findResources('AWS::Lambda::LayerVersionPermission'),
        layerKey: Object.values(template.findResources('AWS::Lambda::LayerVersion'))[0].Properties.Content.S3Key,
      };
    };

    // WHEN
    const v1 = synth('one\n');
    const v2 = synth('two\n');

    // THEN: a new version (new content key), the same permission resources, each referring to the layer
    expect(v2.layerKey).not.toBe(v1.layerKey);
    expect(Object.keys(v2.permissions)).toEqual(Object.keys(v1.permissions));
    expect(Object.keys(v1.permissions)).toHaveLength(2);
    for (const p of Object.values(v2.permissions)) {
      expect(p.Properties.LayerVersionArn).toEqual({ Ref: expect.stringMatching(/^Tools/) });
    }
  });
});

describe('LayerPermission errors', () => {
  test.each([
    [{ accountId: '12345678901' }, /Stack\/Bad: Invalid account.*'12345678901'.*12 digits/],
    [{ accountId: '123456789012-junk' }, /Stack\/Bad: Invalid account.*123456789012-junk/],
    [{ accountId: '*', organizationId: 'o-short' }, /Stack\/Bad: Invalid organization id.*o-short.*10-32/],
    [{ accountId: '123456789012', organizationId: 'o-a1b2c3d4e5' }, /Stack\/Bad: an organization grant needs accountId '\*'.*LayerGrant\.organization\('o-a1b2c3d4e5'\)/],
    [{ nothing: true }, /Stack\/Bad: expected a LayerGrant or \{ accountId, organizationId\? \}/],
  ])('GIVEN grant %j WHEN constructed THEN it throws with the construct path, the rule and the fix', (grant, expected) => {
    const { stack, layer } = importedLayerStack();
    expect(() => new LayerPermission(stack, 'Bad', { layer, grant: grant as any })).toThrow(expected);
    expect(stack.node.findAll().filter((c) => c instanceof lambda.CfnLayerVersionPermission)).toEqual([]);
  });
});
