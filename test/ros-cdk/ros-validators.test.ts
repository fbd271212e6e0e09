import * as ros from '@alicloud/ros-cdk-core';
import * as fc from '@alicloud/ros-cdk-fc3';
import { cleanupTmp, isolateCache, layerDir, makeApp, synthTemplate } from './helpers';
import { FunctionWithLayers, LayerGrant, LayerSource, RuntimeLayer } from '../../lib/ros-cdk';

beforeAll(isolateCache);
afterAll(cleanupTmp);

/**
 * ALIYUN::FC3::LayerVersion checked with ROS CDK's own validator primitives, the way a generated
 * ros-cdk-fc3 class checks its props before rendering (ros-cdk-fc3 1.11 has no class for this
 * type). Schema: Alibaba Cloud ROS reference for ALIYUN::FC3::LayerVersion.
 */
function validateLayerVersion(props: Record<string, any>): ros.ValidationResult {
  const errors = new ros.ValidationResults();
  errors.collect(ros.propertyValidator('LayerName', ros.requiredValidator)(props.LayerName));
  errors.collect(ros.propertyValidator('LayerName', ros.validateString)(props.LayerName));
  errors.collect(ros.propertyValidator('CompatibleRuntime', ros.listValidator(ros.validateString))(props.CompatibleRuntime));
  if (Array.isArray(props.CompatibleRuntime)) {
    errors.collect(ros.propertyValidator('CompatibleRuntime', ros.validateLength)({ data: props.CompatibleRuntime.length, min: 0, max: 20 }));
  }
  errors.collect(ros.propertyValidator('Description', ros.validateString)(props.Description));
  errors.collect(ros.propertyValidator('License', ros.validateString)(props.License));
  errors.collect(ros.propertyValidator('Acl', ros.validateString)(props.Acl));
  errors.collect(ros.propertyValidator('Acl', ros.validateAllowedValues)({ data: props.Acl, allowedValues: ['0', '1'] as any }));
  errors.collect(ros.propertyValidator('Code', (code: any) => {
    const inner = new ros.ValidationResults();
    for (const key of ['ZipFile', 'Checksum', 'OssBucketName', 'OssObjectName']) {
      inner.collect(ros.propertyValidator(key, ros.validateString)(code?.[key]));
    }
    return inner.wrap('supplied properties not correct for "CodeProperty"');
  })(props.Code));
  return errors.wrap('supplied properties not correct for "ALIYUN::FC3::LayerVersion"');
}

describe('what the ROS CDK front-end emits passes ROS CDK\'s validators', () => {
  test('GIVEN a private and a public layer WHEN their properties are validated like a ROS L1 THEN there is no error', () => {
    // GIVEN
    const t = makeApp();
    const layers = [
      new RuntimeLayer(t.stack, 'Private', {
        source: LayerSource.fromDirectory(layerDir({ 'python/a.py': 'A = 1\n' })),
        compatibleRuntimes: ['python3.10'],
        description: 'd',
        license: 'MIT',
      }),
      new RuntimeLayer(t.stack, 'Public', {
        source: LayerSource.fromDirectory(layerDir({ 'nodejs/node_modules/b/index.js': 'module.exports = 1;\n' })),
        compatibleRuntimes: ['nodejs20'],
        grants: [LayerGrant.public()],
      }),
    ];
    synthTemplate(t);

    // WHEN: tokens (asset bucket, ARNs) are checked unresolved, as ROS does; the lazy ACL resolved
    const results = layers.map((l) => {
      const props = { ...(l.resource as any)._rosProperties };
      props.Acl = t.stack.resolve(props.Acl);
      return validateLayerVersion(props);
    });

    // THEN
    for (const r of results) expect(r.errorTree()).toBe('');
    expect(results.every((r) => r.isSuccess)).toBe(true);
  });

  test('GIVEN the validator WHEN fed a wrong ACL THEN it fails (the check above is not vacuous)', () => {
    expect(validateLayerVersion({ LayerName: 'x', Acl: '2', CompatibleRuntime: ['python3.10'] }).isSuccess).toBe(false);
    expect(validateLayerVersion({ Acl: '0' }).isSuccess).toBe(false);
  });

  test('GIVEN a function with layers WHEN synthesized THEN ros-cdk-fc3\'s RosFunction validator accepted its properties', () => {
    // GIVEN
    const t = makeApp();
    const layer = new RuntimeLayer(t.stack, 'L', { source: LayerSource.fromDirectory(layerDir({ 'python/a.py': 'A = 1\n' })), compatibleRuntimes: ['python3.10'] });
    const fn = new FunctionWithLayers(t.stack, 'Fn', {
      functionName: 'fn',
      handler: 'index.handler',
      runtime: 'python3.10',
      code: { sourceCode: 'def handler(e, c):\n    return 1\n' },
      layers: [layer, RuntimeLayer.fromLayerVersionArn(t.stack, 'Official', 'acs:fc:cn-hangzhou:official:layers/Python310/versions/2')],
    });

    // WHEN
    synthTemplate(t);
    const rosFunction = fn.function.resource as fc.RosFunction;

    // THEN: the property constraint was on, and the validator ROS ran accepts the props we passed
    expect(t.stack.enableResourcePropertyConstraint).toBe(true);
    expect(rosFunction).toBeInstanceOf(fc.RosFunction);
    expect(rosFunction.layers).toHaveLength(2);
  });
});
