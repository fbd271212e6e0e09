import * as fs from 'fs';
import * as path from 'path';
import type { NodeSourceSpec } from '../api';
import { BuildContext, BuildOutput, nodeMajorFromTarget, toolEnv } from './context';
import { runCommand } from './exec';

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json'];

/**
 * `npm ci` flags. `--ignore-scripts` by default: install scripts would compile native code for
 * the build host, not the function's Linux target, and run arbitrary code at synth time; packages
 * that ship prebuilt binaries per platform resolve through `--os/--cpu` instead. Pass
 * npmArgs ['--ignore-scripts=false'] to run them anyway.
 */
export function npmCiArgs(spec: NodeSourceSpec, cpu: 'x64' | 'arm64'): string[] {
  return [
    'npm', 'ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier',
    '--os=linux', `--cpu=${cpu}`,
    ...(spec.npmArgs ?? []),
  ];
}

export async function buildNode(spec: NodeSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const lockfile = LOCKFILES.find((f) => fs.existsSync(path.join(spec.packageDir, f)));
  if (!lockfile) {
    throw new Error(`LayerSource.node: ${spec.packageDir} has package.json but no package-lock.json, and the layer must install exactly what the lockfile says. Fix: run 'npm install --package-lock-only' in ${spec.packageDir} and commit package-lock.json.`);
  }
  let nodeDir = path.join(ctx.staging, 'nodejs');
  if (spec.layout === 'versioned') {
    const major = spec.nodeMajor ?? nodeMajorFromTarget(ctx.target);
    if (!major) {
      throw new Error(`LayerSource.node: layout 'versioned' needs a Node major version, and the target runtimes [${ctx.target.runtimes.join(', ')}] name no nodejsNN. Fix: set nodeMajor (e.g. 20) or add a nodejsNN runtime.`);
    }
    nodeDir = path.join(nodeDir, `node${major}`);
  }
  fs.mkdirSync(nodeDir, { recursive: true });
  fs.copyFileSync(path.join(spec.packageDir, 'package.json'), path.join(nodeDir, 'package.json'));
  fs.copyFileSync(path.join(spec.packageDir, lockfile), path.join(nodeDir, lockfile));
  const cpu = ctx.target.architecture === 'arm64' ? 'arm64' : 'x64';
  await ctx.step(`npm ci (linux ${cpu})`, () => runCommand(npmCiArgs(spec, cpu), {
    cwd: nodeDir,
    env: toolEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }),
    purpose: 'LayerSource.node (npm)',
  }));
  // Only node_modules/ is on the function's module path; the manifests would just ride along.
  fs.rmSync(path.join(nodeDir, 'package.json'), { force: true });
  fs.rmSync(path.join(nodeDir, lockfile), { force: true });
  if (!fs.existsSync(path.join(nodeDir, 'node_modules'))) fs.mkdirSync(path.join(nodeDir, 'node_modules'));
  return { root: ctx.staging };
}
