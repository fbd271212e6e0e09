import { ALIBABA_FC, AWS_LAMBDA, getPlatform } from '../../lib/core';

describe('platform profiles', () => {
  test('AWS Lambda encodes the documented limits and last-wins precedence', () => {
    // GIVEN / WHEN
    const p = getPlatform('aws');
    // THEN
    expect(p).toBe(AWS_LAMBDA);
    expect(p.precedence).toBe('last-wins');
    expect(p.limits.maxLayersPerFunction).toBe(5);
    expect(p.limits.maxUnzippedBytes).toBe(262_144_000);
    expect(p.limits.maxInlineZipBytes).toBe(52_428_800);
    expect(p.limits.layerName).toMatchObject({ min: 1, max: 140 });
    expect(p.limits.maxDescriptionLength).toBe(256);
    expect(p.limits.maxLicenseLength).toBe(512);
    expect(p.limits.maxCompatibleRuntimes).toBe(15);
    expect(p.limits.maxArchitectures).toBe(2);
    expect(p.limits.codeStorageBytes).toBe(75 * 1024 ** 3);
    expect(p.supportedArchitectures).toEqual(['x86_64', 'arm64']);
    expect(p.functionCodeDir).toBe('/var/task');
    expect(p.layerMountDir).toBe('/opt');
    expect(p.checksum).toEqual({ kind: 'sha256-base64', field: 'CodeSha256' });
    expect(p.sharing).toBe('per-version-statements');
    expect(p.unconfirmed).toEqual([]);
  });

  test('Function Compute encodes first-wins precedence, x86_64 only, and flags unconfirmed limits', () => {
    // GIVEN / WHEN
    const p = getPlatform('alicloud');
    // THEN
    expect(p).toBe(ALIBABA_FC);
    expect(p.precedence).toBe('first-wins');
    expect(p.limits.maxLayersPerFunction).toBe(5);
    expect(p.limits.layerName).toMatchObject({ min: 1, max: 64 });
    expect(p.limits.maxDescriptionLength).toBe(256);
    expect(p.limits.maxLicenseLength).toBeUndefined();
    expect(p.limits.maxCompatibleRuntimes).toBe(20);
    expect(p.limits.maxArchitectures).toBe(0);
    expect(p.supportedArchitectures).toEqual(['x86_64']);
    expect(p.functionCodeDir).toBe('/code');
    expect(p.checksum).toEqual({ kind: 'crc64xz-decimal', field: 'code.checksum' });
    expect(p.sharing).toBe('layer-acl');
    expect(p.unconfirmed).toContain('maxUnzippedBytes');
    expect(p.limits.maxInlineZipBytes).toBe(70 * 1024 * 1024);
  });

  test('layer name patterns are full matches', () => {
    expect(AWS_LAMBDA.limits.layerName.pattern.test('my_layer-1')).toBe(true);
    expect(AWS_LAMBDA.limits.layerName.pattern.test('my layer')).toBe(false);
    expect(ALIBABA_FC.limits.layerName.pattern.test('a1')).toBe(true);
    expect(ALIBABA_FC.limits.layerName.pattern.test('1a')).toBe(false);
    expect(ALIBABA_FC.limits.layerName.pattern.test('ab.c')).toBe(false);
  });

  test('overrides replace configurable limits without touching the shared profile', () => {
    // GIVEN / WHEN
    const p = getPlatform('alicloud', { maxUnzippedBytes: 1_000_000, maxLayersPerFunction: undefined });
    // THEN
    expect(p.limits.maxUnzippedBytes).toBe(1_000_000);
    expect(p.limits.maxLayersPerFunction).toBe(5);
    expect(ALIBABA_FC.limits.maxUnzippedBytes).toBe(500 * 1024 * 1024);
    expect(getPlatform('aws', {})).toBe(AWS_LAMBDA);
  });

  test('a bad override is an error naming the limit, the value and the default', () => {
    expect(() => getPlatform('aws', { maxLayersPerFunction: 0 }))
      .toThrow('Limit override maxLayersPerFunction=0 for AWS Lambda must be a positive integer (the default is 5).');
    expect(() => getPlatform('aws', { maxUnzippedBytes: 1.5 })).toThrow(/maxUnzippedBytes=1.5/);
    expect(() => getPlatform('aws', { maxColour: 3 } as never)).toThrow(/Unknown limit override 'maxColour'/);
    expect(() => getPlatform('aws', { maxDescriptionLength: 1000 } as never))
      .toThrow("Unknown limit override 'maxDescriptionLength' for AWS Lambda: overridable limits are maxLayersPerFunction, maxUnzippedBytes, maxInlineZipBytes.");
  });

  test('an unknown platform id is an error listing the valid ones', () => {
    expect(() => getPlatform('gcp' as never)).toThrow("Unknown platform 'gcp': layersmith targets 'aws', 'alicloud'.");
  });
});
