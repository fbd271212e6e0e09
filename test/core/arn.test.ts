import { formatLayerVersionArn, parseLayerVersionArn } from '../../lib/core';

describe('layer version ARNs', () => {
  test('parses an AWS ARN in any partition', () => {
    // WHEN
    const ref = parseLayerVersionArn('arn:aws-cn:lambda:cn-north-1:123456789012:layer:my_layer-1:42');
    // THEN
    expect(ref).toEqual({
      platform: 'aws',
      partition: 'aws-cn',
      region: 'cn-north-1',
      account: '123456789012',
      layerName: 'my_layer-1',
      version: 42,
      unversionedArn: 'arn:aws-cn:lambda:cn-north-1:123456789012:layer:my_layer-1',
      arn: 'arn:aws-cn:lambda:cn-north-1:123456789012:layer:my_layer-1:42',
    });
    expect(parseLayerVersionArn('arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:x:1').partition).toBe('aws-us-gov');
  });

  test('parses an FC3 ARN, including official layers', () => {
    const ref = parseLayerVersionArn('acs:fc:cn-hangzhou:official:layers/Python312/versions/2');
    expect(ref).toEqual({
      platform: 'alicloud',
      region: 'cn-hangzhou',
      account: 'official',
      layerName: 'Python312',
      version: 2,
      unversionedArn: 'acs:fc:cn-hangzhou:official:layers/Python312',
      arn: 'acs:fc:cn-hangzhou:official:layers/Python312/versions/2',
    });
    expect(parseLayerVersionArn('acs:fc:cn-shanghai:1234567890123456:layers/deps/versions/7', 'alicloud').account).toBe('1234567890123456');
  });

  test.each([
    'arn:aws:lambda:us-east-1:12345678901:layer:x:1', // 11-digit account
    'arn:aws:lambda:us-east-1:123456789012:layer:x', // no version
    'arn:aws:lambda:us-east-1:123456789012:layer:x:0', // versions start at 1
    'arn:aws:lambda:us-east-1:123456789012:layer:x:1-junk',
    'arn:aws:lambda:us-east-1:123456789012:function:x:1',
    ' arn:aws:lambda:us-east-1:123456789012:layer:x:1',
  ])('rejects the AWS ARN %s with the expected shape', (arn) => {
    expect(() => parseLayerVersionArn(arn)).toThrow(`Invalid AWS Lambda layer version ARN '${arn}': expected arn:<partition>:lambda:<region>:<12-digit account>:layer:<name>:<version>`);
  });

  test.each([
    'acs:fc:cn-hangzhou:123:layers/x',
    'acs:fc:cn-hangzhou:123:layers/x/versions/abc',
    'acs:fc:cn-hangzhou:someone:layers/x/versions/1',
  ])('rejects the FC ARN %s with the expected shape', (arn) => {
    expect(() => parseLayerVersionArn(arn)).toThrow(`Invalid Function Compute layer version ARN '${arn}': expected acs:fc:<region>:<account|official>:layers/<name>/versions/<version>`);
  });

  test('an ARN of the other platform fails when the platform is given', () => {
    expect(() => parseLayerVersionArn('acs:fc:cn-hangzhou:official:layers/P/versions/2', 'aws')).toThrow(/Invalid AWS Lambda layer version ARN/);
    expect(() => parseLayerVersionArn('arn:aws:lambda:us-east-1:123456789012:layer:x:1', 'alicloud')).toThrow(/Invalid Function Compute layer version ARN/);
  });

  test('the legacy FC2 form is explained', () => {
    expect(() => parseLayerVersionArn('0123456789abcdef0123456789abcdef#my-layer#3'))
      .toThrow(/legacy FC2 form '<32 hex>#<name>#<version>': FC3 functions need acs:fc:/);
  });

  test('format is the inverse of parse and validates its parts', () => {
    const aws = 'arn:aws:lambda:eu-west-1:123456789012:layer:deps:3';
    const fc = 'acs:fc:cn-hangzhou:official:layers/Nodejs20/versions/1';
    expect(formatLayerVersionArn(parseLayerVersionArn(aws))).toBe(aws);
    expect(formatLayerVersionArn(parseLayerVersionArn(fc))).toBe(fc);
    expect(formatLayerVersionArn({ platform: 'aws', region: 'us-east-1', account: '123456789012', layerName: 'l', version: 1 }))
      .toBe('arn:aws:lambda:us-east-1:123456789012:layer:l:1');
    expect(() => formatLayerVersionArn({ platform: 'aws', region: 'us-east-1', account: '1234', layerName: 'l', version: 1 }))
      .toThrow(/Invalid AWS Lambda layer version ARN 'arn:aws:lambda:us-east-1:1234:layer:l:1'/);
  });
});
