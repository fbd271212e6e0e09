// layersmith: the provider-neutral core and the build engine. Front-ends live at
// 'layersmith/aws-cdk', 'layersmith/ros-cdk' and 'layersmith/pulumi'.
export * from './core';
export * from './engine';
export * from './local';
