import type * as awsSdk from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { planGrants } from '../core';
import type { LayerGrant } from '../core';
import { atPath, validationError } from '../frontend';
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
 * them. A shared layer keeps its old versions unless `retainOldVersions: false`. The permission
 * may be declared anywhere in the program, until the program waits for the layer's outputs.
 */
export class LayerPermission extends pulumi.ComponentResource {
  /** The grant. */
  public readonly grant: LayerGrant;
  /** Statement id (AWS) or undefined (FC). */
  public readonly statementId?: string;
  /** FC: the ACL the layer gets ('public'); undefined on AWS. */
  public readonly acl?: 'public';
  /** AWS: the permission resource on the layer's version; FC: undefined. */
  public readonly permission?: awsSdk.lambda.LayerVersionPermission;

  constructor(name: string, args: LayerPermissionArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const subject = `LayerPermission '${name}'`;
    if (!(args?.layer instanceof RuntimeLayer)) {
      throw validationError(subject, "'layer' must be a RuntimeLayer from layersmith/pulumi. A layer known only by ARN is shared by its owner.");
    }
    const layer = args.layer;
    // Validates the grant and refuses what the platform cannot express, before anything is registered.
    const where = `${subject} for RuntimeLayer '${layer.resourceName}'`;
    const plan = atPath(where, () => planGrants(layer.platform, [args.grant], where));
    layer._addGrant(args.grant, name);
    super(typeToken(layer.platform, 'LayerPermission'), name, {}, opts);
    this.grant = args.grant;
    if (plan.platform === 'aws') {
      this.statementId = plan.statements[0].statementId;
      this.permission = layer._permission(args.grant, name, this);
    } else {
      this.acl = 'public';
    }
    this.registerOutputs({ statementId: this.statementId, acl: this.acl });
  }
}
