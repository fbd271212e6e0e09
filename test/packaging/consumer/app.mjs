import { RuntimeLayer, FunctionWithLayers } from 'layersmith/aws-cdk';
import { LayerSource } from 'layersmith';
process.stdout.write(`${typeof RuntimeLayer} ${typeof FunctionWithLayers} ${typeof LayerSource.fromDirectory}\n`);
