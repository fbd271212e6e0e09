import type * as awsSdk from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { LayerGrant, planGrants } from '../core';
import { declareAwsPermission } from './aws-permission';
import { typeToken } from './providers';
import { RuntimeLayer } from './runtime-layer';

/** Arguments of a LayerPermission. */
export interface LayerPermissionArgs {
  /** The layer to share. */
  readonly layer: RuntimeLayer;
  /** Who may use it: `LayerGrant.account(id)`, `.organization(orgId)` or `.public()`. */
  readonly grant: LayerGrant;
}

/**
 * Lets an account, an organization or everyone use a RuntimeLayer.
 *
 * AWS: an `aws.lambda.LayerVersionPermission` for the version the layer publishes (a new version
 * gets its own statement with the same id; retained like the layer). FC: the layer-wide ACL,
 * which can only be public; account and organization grants are refused, as FC cannot express
 * them. A shared layer keeps its old versions unless `retainOldVersions: false`.
 */
export class LayerPermission extends pulumi.ComponentResource {
  /** The grant. */
  public readonly grant: LayerGrant;
  /** Statement id (AWS) or undefined (FC). */
  public readonly statementId?: string;
  /** FC: the ACL the layer gets ('public'); undefined on AWS. */
  public readonly acl?: 'public';
  /** AWS: the permission resource once the layer version exists; FC: undefined. */
  public readonly permission: Promise<pulumi.CustomResource | undefined>;

  constructor(name: string, args: LayerPermissionArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const subject = `LayerPermission '${name}'`;
    if (!(args?.layer instanceof RuntimeLayer)) {
      throw new Error(`${subject}: 'layer' must be a RuntimeLayer from layersmith/pulumi. A layer known only by ARN is shared by its owner.`);
    }
    const layer = args.layer;
    // Validates the grant and refuses what the platform cannot express, before anything is registered.
    const plan = planGrants(layer.platform, [args.grant], `${subject} for RuntimeLayer '${layer.resourceName}'`);
    const published = layer._addGrant(args.grant, name);
    super(typeToken(layer.platform, 'LayerPermission'), name, {}, opts);
    this.grant = args.grant;

    if (plan.platform === 'aws') {
      const statement = plan.statements[0];
      this.statementId = statement.statementId;
      this.permission = published.then((p) => declareAwsPermission(name, p.resource as awsSdk.lambda.LayerVersion, statement, p.retained, this));
    } else {
      this.acl = 'public';
      this.permission = published.then(() => undefined);
    }
    // A failed layer fails the program on its own; this component only reports what it declared.
    this.registerOutputs(this.permission.then(
      (r) => ({ statementId: this.statementId, acl: this.acl, permissionUrn: r?.urn }),
      () => ({ statementId: this.statementId, acl: this.acl }),
    ));
  }
}
