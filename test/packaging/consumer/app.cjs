const { RuntimeLayer, FunctionWithLayers } = require('layersmith/aws-cdk');
const { LayerSource } = require('layersmith');
process.stdout.write(`${typeof RuntimeLayer} ${typeof FunctionWithLayers} ${typeof LayerSource.fromDirectory}\n`);
