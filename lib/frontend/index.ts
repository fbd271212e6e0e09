// lib/frontend: the steps the AWS CDK, ROS CDK and Pulumi front-ends share, free of any IaC SDK.
// Each front-end maps these onto its framework; rules and facts stay in lib/core.
export * from './errors';
export * from './findings';
export * from './layer-props';
export * from './stack';
export * from './records';
export * from './code-size';
export * from './layer-build';
export * from './fc-acl';
export * from './environment';
export * from './outdir';
