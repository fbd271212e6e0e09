// layersmith/pulumi: RuntimeLayer, LayerPermission and FunctionWithLayers as Pulumi
// ComponentResources on @pulumi/aws and @pulumi/alicloud. LayerSource and LayerGrant are the same
// core classes every front-end uses.
export { RuntimeLayer } from './runtime-layer';
export type { RuntimeLayerArgs, FcCodeUpload } from './runtime-layer';
export { LayerPermission } from './layer-permission';
export type { LayerPermissionArgs } from './layer-permission';
export { FunctionWithLayers } from './function-with-layers';
export type {
  AlicloudFunctionArgs,
  AlicloudFunctionWithLayersArgs,
  AwsFunctionArgs,
  AwsFunctionWithLayersArgs,
  FunctionWithLayersArgs,
  FunctionWithLayersBaseArgs,
  LayerReference,
} from './function-with-layers';
export { endDeclarations } from './program';
export { LayerSource } from '../engine';
export { LayerGrant } from '../core';
