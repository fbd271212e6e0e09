import type * as awsSdk from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { GrantStatement } from '../core';
import { loadAws } from './providers';

/**
 * One statement on the version a layer published. Permissions are per version on AWS: when the
 * layer publishes a new version, `versionNumber` changes and the statement is replaced (same id,
 * new version); a retained layer retains its statements too, so consumers of an old version keep
 * access.
 */
export function declareAwsPermission(
  name: string,
  version: awsSdk.lambda.LayerVersion,
  statement: GrantStatement,
  retained: boolean,
  parent: pulumi.Resource,
): awsSdk.lambda.LayerVersionPermission {
  const aws = loadAws();
  return new aws.lambda.LayerVersionPermission(name, {
    layerName: version.layerArn,
    versionNumber: version.version.apply(Number),
    statementId: statement.statementId,
    action: statement.action,
    principal: statement.principal,
    ...(statement.organizationId ? { organizationId: statement.organizationId } : {}),
    skipDestroy: retained,
  }, { parent, retainOnDelete: retained });
}
