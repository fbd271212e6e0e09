/**
 * layersmith with Pulumi: three shared layers and two functions, on AWS Lambda or Alibaba Cloud
 * Function Compute. `pulumi config set platform alicloud` switches the whole program.
 *
 * - python-common: a plain directory (python/greeting.py), shared with an AWS Organization on AWS
 *   and made public on FC (FC has only a public/private ACL).
 * - node-deps: `npm ci` of package.json + package-lock.json into nodejs/node_modules/.
 * - tools: a bin/ directory that lands on the functions' PATH.
 *
 * Every layer is built while the program runs (from the cache when nothing changed, so an
 * unchanged layer shows no diff), and each function's layer stack is checked before it exists.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { packDirectory } from 'layersmith';
import { FunctionWithLayers, LayerGrant, LayerPermission, LayerSource, RuntimeLayer } from 'layersmith/pulumi';

const config = new pulumi.Config('layersmith-example');
const platform = config.get('platform') ?? 'aws';
if (platform !== 'aws' && platform !== 'alicloud') {
  throw new Error(`layersmith-example:platform is '${platform}'; set it to 'aws' or 'alicloud' (pulumi config set platform aws).`);
}
const onAws = platform === 'aws';
const here = (...parts: string[]) => path.join(__dirname, ...parts);

// Node.js runtime identifiers differ between the platforms ('python3.12' is the same on both).
const python = 'python3.12';
const node = onAws ? 'nodejs20.x' : 'nodejs20';

const pythonCommon = new RuntimeLayer('python-common', {
  platform,
  source: LayerSource.fromDirectory(here('layers', 'python-common')),
  compatibleRuntimes: [python],
  description: 'greeting helpers shared by the Python functions',
  license: 'Apache-2.0',
});
new LayerPermission('python-common-share', {
  layer: pythonCommon,
  grant: onAws ? LayerGrant.organization(config.get('organizationId') ?? 'o-exampleorg1') : LayerGrant.public(),
});

const nodeDeps = new RuntimeLayer('node-deps', {
  platform,
  source: LayerSource.node({ packageDir: here('layers', 'node-deps') }),
  compatibleRuntimes: [node],
  description: 'npm dependencies of the Node.js functions',
});

const tools = new RuntimeLayer('tools', {
  platform,
  source: LayerSource.fromDirectory(here('layers', 'tools')),
  compatibleRuntimes: [python, node],
  description: 'command-line tools on PATH',
});

let pythonFn: FunctionWithLayers;
let nodeFn: FunctionWithLayers;
if (onAws) {
  const role = new aws.iam.Role('functions', {
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
    managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  });
  pythonFn = new FunctionWithLayers('hello-python', {
    platform: 'aws',
    // tools comes last: on AWS the last layer wins a path both hold.
    layers: [pythonCommon, tools],
    function: {
      runtime: python,
      handler: 'handler.handler',
      role: role.arn,
      code: new pulumi.asset.FileArchive(here('functions', 'hello-python')),
      architectures: ['x86_64'],
    },
  });
  nodeFn = new FunctionWithLayers('hello-node', {
    platform: 'aws',
    layers: [nodeDeps, tools],
    function: {
      runtime: node,
      handler: 'index.handler',
      role: role.arn,
      code: new pulumi.asset.FileArchive(here('functions', 'hello-node')),
      architectures: ['x86_64'],
    },
  });
} else {
  pythonFn = new FunctionWithLayers('hello-python', {
    platform: 'alicloud',
    // tools comes first: on FC the first layer wins a path both hold.
    layers: [tools, pythonCommon],
    function: { functionName: 'hello-python', runtime: python, handler: 'handler.handler', memorySize: 256, code: { zipFile: zipBase64('hello-python') } },
  });
  nodeFn = new FunctionWithLayers('hello-node', {
    platform: 'alicloud',
    layers: [tools, nodeDeps],
    function: { functionName: 'hello-node', runtime: node, handler: 'index.handler', memorySize: 256, code: { zipFile: zipBase64('hello-node') } },
  });
}

/** FC takes function code inline as a base64 ZIP; layersmith's reproducible packer makes it. */
function zipBase64(fn: string): pulumi.Output<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-example-'));
  const zip = path.join(dir, `${fn}.zip`);
  return pulumi.output(packDirectory(here('functions', fn), zip).then(() => {
    const base64 = fs.readFileSync(zip).toString('base64');
    fs.rmSync(dir, { recursive: true, force: true });
    return base64;
  }));
}

export const layerArns = { pythonCommon: pythonCommon.arn, nodeDeps: nodeDeps.arn, tools: tools.arn };
export const functions = {
  helloPython: { arn: pythonFn.arn, layers: pythonFn.layerArns },
  helloNode: { arn: nodeFn.arn, layers: nodeFn.layerArns },
};
