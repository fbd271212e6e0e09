import {
  validateArchitectures, validateCompatibleRuntimes, validateDescription, validateLayerName, validateLayerProps, validateLicense,
} from '../../lib/core';

describe('layer name', () => {
  test('AWS: 1-140 of [a-zA-Z0-9-_], or a layer ARN', () => {
    expect(validateLayerName('aws', 'a')).toBeNull();
    expect(validateLayerName('aws', 'x'.repeat(140))).toBeNull();
    expect(validateLayerName('aws', 'arn:aws:lambda:us-east-1:123456789012:layer:shared')).toBeNull();
    expect(validateLayerName('aws', 'x'.repeat(141))).toBe(
      `layerName '${'x'.repeat(141)}' is 141 characters; AWS Lambda allows 1-140. Fix: shorten it (1-140 characters of letters, digits, hyphens and underscores).`);
    expect(validateLayerName('aws', '')).toMatch(/is 0 characters; AWS Lambda allows 1-140/);
    expect(validateLayerName('aws', 'my layer.v2')).toBe(
      "layerName 'my layer.v2' breaks the AWS Lambda rule: 1-140 characters of letters, digits, hyphens and underscores (^[a-zA-Z0-9_-]+$). Fix: replace the other characters, e.g. 'my-layer-v2'.");
  });

  test('FC: 1-64, starting with a letter (ROS rule)', () => {
    expect(validateLayerName('alicloud', 'deps_1')).toBeNull();
    expect(validateLayerName('alicloud', 'a'.repeat(64))).toBeNull();
    expect(validateLayerName('alicloud', 'a'.repeat(65))).toMatch(/is 65 characters; Alibaba Cloud Function Compute allows 1-64/);
    expect(validateLayerName('alicloud', '1deps')).toMatch(/breaks the Alibaba Cloud Function Compute rule: 1-64 characters, starting with a letter.*e\.g\. 'layer-1deps'/);
    expect(validateLayerName('alicloud', 'arn:aws:lambda:us-east-1:123456789012:layer:shared')).toMatch(/breaks the/);
  });
});

describe('description and license', () => {
  test('description: at most 256 on both platforms', () => {
    for (const p of ['aws', 'alicloud'] as const) {
      expect(validateDescription(p, 'd'.repeat(256))).toBeNull();
      expect(validateDescription(p, 'd'.repeat(257))).toMatch(/^description is 257 characters; .* allows at most 256\. Fix: shorten it\.$/);
    }
  });

  test('license: at most 512 on AWS, free text on FC', () => {
    expect(validateLicense('aws', 'l'.repeat(512))).toBeNull();
    expect(validateLicense('aws', 'l'.repeat(513))).toBe('license is 513 characters; AWS Lambda allows at most 512. Fix: use an SPDX id or a URL to the license text.');
    expect(validateLicense('alicloud', 'l'.repeat(5000))).toBeNull();
  });
});

describe('compatible runtimes', () => {
  test('AWS: at most 15, each from the Runtime enum, no duplicates', () => {
    const fifteen = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'nodejs18.x', 'nodejs20.x', 'nodejs22.x',
      'java11', 'java17', 'java21', 'ruby3.2', 'ruby3.3', 'provided.al2', 'provided.al2023'];
    expect(validateCompatibleRuntimes('aws', fifteen)).toBeNull();
    expect(validateCompatibleRuntimes('aws', [...fifteen, 'dotnet8'])).toBe(
      'compatibleRuntimes lists 16 runtimes; AWS Lambda allows at most 15. Fix: split the layer or drop runtimes nobody uses.');
    expect(validateCompatibleRuntimes('aws', ['python3.12', 'python3.12'])).toBe("compatibleRuntimes lists 'python3.12' twice. Fix: list each runtime once.");
    expect(validateCompatibleRuntimes('aws', ['python3.12', 'nodejs20'])).toMatch(/^compatibleRuntimes: Unknown AWS Lambda runtime 'nodejs20'/);
  });

  test('FC: at most 20, free-form ids accepted', () => {
    expect(validateCompatibleRuntimes('alicloud', ['python3.12', 'custom.debian12', 'python3.13'])).toBeNull();
    expect(validateCompatibleRuntimes('alicloud', Array.from({ length: 20 }, (_, i) => `custom.x${i}`))).toBeNull();
    expect(validateCompatibleRuntimes('alicloud', Array.from({ length: 21 }, (_, i) => `custom.x${i}`)))
      .toMatch(/lists 21 runtimes; Alibaba Cloud Function Compute allows at most 20/);
    expect(validateCompatibleRuntimes('alicloud', ['Python 3'])).toMatch(/Invalid Function Compute runtime 'Python 3'/);
  });
});

describe('architectures', () => {
  test('AWS: x86_64 and arm64, each once', () => {
    expect(validateArchitectures('aws', ['x86_64', 'arm64'])).toBeNull();
    expect(validateArchitectures('aws', ['arm64', 'arm64'])).toBe("compatibleArchitectures lists 'arm64' twice. Fix: list each architecture once.");
    expect(validateArchitectures('aws', ['riscv' as never])).toMatch(/includes 'riscv'; AWS Lambda supports x86_64, arm64/);
  });

  test('FC: x86_64 only', () => {
    expect(validateArchitectures('alicloud', ['x86_64'])).toBeNull();
    expect(validateArchitectures('alicloud', ['arm64'])).toBe(
      "compatibleArchitectures includes 'arm64', but Alibaba Cloud Function Compute runs x86_64 only. Fix: build the layer for x86_64.");
  });
});

describe('validateLayerProps', () => {
  test('returns every problem at once, and nothing for valid props', () => {
    // GIVEN
    const bad = { layerName: 'bad name', description: 'd'.repeat(300), license: 'l'.repeat(600), compatibleRuntimes: ['java99'], compatibleArchitectures: ['arm64', 'arm64'] as const };
    // WHEN
    const messages = validateLayerProps('aws', { ...bad, compatibleArchitectures: [...bad.compatibleArchitectures] });
    // THEN
    expect(messages).toHaveLength(5);
    expect(messages.map((m) => m.split(' ')[0])).toEqual(['layerName', 'description', 'license', 'compatibleRuntimes:', 'compatibleArchitectures']);
    expect(validateLayerProps('alicloud', { layerName: 'deps', compatibleRuntimes: ['python3.12'] })).toEqual([]);
  });
});
