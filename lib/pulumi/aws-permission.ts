import type * as awsSdk from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { GrantStatement } from '../core';
import { loadAws } from './providers';

/** The version a permission applies to, as Outputs of the layer. */
export interface PermittedVersion {
  /** Unversioned layer ARN. */
  readonly layerArn: pulumi.Output<string>;
  /** Version number as the provider reports it. */
  readonly version: pulumi.Output<string>;
}

/**
 * One statement on the version a layer published. Permissions are per version on AWS: when the
 * layer publishes a new version, `versionNumber` changes and the statement is replaced (same id,
 * new version); a retained layer retains its statements too, so consumers of an old version keep
 * access.
 */
export function declareAwsPermission(
  name: string,
  version: PermittedVersion,
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
