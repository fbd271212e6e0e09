// layersmith/aws-cdk: Lambda layers for AWS CDK v2 (aws-cdk-lib, constructs v10).
export { RuntimeLayer } from './runtime-layer';
export type { RuntimeLayerProps } from './runtime-layer';
export { LayerPermission } from './layer-permission';
export type { LayerPermissionProps } from './layer-permission';
export { FunctionWithLayers } from './function-with-layers';
export type { FunctionWithLayersProps } from './function-with-layers';
export { LayerSource } from '../engine/source';
export { LayerGrant } from '../core';
