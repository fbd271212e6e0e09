// An AWS CDK app as a user writes it in plain JavaScript: a directory layer, a Python layer, a
// Node.js layer, a grant, and two functions with their ordered layer stacks.
const path = require('path');
const { App, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const { FunctionWithLayers, LayerGrant, LayerSource, RuntimeLayer } = require('layersmith/aws-cdk');

const app = new App();
const stack = new Stack(app, 'Consumer');
const tools = new RuntimeLayer(stack, 'Tools', {
  source: LayerSource.fromDirectory(path.join(__dirname, 'layers', 'tools')),
  compatibleRuntimes: [lambda.Runtime.PYTHON_3_12, lambda.Runtime.NODEJS_22_X],
});
const python = new RuntimeLayer(stack, 'PythonDeps', {
  source: LayerSource.python({ packages: ['six==1.17.0'] }),
  compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
  grants: [LayerGrant.account('111122223333')],
});
const node = new RuntimeLayer(stack, 'NodeDeps', {
  source: LayerSource.node({ packageDir: path.join(__dirname, 'layers', 'node') }),
  compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
});
new FunctionWithLayers(stack, 'PyFn', {
  runtime: lambda.Runtime.PYTHON_3_12,
  handler: 'handler.handler',
  code: lambda.Code.fromAsset(path.join(__dirname, 'functions', 'py')),
  layers: [python, tools],
});
new FunctionWithLayers(stack, 'NodeFn', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(__dirname, 'functions', 'node')),
  layers: [tools, node],
});
app.synth();
