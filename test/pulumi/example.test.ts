import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { TempTree } from './fixtures';
import { CapturedResource, installMocks, ofType, valueOf } from './mocks';
import { exampleFromTarball } from '../packaging/examples';

// The example program as a user runs it with the Pulumi CLI, executed here under Pulumi's mocks
// for each platform (the platform comes from the program's own config key).
// Compiling the example with the provider SDKs' types and a cold `npm ci` take a while.
jest.setTimeout(300_000);

let tree: TempTree;
const savedEnv = { ...process.env };

beforeAll(() => {
  tree = new TempTree();
  example = exampleFromTarball('pulumi-app', tree.path('app'));
  process.env.LAYERSMITH_CACHE_DIR = tree.path('cache');
  process.env.LAYERSMITH_QUIET = '1';
});
afterAll(() => {
  process.env = savedEnv;
  tree.cleanup();
});

/** What the example program exports (its stack outputs), as far as these tests read them. */
interface ExampleExports {
  readonly layerArns: Record<string, pulumi.Output<string>>;
  readonly functions: Record<string, { readonly arn: pulumi.Output<string>; readonly layers: pulumi.Output<string[]> }>;
}

/** A temporary copy of examples/pulumi-app with the packed tarball installed into it. */
let example: string;

async function runExample(platform: string): Promise<{ captured: CapturedResource[]; program: ExampleExports }> {
  const captured = await installMocks({ config: { 'layersmith-example:platform': platform } });
  let program!: ExampleExports;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program = require(path.join(example, 'index.ts'));
  });
  await Promise.all([
    ...Object.values(program.layerArns).map(valueOf),
    ...Object.values(program.functions).flatMap((f) => [valueOf(f.arn), valueOf(f.layers)]),
  ]);
  await new Promise((r) => setTimeout(r, 20));
  return { captured, program };
}

const byName = (rs: CapturedResource[], name: string) => rs.find((r) => r.name === name)!;

let firstAwsRun: CapturedResource[] = [];

test('the program runs the packed layersmith installed into the app, and type-checks against it', () => {
  const resolved = require.resolve('layersmith/pulumi', { paths: [example] });
  expect(path.relative(example, resolved)).toBe(path.join('node_modules', 'layersmith', 'lib', 'pulumi', 'index.js'));
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', path.join(example, 'tsconfig.json')], { encoding: 'utf8' });
  expect({ status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` }).toEqual({ status: 0, output: '' });
});

test('on AWS: three layer versions, an organization permission, two functions with their declared stacks', async () => {
  // GIVEN platform=aws / WHEN the program runs
  const { captured, program } = await runExample('aws');
  firstAwsRun = captured;

  // THEN the layers are LayerVersions built from our ZIPs
  const versions = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
  expect(versions.map((v) => v.name).sort()).toEqual(['node-deps', 'python-common', 'tools']);
  for (const v of versions) {
    expect(v.inputs.code).toBeInstanceOf(pulumi.asset.FileArchive);
    expect(v.inputs.sourceCodeHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  }
  // The Node layer holds the real npm package under nodejs/node_modules/.
  const nodeZip = await (byName(versions, 'node-deps').inputs.code.path as Promise<string>);
  const nodeManifest = JSON.parse(fs.readFileSync(nodeZip.replace(/\.zip$/, '.manifest.json'), 'utf8'));
  expect(nodeManifest.packages).toEqual(expect.arrayContaining([expect.objectContaining({ ecosystem: 'node', name: 'ms', version: '2.1.3' })]));
  expect(nodeManifest.entries.map((e: { path: string }) => e.path)).toContain('nodejs/node_modules/ms/index.js');
  expect(byName(versions, 'node-deps').inputs.compatibleRuntimes).toEqual(['nodejs20.x']);

  // The shared Python layer is retained and granted to the organization.
  expect(byName(versions, 'python-common').retainOnDelete).toBe(true);
  expect(byName(versions, 'tools').retainOnDelete).toBe(false);
  const [permission] = ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission');
  expect(permission.inputs).toMatchObject({ principal: '*', organizationId: 'o-exampleorg1', action: 'lambda:GetLayerVersion', versionNumber: 7 });

  // Each function gets its layers in the declared order.
  const fns = ofType(captured, 'aws:lambda/function:Function');
  const arn = (n: string) => `arn:aws:lambda:us-east-1:123456789012:layer:${n}:7`;
  expect(byName(fns, 'hello-python').inputs.layers).toEqual([arn('python-common'), arn('tools')]);
  expect(byName(fns, 'hello-node').inputs.layers).toEqual([arn('node-deps'), arn('tools')]);
  expect(byName(fns, 'hello-python').inputs.runtime).toBe('python3.12');
  expect(await valueOf(program.functions.helloNode.layers)).toEqual([arn('node-deps'), arn('tools')]);
  expect(ofType(captured, 'aws:iam/role:Role')).toHaveLength(1);
});

test('on Alibaba FC: V3LayerVersions with inline ZIP and CRC-64, a public ACL, V3Functions with their declared stacks', async () => {
  // GIVEN platform=alicloud / WHEN the program runs
  const { captured } = await runExample('alicloud');

  // THEN
  const versions = ofType(captured, 'alicloud:fc/v3LayerVersion:V3LayerVersion');
  expect(versions.map((v) => v.name).sort()).toEqual(['node-deps', 'python-common', 'tools']);
  for (const v of versions) {
    expect(v.inputs.code.zipFile).toMatch(/^UEsDB/);
    expect(v.inputs.code.checksum).toMatch(/^\d+$/);
  }
  expect(byName(versions, 'python-common').inputs.acl).toBe('1');
  expect(byName(versions, 'python-common').retainOnDelete).toBe(true);
  expect(byName(versions, 'node-deps').inputs.acl).toBe('0');
  expect(byName(versions, 'node-deps').inputs.compatibleRuntimes).toEqual(['nodejs20']);
  expect(ofType(captured, 'aws:lambda/layerVersionPermission:LayerVersionPermission')).toEqual([]);

  const fns = ofType(captured, 'alicloud:fc/v3Function:V3Function');
  const arn = (n: string) => `acs:fc:cn-hangzhou:1234567890123456:layers/${n}/versions/3`;
  expect(byName(fns, 'hello-python').inputs.layers).toEqual([arn('tools'), arn('python-common')]);
  expect(byName(fns, 'hello-node').inputs.layers).toEqual([arn('tools'), arn('node-deps')]);
  expect(byName(fns, 'hello-node').inputs.code.zipFile).toMatch(/^UEsDB/);
});

test('running the program again with nothing changed gives the same layer inputs: no new version is published', async () => {
  // GIVEN the AWS program ran once (previous test) / WHEN it runs again
  const { captured } = await runExample('aws');
  // THEN every LayerVersion has the same ZIP hash and inputs as before
  const summary = (rs: CapturedResource[]) => ofType(rs, 'aws:lambda/layerVersion:LayerVersion')
    .map((v) => ({ name: v.name, hash: v.inputs.sourceCodeHash, runtimes: v.inputs.compatibleRuntimes }))
    .sort((a, b) => a.name.localeCompare(b.name));
  expect(summary(firstAwsRun)).toHaveLength(3);
  expect(summary(captured)).toEqual(summary(firstAwsRun));
});
