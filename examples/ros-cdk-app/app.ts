// The layersmith ROS CDK example: layers for Alibaba Cloud Function Compute, built without Docker
// and checked at synth. Synthesize with `bash demo.sh` (or `npx ts-node app.ts`); ROS CDK synth is
// running this program, which writes the template, the assets and the layersmith records.
import * as fs from 'fs';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';
import * as oss from '@alicloud/ros-cdk-ossassets';
import { FunctionWithLayers, LayerGrant, LayerPermission, LayerSource, RuntimeLayer } from 'layersmith/ros-cdk';

const here = __dirname;

/**
 * The official Python 3.10 runtime layer for FC custom runtimes. Official public layers live in
 * the account `official`; pin the version you have verified in your region.
 */
const OFFICIAL_PYTHON310 = 'acs:fc:cn-hangzhou:official:layers/Python310/versions/2';

export class OrdersStack extends ros.Stack {
  constructor(scope: ros.Construct, id: string, props: ros.StackProps = {}) {
    super(scope, id, props);

    // Python dependencies, installed by the real pip from a local wheel (offline, no index).
    const pythonLibs = new RuntimeLayer(this, 'PythonLibs', {
      source: LayerSource.python({
        packages: ['fcgreet==1.0.0'],
        findLinks: [path.join(here, 'wheels')],
        noIndex: true,
        pythonVersion: '3.10',
      }),
      compatibleRuntimes: ['python3.10', 'custom.debian10'],
      layerName: 'orders-python-libs',
      description: 'fcgreet for the orders service',
      license: 'Apache-2.0',
    });

    // Node.js dependencies from package.json + package-lock.json, installed by the real `npm ci`.
    const formatTools = new RuntimeLayer(this, 'FormatTools', {
      source: LayerSource.node({ packageDir: path.join(here, 'layers', 'node') }),
      compatibleRuntimes: ['nodejs20', 'custom.debian10'],
      layerName: 'format-tools',
      description: 'ms and bytes, shared with every team',
      license: 'MIT',
    });
    // FC shares a layer with everyone or no one: this makes every version public (ACL '1').
    new LayerPermission(this, 'FormatToolsPublic', { layer: formatTools, grant: LayerGrant.public() });

    const python310 = RuntimeLayer.fromLayerVersionArn(this, 'Python310', OFFICIAL_PYTHON310);

    const code = new oss.Asset(this, 'OrdersCode', { path: path.join(here, 'functions', 'orders') });
    new FunctionWithLayers(this, 'Orders', {
      functionName: 'orders',
      description: 'Greets customers; Python and Node.js dependencies come from layers',
      runtime: 'custom.debian10',
      handler: 'server.handler',
      memorySize: 512,
      timeout: 30,
      code: { ossBucketName: code.bucketName, ossObjectName: code.objectKey },
      customRuntimeConfig: { command: ['python3', 'server.py'], port: 9000 },
      codeSize: directorySize(path.join(here, 'functions', 'orders')),
      // FC: the FIRST layer wins when two layers hold the same path.
      layers: [pythonLibs, formatTools, python310],
      // Custom runtimes add no layer path: set PYTHONPATH and NODE_PATH from what the layers hold.
      setLayerEnvironment: true,
    });
  }
}

function directorySize(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true })
    .reduce((sum, e) => sum + (e.isDirectory() ? directorySize(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
}

export function synthesize(outdir: string): void {
  const app = new ros.App({ outdir, stackTraces: false });
  new OrdersStack(app, 'LayersmithOrders', {
    // ROS CDK's default synthesizer draws a random asset-bucket qualifier on every run; a fixed
    // one keeps the template identical from run to run.
    synthesizer: new ros.DefaultStackSynthesizer({ qualifier: 'orders' }),
    description: 'layersmith example: FC layers built and checked at synth',
  });
  app.synth();
}

if (require.main === module) {
  synthesize(process.env.CDK_OUTDIR ?? path.join(here, 'cdk.out'));
}
