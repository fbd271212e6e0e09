// layersmith: the provider-neutral core and the build engine. Front-ends live at
// 'layersmith/aws-cdk', 'layersmith/ros-cdk' and 'layersmith/pulumi'.
export * from './core/model';
export * from './core/checksums';
export * from './build/api';
export * from './core/assembly';
