import { checkFcAclConsistency, LayerGrant, planGrants, statementIdFor, toGrantRecords } from '../../lib/core';

describe('LayerGrant validation (full matches)', () => {
  test('accepts a 12-digit account and root ARNs in the three partitions', () => {
    expect(LayerGrant.account('123456789012')).toMatchObject({ kind: 'account', principal: '123456789012', key: 'account-123456789012' });
    expect(LayerGrant.account('arn:aws:iam::123456789012:root').key).toBe('account-123456789012');
    expect(LayerGrant.account('arn:aws-cn:iam::123456789012:root').key).toBe('account-aws-cn-123456789012');
    expect(LayerGrant.account('arn:aws-us-gov:iam::123456789012:root').principal).toBe('arn:aws-us-gov:iam::123456789012:root');
  });

  test.each([
    '123456789012-junk', '12345678901', '1234567890123', ' 123456789012', 'arn:aws:iam::123456789012:root-x',
    'arn:aws:iam::123456789012:user/bob', 'arn:aws-iso:iam::123456789012:root', '*',
  ])('rejects the account %j naming the value, the rule and the fix', (id) => {
    expect(() => LayerGrant.account(id)).toThrow(
      `Invalid account for LayerGrant.account('${id}'): expected exactly 12 digits (e.g. 123456789012) or arn:aws:iam::<12 digits>:root `
      + '(partitions aws, aws-cn, aws-us-gov). Fix: pass the account id without spaces, dashes or extra text.');
  });

  test('organization ids: o- and 10-32 lower-case letters or digits', () => {
    expect(LayerGrant.organization('o-a1b2c3d4e5')).toMatchObject({ kind: 'organization', principal: '*', organizationId: 'o-a1b2c3d4e5' });
    expect(LayerGrant.organization(`o-${'a'.repeat(32)}`).organizationId).toHaveLength(34);
    for (const bad of ['o-a1b2c3d4e', `o-${'a'.repeat(33)}`, 'o-A1B2C3D4E5', 'o-a1b2c3d4e5-junk', 'a1b2c3d4e5']) {
      expect(() => LayerGrant.organization(bad)).toThrow(`Invalid organization id for LayerGrant.organization('${bad}'): expected o- followed by 10-32 lower-case letters or digits`);
    }
  });

  test('public is explicit and has principal *', () => {
    expect(LayerGrant.public()).toMatchObject({ kind: 'public', principal: '*', key: 'public' });
    expect(LayerGrant.public().toString()).toBe('public (everyone)');
  });
});

describe('planGrants on AWS', () => {
  test('one lambda:GetLayerVersion statement per grant, with stable ids, duplicates merged', () => {
    // GIVEN
    const grants = [
      LayerGrant.account('123456789012'), LayerGrant.account('arn:aws:iam::123456789012:root'),
      LayerGrant.organization('o-a1b2c3d4e5'), LayerGrant.public(),
    ];
    // WHEN
    const plan = planGrants('aws', grants, 'App/Layer');
    // THEN
    if (plan.platform !== 'aws') throw new Error('expected an AWS plan');
    expect(plan.statements.map((s) => [s.statementId, s.principal, s.organizationId, s.action])).toEqual([
      ['layersmith-account-123456789012', '123456789012', undefined, 'lambda:GetLayerVersion'],
      ['layersmith-org-o-a1b2c3d4e5', '*', 'o-a1b2c3d4e5', 'lambda:GetLayerVersion'],
      ['layersmith-public', '*', undefined, 'lambda:GetLayerVersion'],
    ]);
    for (const s of plan.statements) expect(s.statementId).toMatch(/^[a-zA-Z0-9_-]{1,100}$/);
    expect(planGrants('aws', [grants[2]], 'App/Layer')).toEqual(planGrants('aws', [grants[2]], 'Other'));
    expect(statementIdFor(LayerGrant.organization(`o-${'z'.repeat(32)}`)).length).toBeLessThanOrEqual(100);
  });

  test('no grants: no statements', () => {
    expect(planGrants('aws', [], 'App/Layer')).toEqual({ platform: 'aws', statements: [] });
  });

  test('a value that is not a LayerGrant is an error naming the subject', () => {
    expect(() => planGrants('aws', [{ kind: 'public' } as never], 'App/Layer')).toThrow(/^App\/Layer: every grant must be made with LayerGrant\.account\(\)/);
  });

  test('records carry the statement ids', () => {
    const plan = planGrants('aws', [LayerGrant.organization('o-a1b2c3d4e5')], 'App/Layer');
    expect(toGrantRecords(plan)).toEqual([{ kind: 'organization', principal: '*', organizationId: 'o-a1b2c3d4e5', statementId: 'layersmith-org-o-a1b2c3d4e5' }]);
  });
});

describe('planGrants on Function Compute', () => {
  test('no grants is a private ACL (0), public() a public ACL (1)', () => {
    expect(planGrants('alicloud', [], 'App/Layer')).toEqual({ platform: 'alicloud', acl: 'private', aclValue: '0' });
    const pub = planGrants('alicloud', [LayerGrant.public()], 'App/Layer');
    expect(pub).toEqual({ platform: 'alicloud', acl: 'public', aclValue: '1' });
    expect(toGrantRecords(pub)).toEqual([{ kind: 'public', principal: '*' }]);
    expect(toGrantRecords(planGrants('alicloud', [], 'x'))).toEqual([]);
  });

  test('account and organization grants are an error saying why and what to do instead', () => {
    expect(() => planGrants('alicloud', [LayerGrant.public(), LayerGrant.account('123456789012'), LayerGrant.organization('o-a1b2c3d4e5')], 'App/Layer')).toThrow(
      'App/Layer: Function Compute cannot share a layer with account 123456789012, organization o-a1b2c3d4e5: an FC layer has only a layer-wide ACL, '
      + 'private (0) or public (1), and no per-account or per-organization sharing. Fix: use LayerGrant.public() to let anyone with the ARN use it, '
      + 'or publish a copy of the layer in the other account.');
  });

  test('versions of one layer with different ACLs are an error; equal ACLs are fine', () => {
    expect(() => checkFcAclConsistency([{ version: '1', acl: 'public' }, { version: '2', acl: 'public' }], 'App/Layer')).not.toThrow();
    expect(() => checkFcAclConsistency([], 'App/Layer')).not.toThrow();
    expect(() => checkFcAclConsistency([{ version: '1', acl: 'public' }, { version: '2', acl: 'private' }], 'App/Layer')).toThrow(
      /^App\/Layer: Function Compute layer versions disagree on the ACL \(version 1: public, version 2: private\), but FC keeps one ACL per layer.*Fix: /);
  });
});
