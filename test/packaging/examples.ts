import * as fs from 'fs';
import * as path from 'path';
import { copyExample, installTarball } from './pack';

/**
 * What each example app needs besides layersmith, linked from our node_modules: the front-end's
 * SDK (so tests that share the SDK with the app, like Pulumi's mocks, hold one copy in memory)
 * and what runs its TypeScript.
 */
const EXAMPLE_PEERS: Record<string, string[]> = {
  'aws-cdk-app': ['aws-cdk-lib', 'constructs'],
  'ros-cdk-app': ['@alicloud/ros-cdk-core', '@alicloud/ros-cdk-fc3', '@alicloud/ros-cdk-ossassets'],
  'pulumi-app': ['@pulumi/pulumi', '@pulumi/aws', '@pulumi/alicloud'],
};
const TYPESCRIPT = ['ts-node', 'typescript', '@types/node'];

/**
 * A copy of examples/<name> in `dir` with the packed tarball installed into it, as a user's app
 * has it: the example imports `layersmith/...` and gets the compiled package, never lib/ sources.
 */
export function exampleFromTarball(name: string, dir: string): string {
  copyExample(name, dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `layersmith-example-${name}`, version: '1.0.0', private: true }, null, 2));
  installTarball(dir, { link: [...EXAMPLE_PEERS[name], ...TYPESCRIPT] });
  return dir;
}
