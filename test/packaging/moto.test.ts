import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { readAssemblyManifest, readAssemblyRecords } from '../../lib/core/assembly';
import type { LayerRecord } from '../../lib/core/assembly';
import { cleanupTempDirs, hasTool, makeTempDir, testWithTools } from '../helpers';
import { exampleFromTarball } from './examples';
import { run } from './pack';

/**
 * examples/aws-cdk-app (from the tarball) deployed to moto, the AWS API emulator, on 127.0.0.1:
 * `cdk bootstrap` and asset publishing go through AWS_ENDPOINT_URL; moto cannot fetch the
 * TemplateURL the CLI builds for a custom endpoint, so the stack is created from the published
 * template with an S3-style URL. moto reads each layer ZIP from its S3 and reports CodeSha256.
 * It does not model everything: from CloudFormation it applies no Function.Layers and no LayerName
 * and creates no LayerVersionPermission, so those are checked on the template by the other suites.
 */
jest.setTimeout(900_000);

const TOOLS = ['moto_server', 'aws'];
const motoTest = testWithTools(...TOOLS);
const CDK_CLI = require.resolve('aws-cdk/bin/cdk');
const STACK = 'OrdersPlatform';
const ACCOUNT = '123456789012';

let moto: ChildProcess | undefined;
let env: NodeJS.ProcessEnv;
let out: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${url}`);
}

function aws(args: string[]): any {
  return JSON.parse(run('aws', [...args, '--output', 'json'], { env }));
}

beforeAll(async () => {
  if (!TOOLS.every((t) => hasTool(t))) return;
  const port = await freePort();
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitForHttp(`http://127.0.0.1:${port}/moto-api/`, moto);
  env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    LAYERSMITH_QUIET: '1',
    PIP_RETRIES: '0',
    LAYERSMITH_CACHE_DIR: makeTempDir('layersmith-test-moto-cache-'),
  };
  // Dummy credentials only: nothing of a real profile or session may reach the emulator.
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  const app = exampleFromTarball('aws-cdk-app', makeTempDir('layersmith-test-moto-app-'));
  out = path.join(app, 'cdk.out');
  run(process.execPath, [CDK_CLI, 'bootstrap', `aws://${ACCOUNT}/us-east-1`, '--no-notices'], { cwd: app, env });
  run(process.execPath, [CDK_CLI, 'synth', '--no-notices', '--quiet', '--output', out], { cwd: app, env });
  run(process.execPath, [CDK_CLI, 'publish-assets', '--unstable=publish-assets', '--no-notices', '--app', out, STACK], { cwd: app, env });

  // The template is an asset of its own; create the stack from where it was published.
  const assets = JSON.parse(fs.readFileSync(path.join(out, `${STACK}.assets.json`), 'utf8'));
  const template = Object.values(assets.files as Record<string, any>).find((f) => f.source.path === `${STACK}.template.json`);
  const dest = Object.values(template.destinations as Record<string, any>)[0];
  const bucket = String(dest.bucketName).replace('${AWS::AccountId}', ACCOUNT).replace('${AWS::Region}', 'us-east-1');
  aws(['cloudformation', 'create-stack', '--stack-name', STACK, '--template-url', `https://s3.amazonaws.com/${bucket}/${dest.objectKey}`,
    '--capabilities', 'CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM']);
  for (let i = 0; i < 600; i++) {
    const status = aws(['cloudformation', 'describe-stacks', '--stack-name', STACK]).Stacks[0].StackStatus as string;
    if (status === 'CREATE_COMPLETE') break;
    if (!status.endsWith('_IN_PROGRESS')) throw new Error(`stack ${STACK}: ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 900_000);

afterAll(() => {
  moto?.kill('SIGTERM');
  cleanupTempDirs();
});

describe('examples/aws-cdk-app deployed to moto', () => {
  motoTest('GIVEN the stack created from the published template THEN every layer version\'s CodeSha256 is the SHA-256 in our manifest', () => {
    // GIVEN our manifests, keyed by layer description (moto names layers after the logical id, ignoring LayerName)
    const ours = readAssemblyRecords(out).filter((r): r is LayerRecord => r.kind === 'layer')
      .map((r) => ({ path: r.path, sha256: readAssemblyManifest(out, r)!.zip.sha256 }));
    const template = JSON.parse(fs.readFileSync(path.join(out, `${STACK}.template.json`), 'utf8'));

    // WHEN each deployed layer version is read back from the emulator (matched to its construct by
    // its description: moto leaves the physical id of a LayerVersion empty)
    const byDescription = new Map<string, string>();
    for (const r of Object.values(template.Resources as Record<string, any>).filter((x) => x.Type === 'AWS::Lambda::LayerVersion')) {
      byDescription.set(r.Properties.Description, r.Metadata['aws:cdk:path'].split('/').slice(0, 2).join('/'));
    }
    const deployed = (aws(['lambda', 'list-layers']).Layers as any[]).map((l) => {
      const v = aws(['lambda', 'get-layer-version', '--layer-name', l.LayerName, '--version-number', String(l.LatestMatchingVersion.Version)]);
      return { path: byDescription.get(v.Description), sha256: v.Content.CodeSha256 };
    });

    // THEN the four layers are there, each with our bytes
    const byPath = (x: { path?: string }, y: { path?: string }) => String(x.path).localeCompare(String(y.path));
    expect(deployed.sort(byPath)).toEqual(ours.sort(byPath));
    expect(deployed).toHaveLength(4);
  });

  motoTest('GIVEN the deployed stack THEN both functions exist, created from the template the CLI published', () => {
    // (moto creates no LayerVersionPermission from CloudFormation and applies no Function.Layers,
    // so grants and layer order are checked on the template, not here)
    const functions = (aws(['lambda', 'list-functions']).Functions as any[]).map((f) => `${f.Runtime} ${f.Handler}`).sort();
    expect(functions).toEqual(['nodejs22.x index.handler', 'python3.12 handler.handler']);
  });
});
