import { UsageError as CliUsageError } from '../../lib/cli/errors';
import { parseLayerVersionArn } from '../../lib/core/arn';
import { LayersmithError, LayersmithValidationError, UsageError } from '../../lib/core/errors';
import { checkFcAclConsistency, LayerGrant, planGrants } from '../../lib/core/grants';
import type { PlatformId } from '../../lib/core/model';
import { getPlatform } from '../../lib/core/platforms';
import { resolveRuntime } from '../../lib/core/runtimes';
import { UsageError as LocalUsageError } from '../../lib/local';

/** [is a LayersmithValidationError, its code, its message] of what `f` throws. */
function thrown(f: () => unknown): [boolean, string | undefined, string] {
  try {
    f();
  } catch (e) {
    return [e instanceof LayersmithValidationError && e instanceof LayersmithError, (e as LayersmithError).code, (e as Error).message];
  }
  throw new Error('expected a throw');
}

describe('core throws LayersmithValidationError with a stable code and the same text', () => {
  test.each<[string, () => unknown, string, string | RegExp]>([
    ['a bad account id', () => LayerGrant.account('12-34'), 'BAD_ACCOUNT_ID', /^Invalid account for LayerGrant\.account\('12-34'\)/],
    ['a bad organization id', () => LayerGrant.organization('org1'), 'BAD_ORGANIZATION_ID', /^Invalid organization id/],
    ['an account grant on FC', () => planGrants('alicloud', [LayerGrant.account('123456789012')], 'Stack/L'), 'FC_GRANT_NOT_EXPRESSIBLE', /^Stack\/L: Function Compute cannot share/],
    ['FC versions with different ACLs', () => checkFcAclConsistency([{ version: '1', acl: 'private' }, { version: '2', acl: 'public' }], 'Stack/L'),
      'FC_ACL_MISMATCH', /^Stack\/L: Function Compute layer versions disagree on the ACL \(version 1: private, version 2: public\)/],
    ['a bad AWS layer ARN', () => parseLayerVersionArn('arn:aws:lambda:layer', 'aws'), 'BAD_LAYER_ARN', /^Invalid AWS Lambda layer version ARN/],
    ['an unknown platform', () => getPlatform('gcp' as PlatformId), 'UNKNOWN_PLATFORM', "Unknown platform 'gcp': layersmith targets 'aws', 'alicloud'."],
    ['an unknown limit override', () => getPlatform('aws', { maxLayers: 3 } as never), 'UNKNOWN_LIMIT_OVERRIDE', /^Unknown limit override 'maxLayers'/],
    ['an unknown AWS runtime', () => resolveRuntime('aws', 'python2.1'), 'UNKNOWN_RUNTIME', /^Unknown AWS Lambda runtime 'python2\.1'/],
  ])('%s', (_name, f, code, message) => {
    const [isValidation, gotCode, gotMessage] = thrown(f);
    expect(isValidation).toBe(true);
    expect(gotCode).toBe(code);
    if (typeof message === 'string') expect(gotMessage).toBe(message);
    else expect(gotMessage).toMatch(message);
  });
});

describe('UsageError: bad input to the command and to local runs', () => {
  test('GIVEN a UsageError WHEN thrown THEN it is a LayersmithValidationError with code BAD_INPUT, and the CLI and lib/local throw the same class', () => {
    const err = new UsageError('report: no such directory');
    expect(err).toBeInstanceOf(LayersmithValidationError);
    expect(err).toBeInstanceOf(LayersmithError);
    expect(err.name).toBe('UsageError');
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toBe('report: no such directory');
    expect(new UsageError('x', 'NO_FUNCTION').code).toBe('NO_FUNCTION');
    expect(CliUsageError).toBe(UsageError);
    expect(LocalUsageError).toBe(UsageError);
  });
});
