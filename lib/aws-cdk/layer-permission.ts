import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LayerGrant, planGrants } from '../core';
import { atPath, validationError } from '../frontend';

/** Properties of a {@link LayerPermission}. */
export interface LayerPermissionProps {
  /** The layer whose versions the grant covers. */
  readonly layer: lambda.ILayerVersion;

  /**
   * Who may use the layer: a `LayerGrant` (account, organization or public), or aws-cdk-lib's
   * `{ accountId, organizationId? }` shape (`accountId: '*'` with an organization id is an
   * organization grant, `'*'` alone is public).
   */
  readonly grant: LayerGrant | lambda.LayerVersionPermission;

  /**
   * What happens to the permission of a replaced or removed layer version.
   * @default the layer's policy for a RuntimeLayer (RETAIN once shared), RETAIN for other layers,
   * so a consumer pinned to an old version keeps access
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Lets an account, an organization or everyone use a layer: one
 * `AWS::Lambda::LayerVersionPermission` (action `lambda:GetLayerVersion`) on the layer's version.
 *
 * The permission refers to the layer's version ARN, so every new version the layer publishes is
 * granted again by CloudFormation without the user re-adding anything; the logical id depends
 * only on the construct path, so it is stable between synths.
 */
export class LayerPermission extends Construct {
  /** The grant this permission renders. */
  public readonly grant: LayerGrant;
  /** Statement id recorded for reviews (`layersmith-<grant key>`). */
  public readonly statementId: string;
  /** The CloudFormation resource. */
  public readonly resource: lambda.CfnLayerVersionPermission;

  constructor(scope: Construct, id: string, props: LayerPermissionProps) {
    super(scope, id);
    this.grant = grantFromPermission(this, props.grant);
    // Read structurally: RuntimeLayer imports this module.
    (props.layer as { _adoptGrant?: (grant: LayerGrant) => void })._adoptGrant?.(this.grant);
    const plan = atPath(this.node.path, () => planGrants('aws', [this.grant], this.node.path));
    if (plan.platform !== 'aws' || plan.statements.length !== 1) {
      throw validationError(this.node.path, `expected one AWS permission statement for ${this.grant.toString()}.`);
    }
    const statement = plan.statements[0];
    this.statementId = statement.statementId;
    this.resource = new lambda.CfnLayerVersionPermission(this, 'Resource', {
      action: statement.action,
      layerVersionArn: props.layer.layerVersionArn,
      principal: statement.principal,
      organizationId: statement.organizationId,
    });
    this.resource.applyRemovalPolicy(props.removalPolicy ?? layerRemovalPolicy(props.layer) ?? RemovalPolicy.RETAIN);
  }
}

/**
 * A LayerGrant from either accepted shape; a bad account or organization id fails with the
 * construct path, the rule and the fix.
 */
export function grantFromPermission(scope: Construct, grant: LayerGrant | lambda.LayerVersionPermission): LayerGrant {
  if (grant instanceof LayerGrant) return grant;
  const path = scope.node.path;
  if (!grant || typeof grant !== 'object' || typeof grant.accountId !== 'string') {
    throw validationError(path, `expected a LayerGrant or { accountId, organizationId? }, got ${JSON.stringify(grant)}.`);
  }
  const { accountId, organizationId } = grant;
  if (organizationId !== undefined && accountId !== '*') {
    throw validationError(path, `an organization grant needs accountId '*', got '${accountId}' with organizationId '${organizationId}'. `
      + `Fix: use LayerGrant.organization('${organizationId}').`);
  }
  return atPath(path, () => {
    if (organizationId !== undefined) return LayerGrant.organization(organizationId);
    return accountId === '*' ? LayerGrant.public() : LayerGrant.account(accountId);
  });
}

/** The retention a RuntimeLayer decided for its versions, if the layer is one (read structurally). */
function layerRemovalPolicy(layer: lambda.ILayerVersion): RemovalPolicy | undefined {
  return (layer as { effectiveRemovalPolicy?: RemovalPolicy }).effectiveRemovalPolicy;
}
