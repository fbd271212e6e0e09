// layersmith for Alibaba Cloud ROS CDK (constructs v3 inside @alicloud/ros-cdk-core): layers for
// Function Compute as ALIYUN::FC3::LayerVersion, their ACL, and FC3 functions with ordered stacks.
export { RuntimeLayer, FC3_LAYER_VERSION_TYPE } from './runtime-layer';
export type { ILayerVersion, RuntimeLayerProps } from './runtime-layer';
export { LayerPermission } from './layer-permission';
export type { LayerPermissionProps } from './layer-permission';
export { FunctionWithLayers } from './function-with-layers';
export type { FunctionWithLayersProps } from './function-with-layers';
export { LayerSource } from '../engine/source';
export { LayerGrant } from '../core';
