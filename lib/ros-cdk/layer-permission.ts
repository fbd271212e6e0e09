import * as ros from '@alicloud/ros-cdk-core';
import type { LayerGrant } from '../core';
import { validationError } from '../frontend';
import { ILayerVersion, RuntimeLayer } from './runtime-layer';

/** Properties of a LayerPermission. */
export interface LayerPermissionProps {
  /** The layer to share; a RuntimeLayer defined in this app (FC sets the ACL on the layer itself). */
  readonly layer: ILayerVersion;
  /**
   * Who may use the layer (the same prop as layersmith/aws-cdk's LayerPermission). On FC only
   * `LayerGrant.public()` can be expressed (ACL '1'); account and organization grants fail synth,
   * because FC has no per-account or per-organization sharing.
   */
  readonly grant: LayerGrant;
}

/**
 * Who may use a layer, rendered as Function Compute's per-layer ACL.
 *
 * FC shares a layer with everyone or with no one: this construct emits no resource of its own but
 * sets `Acl` on the layer's `ALIYUN::FC3::LayerVersion`. What FC cannot express fails here, at the
 * construct path, instead of silently widening access. The ACL covers every version of the layer,
 * so versions of one layer that disagree fail synth.
 */
export class LayerPermission extends ros.Construct {
  /** The grant this permission renders. */
  public readonly grant: LayerGrant;
  /** The ACL the layer has after this permission. */
  public readonly acl: 'private' | 'public';

  constructor(scope: ros.Construct, id: string, props: LayerPermissionProps) {
    super(scope, id);
    if (!(props.layer instanceof RuntimeLayer)) {
      throw validationError(this.node.path, 'LayerPermission can only set the ACL of a RuntimeLayer defined in this app; '
        + `'${props.layer.node.path}' was imported by ARN (${props.layer.layerVersionArn}). `
        + 'Fix: set the ACL where that layer is defined (its owner account), or build the layer here with RuntimeLayer.');
    }
    this.grant = props.grant;
    props.layer.addGrants([props.grant], this.node.path);
    this.acl = props.layer.aclValue;
  }
}
