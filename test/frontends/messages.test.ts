import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BAD_DECLARATIONS, BadDeclaration, normalizeMessage, writeLayer } from './declarations';
import * as awsCdk from '../../lib/aws-cdk';
import type { PlatformId } from '../../lib/core';
import * as rosCdk from '../../lib/ros-cdk';
import { runProgram } from '../pulumi/run-program';

// Every row synthesizes real CDK and ROS apps and runs two Pulumi programs in their own processes.
jest.setTimeout(600_000);

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-test-messages-'));
  process.env.LAYERSMITH_CACHE_DIR = path.join(root, 'cache');
  process.env.LAYERSMITH_QUIET = '1';
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The message a declaration fails with: thrown at construction, or by synth. */
function failure(declare: () => { synth: () => void }): string {
  try {
    declare().synth();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the declaration did not fail');
}

/** A function's code directory (the messages under test do not depend on it). */
function functionCode(): string {
  const dir = path.join(root, 'function');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.py'), 'def handler(event, context):\n    return event\n');
  return dir;
}

function source(platform: PlatformId, files: BadDeclaration['layers'][number]): awsCdk.LayerSource {
  return (files.files === null ? 'not-a-source' : awsCdk.LayerSource.fromDirectory(writeLayer(root, platform, files))) as awsCdk.LayerSource;
}

function awsCdkMessage(row: BadDeclaration): string {
  return failure(() => {
    const app = new App({ outdir: path.join(root, 'cdk.out', row.what.replace(/\W+/g, '-')) });
    const stack = new Stack(app, 'Stack');
    const layers = row.layers.map((l) => new awsCdk.RuntimeLayer(stack, l.id, {
      source: source('aws', l),
      compatibleRuntimes: l.runtimes.aws.map((r) => new lambda.Runtime(r)),
      ...(l.awsArchitectures ? { compatibleArchitectures: l.awsArchitectures.map((a) => lambda.Architecture.custom(a)) } : {}),
      layerName: l.layerName,
      description: l.description,
    }));
    if (row.fn) {
      new awsCdk.FunctionWithLayers(stack, row.fn.id, {
        runtime: new lambda.Runtime(row.fn.runtime.aws), handler: 'index.handler', code: lambda.Code.fromAsset(functionCode()), layers,
      });
    }
    return { synth: () => app.synth() };
  });
}

function rosCdkMessage(row: BadDeclaration): string {
  return failure(() => {
    const app = new ros.App({ outdir: path.join(root, 'ros.out', row.what.replace(/\W+/g, '-')), stackTraces: false });
    const stack = new ros.Stack(app, 'Stack', { synthesizer: new ros.DefaultStackSynthesizer({ qualifier: 'lstest' }) });
    const layers = row.layers.map((l) => new rosCdk.RuntimeLayer(stack, l.id, {
      source: source('alicloud', l),
      compatibleRuntimes: [...l.runtimes.alicloud],
      ...(l.layerName !== undefined ? { layerName: l.layerName } : {}),
      description: l.description,
    }));
    if (row.fn) {
      new rosCdk.FunctionWithLayers(stack, row.fn.id, {
        runtime: row.fn.runtime.alicloud, handler: 'index.handler', functionName: 'fn', code: { zipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' }, layers,
      });
    }
    return { synth: () => app.synth() };
  });
}

function pulumiMessage(row: BadDeclaration, platform: PlatformId): string {
  const result = runProgram(require.resolve('./pulumi-program.ts'), 'run', {
    LAYERSMITH_TEST_DIR: root,
    LAYERSMITH_PLATFORM: platform,
    LAYERSMITH_ROW: String(BAD_DECLARATIONS.indexOf(row)),
  });
  return result.errors.join('\n');
}

describe.each(BAD_DECLARATIONS.map((row) => [row.what, row] as const))('%s', (_what, row) => {
  test('gives the same message in AWS CDK as in Pulumi on AWS, and in ROS CDK as in Pulumi on FC', () => {
    const platforms = row.platforms ?? ['aws', 'alicloud'];
    // GIVEN one bad declaration / WHEN each front-end is given it
    // THEN the message is the one about the intended problem, word for word the same per platform
    if (platforms.includes('aws')) {
      const aws = normalizeMessage(awsCdkMessage(row));
      expect(aws).toMatch(row.about);
      expect(normalizeMessage(pulumiMessage(row, 'aws'))).toBe(aws);
    }
    if (platforms.includes('alicloud')) {
      const fc = normalizeMessage(rosCdkMessage(row));
      expect(fc).toMatch(row.about);
      expect(normalizeMessage(pulumiMessage(row, 'alicloud'))).toBe(fc);
      if (row.anyPlatform) expect(fc).toBe(normalizeMessage(awsCdkMessage(row)));
    }
  });
});
