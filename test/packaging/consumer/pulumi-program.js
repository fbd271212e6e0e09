// The same layers through Pulumi on AWS.
const path = require('path');
const pulumi = require('@pulumi/pulumi');
const { FunctionWithLayers, LayerGrant, LayerPermission, LayerSource, RuntimeLayer } = require('layersmith/pulumi');

const tools = new RuntimeLayer('tools', { platform: 'aws', source: LayerSource.fromDirectory(path.join(__dirname, 'layers', 'tools')), compatibleRuntimes: ['python3.12', 'nodejs22.x'] });
const python = new RuntimeLayer('python-deps', { platform: 'aws', source: LayerSource.python({ packages: ['six==1.17.0'] }), compatibleRuntimes: ['python3.12'] });
const node = new RuntimeLayer('node-deps', { platform: 'aws', source: LayerSource.node({ packageDir: path.join(__dirname, 'layers', 'node') }), compatibleRuntimes: ['nodejs22.x'] });
new LayerPermission('python-share', { layer: python, grant: LayerGrant.account('111122223333') });
new FunctionWithLayers('py-fn', {
  platform: 'aws',
  layers: [python, tools],
  function: {
    runtime: 'python3.12',
    handler: 'handler.handler',
    role: 'arn:aws:iam::123456789012:role/fn',
    code: new pulumi.asset.FileArchive(path.join(__dirname, 'functions', 'py')),
  },
});
new FunctionWithLayers('node-fn', {
  platform: 'aws',
  layers: [tools, node],
  function: {
    runtime: 'nodejs22.x',
    handler: 'index.handler',
    role: 'arn:aws:iam::123456789012:role/fn',
    code: new pulumi.asset.FileArchive(path.join(__dirname, 'functions', 'node')),
  },
});
