import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cleanupTempDirs, runCli, tempDir } from './helpers';
import { exampleFromTarball } from '../packaging/examples';

/**
 * The command on the example apps' real cloud assemblies: the AWS CDK app synthesized by the real
 * `cdk synth`, the ROS CDK app by running it (ROS CDK synth), each twice with one build cache.
 * Each app is a temporary copy of the example with the packed tarball installed into it.
 */
let AWS_EXAMPLE: string;
let ROS_EXAMPLE: string;

function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, argv, { cwd, env: { ...process.env, LAYERSMITH_QUIET: '1', ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed with exit code ${r.status}:\n${r.stdout}\n${r.stderr}`);
}

function cdkSynth(outdir: string, cacheDir: string): void {
  run([require.resolve('aws-cdk/bin/cdk'), 'synth', '--no-notices', '--quiet', '--output', outdir], AWS_EXAMPLE, {
    CDK_DISABLE_VERSION_CHECK: '1', LAYERSMITH_CACHE_DIR: cacheDir,
  });
}

function rosSynth(outdir: string, cacheDir: string): void {
  run([require.resolve('ts-node/dist/bin.js'), '-P', path.join(ROS_EXAMPLE, 'tsconfig.json'), path.join(ROS_EXAMPLE, 'app.ts')], ROS_EXAMPLE, {
    CDK_OUTDIR: outdir, LAYERSMITH_CACHE_DIR: cacheDir,
  });
}

const aws: string[] = [];
const ros: string[] = [];

beforeAll(() => {
  AWS_EXAMPLE = exampleFromTarball('aws-cdk-app', tempDir('aws-app'));
  ROS_EXAMPLE = exampleFromTarball('ros-cdk-app', tempDir('ros-app'));
  // GIVEN each example synthesized twice into fresh dirs (the second synth hits the build cache)
  const cache = tempDir('examples-cache');
  for (let i = 0; i < 2; i++) {
    aws.push(tempDir(`aws-out${i}`));
    cdkSynth(aws[i], cache);
    ros.push(tempDir(`ros-out${i}`));
    rosSynth(ros[i], cache);
  }
}, 1_200_000);

afterAll(cleanupTempDirs);

describe('layersmith report on examples/aws-cdk-app (real cdk synth)', () => {
  test('the Markdown review is identical across two synths and matches the committed snapshot', () => {
    // WHEN both assemblies are reported
    const [a, b] = aws.map((dir) => runCli(['report', dir]));

    // THEN it runs clean, the two are byte-identical, and the text is the reviewed snapshot
    expect({ code: a.code, stderr: a.stderr }).toEqual({ code: 0, stderr: '' });
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout).toMatchSnapshot();
  });

  test('it shows every layer, both grants, each stack in template order, and which copy of bin/healthcheck wins', () => {
    // WHEN the JSON review is read
    const report = JSON.parse(runCli(['report', aws[0], '--format', 'json']).stdout);

    // THEN the app's facts are all there
    expect(report.layers.map((l: { path: string }) => l.path)).toEqual([
      'OrdersPlatform/NodeDeps', 'OrdersPlatform/OpsOverrides', 'OrdersPlatform/PythonDeps', 'OrdersPlatform/Tools',
    ]);
    expect(report.layers.every((l: { built: boolean }) => l.built)).toBe(true);
    expect(report.grants.map((g: { layer: string; kind: string }) => `${g.layer} ${g.kind}`)).toEqual([
      'OrdersPlatform/NodeDeps organization', 'OrdersPlatform/PythonDeps account',
    ]);
    expect(report.publicAccess).toEqual([]);
    for (const fn of report.functions) expect(fn.templateOrder.status).toBe('match');
    const price = report.functions.find((f: { path: string }) => f.path === 'OrdersPlatform/PriceOrder');
    expect(price.layers.map((l: { layerPath: string }) => l.layerPath)).toEqual([
      'OrdersPlatform/PythonDeps', 'OrdersPlatform/Tools', 'OrdersPlatform/OpsOverrides',
    ]);
    expect(price.shadowed).toEqual([{ path: 'bin/healthcheck', layers: ['OrdersPlatform/Tools', 'OrdersPlatform/OpsOverrides'], winner: 'OrdersPlatform/OpsOverrides' }]);
    // the budget is the function's code plus the unzipped size of each layer
    const sizes = price.layers.reduce((n: number, l: { unzippedSize: number }) => n + l.unzippedSize, 0);
    expect(price.budget.usedBytes).toBe(price.codeSize + sizes);
  });

  test('inspect on the staged asset ZIPs gives the checksums and packages the report shows for each layer', () => {
    // GIVEN the layer ZIPs CDK staged for upload
    const report = JSON.parse(runCli(['report', aws[0], '--format', 'json']).stdout);
    const zips = fs.readdirSync(aws[0]).filter((f) => f.startsWith('asset.') && f.endsWith('.zip')).map((f) => path.join(aws[0], f));

    // WHEN each is inspected
    const inspected = zips.map((zip) => JSON.parse(runCli(['inspect', zip, '--json']).stdout));

    // THEN every layer of the report is one of the staged ZIPs, byte for byte (same SHA-256),
    // with the same packages
    for (const layer of report.layers) {
      const match = inspected.find((r) => r.manifest.zip.sha256 === layer.sha256);
      expect(match).toBeDefined();
      expect(match.manifest.zip.unzippedSize).toBe(layer.unzippedSize);
      expect(match.manifest.packages.map((p: { name: string; version: string }) => `${p.name}@${p.version}`).sort())
        .toEqual(layer.packages.map((p: { name: string; version: string }) => `${p.name}@${p.version}`).sort());
    }
  });
});

describe('layersmith report on examples/ros-cdk-app (ROS CDK synth)', () => {
  test('the Markdown review is identical across two synths and matches the committed snapshot', () => {
    const [a, b] = ros.map((dir) => runCli(['report', dir]));
    expect({ code: a.code, stderr: a.stderr }).toEqual({ code: 0, stderr: '' });
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout).toMatchSnapshot();
  });

  test('the public FC layer is called out, FC precedence is first-wins, and --fail-on public fails the check', () => {
    // WHEN reported with the public gate a PR check would use
    const r = runCli(['report', ros[0], '--fail-on', 'public']);

    // THEN the check fails and says why, loudly
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('## ⚠️ PUBLIC LAYERS');
    expect(r.stdout).toContain('**`LayersmithOrders/FormatTools`** (alicloud, stack `LayersmithOrders`): FC layer ACL is public');
    expect(r.stdout).toContain('the FIRST layer wins');
    expect(r.stdout).toContain('Template `LayersmithOrders.template.json`: Layers are in exactly this order.');
  });
});
