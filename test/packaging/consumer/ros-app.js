// The same layers for Alibaba Function Compute through ROS CDK; synth is running this program.
const path = require('path');
const ros = require('@alicloud/ros-cdk-core');
const oss = require('@alicloud/ros-cdk-ossassets');
const { FunctionWithLayers, LayerGrant, LayerPermission, LayerSource, RuntimeLayer } = require('layersmith/ros-cdk');

const app = new ros.App({ outdir: process.argv[2], stackTraces: false });
const stack = new ros.Stack(app, 'ConsumerRos', { synthesizer: new ros.DefaultStackSynthesizer({ qualifier: 'consumer' }) });
const tools = new RuntimeLayer(stack, 'Tools', {
  source: LayerSource.fromDirectory(path.join(__dirname, 'layers', 'tools')),
  compatibleRuntimes: ['python3.10', 'nodejs20'],
  layerName: 'tools',
});
const python = new RuntimeLayer(stack, 'PythonDeps', {
  source: LayerSource.python({ packages: ['six==1.17.0'], pythonVersion: '3.10' }),
  compatibleRuntimes: ['python3.10'],
  layerName: 'python-deps',
});
const node = new RuntimeLayer(stack, 'NodeDeps', {
  source: LayerSource.node({ packageDir: path.join(__dirname, 'layers', 'node') }),
  compatibleRuntimes: ['nodejs20'],
  layerName: 'node-deps',
});
new LayerPermission(stack, 'ToolsPublic', { layer: tools, grant: LayerGrant.public() });
const code = new oss.Asset(stack, 'Code', { path: path.join(__dirname, 'functions', 'py') });
new FunctionWithLayers(stack, 'PyFn', {
  functionName: 'py-fn',
  runtime: 'python3.10',
  handler: 'handler.handler',
  code: { ossBucketName: code.bucketName, ossObjectName: code.objectKey },
  layers: [python, tools],
});
const nodeCode = new oss.Asset(stack, 'NodeCode', { path: path.join(__dirname, 'functions', 'node') });
new FunctionWithLayers(stack, 'NodeFn', {
  functionName: 'node-fn',
  runtime: 'nodejs20',
  handler: 'index.handler',
  code: { ossBucketName: nodeCode.bucketName, ossObjectName: nodeCode.objectKey },
  layers: [node, tools],
});
app.synth();
