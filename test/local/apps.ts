import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';
import * as oss from '@alicloud/ros-cdk-ossassets';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as awsCdk from '../../lib/aws-cdk';
import * as rosCdk from '../../lib/ros-cdk';
import { makeTempDir, writeTree } from '../helpers';

/** Real apps synthesized in-process for the local-invoke tests (AWS CDK cdk.out, ROS CDK outdir). */

/** Isolate the build cache and silence progress for this test file; pip never waits on the unreachable default index. */
export function isolateBuilds(): void {
  process.env.LAYERSMITH_CACHE_DIR = makeTempDir();
  process.env.LAYERSMITH_QUIET = '1';
  process.env.PIP_RETRIES = '0';
}

/** A directory with the given files. */
export function dirWith(files: Record<string, string>): string {
  const dir = makeTempDir();
  writeTree(dir, files);
  return dir;
}

export const NODE_LAYER_FIXTURE = path.join(__dirname, 'fixtures', 'node-layer');

/** What an AWS test app declares: layers by id, functions by id. */
export interface AwsAppSpec {
  readonly layers: Record<string, { readonly source: awsCdk.LayerSource; readonly runtimes: lambda.Runtime[] }>;
  readonly functions: Record<string, {
    readonly runtime: lambda.Runtime;
    readonly handler: string;
    readonly code: Record<string, string>;
    readonly layers: string[];
    readonly environment?: Record<string, string>;
    readonly memorySize?: number;
    readonly timeoutSeconds?: number;
  }>;
}

/** Synthesize an AWS CDK app with one stack 'Svc' into a fresh cdk.out; returns the outdir. */
export function synthAws(spec: AwsAppSpec): string {
  const outdir = makeTempDir();
  const app = new App({ outdir });
  const stack = new Stack(app, 'Svc');
  const layers = new Map<string, lambda.ILayerVersion>();
  for (const [id, l] of Object.entries(spec.layers)) {
    layers.set(id, new awsCdk.RuntimeLayer(stack, id, { source: l.source, compatibleRuntimes: l.runtimes }));
  }
  for (const [id, f] of Object.entries(spec.functions)) {
    new awsCdk.FunctionWithLayers(stack, id, {
      runtime: f.runtime,
      handler: f.handler,
      code: lambda.Code.fromAsset(dirWith(f.code)),
      layers: f.layers.map((l) => layers.get(l)!),
      environment: f.environment,
      memorySize: f.memorySize,
      timeout: Duration.seconds(f.timeoutSeconds ?? 60),
    });
  }
  app.synth();
  return outdir;
}

/** What a ROS test app declares. */
export interface RosAppSpec {
  readonly layers: Record<string, { readonly files: Record<string, string>; readonly runtimes: string[] }>;
  readonly functions: Record<string, {
    readonly runtime: string;
    readonly handler: string;
    readonly code: Record<string, string>;
    readonly layers: string[];
    readonly environmentVariables?: Record<string, string>;
    readonly setLayerEnvironment?: boolean;
    readonly memorySize?: number;
  }>;
}

/** Synthesize a ROS CDK app with one stack 'Fc' (code as an OSS asset) into a fresh outdir. */
export function synthRos(spec: RosAppSpec): string {
  const outdir = makeTempDir();
  const app = new ros.App({ outdir, stackTraces: false });
  // A pinned qualifier: ROS CDK draws a random one per run otherwise.
  const stack = new ros.Stack(app, 'Fc', { synthesizer: new ros.DefaultStackSynthesizer({ qualifier: 'lstest' }) });
  const layers = new Map<string, rosCdk.ILayerVersion>();
  for (const [id, l] of Object.entries(spec.layers)) {
    const source = rosCdk.LayerSource.fromDirectory(dirWith(l.files));
    layers.set(id, new rosCdk.RuntimeLayer(stack, id, { source, compatibleRuntimes: l.runtimes }));
  }
  for (const [id, f] of Object.entries(spec.functions)) {
    const code = new oss.Asset(stack, `${id}Code`, { path: dirWith(f.code) });
    new rosCdk.FunctionWithLayers(stack, id, {
      functionName: id.toLowerCase(),
      runtime: f.runtime,
      handler: f.handler,
      memorySize: f.memorySize ?? 512,
      timeout: 60,
      code: { ossBucketName: code.bucketName, ossObjectName: code.objectKey },
      layers: f.layers.map((l) => layers.get(l)!),
      environmentVariables: f.environmentVariables,
      setLayerEnvironment: f.setLayerEnvironment,
    });
  }
  app.synth();
  return outdir;
}

/** `layersmith-*` entries directly under a dir (what a run could leave behind in its TMPDIR). */
export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('layersmith-') || n.startsWith('.layersmith-'));
}

/** Whether this machine lets a process bind a directory on /opt in a private mount namespace (the namespace mode). */
export function namespaceAllowed(): boolean {
  return spawnSync('unshare', ['-m', '--propagation', 'private', '--', 'mount', '--bind', makeTempDir(), '/opt']).status === 0;
}
