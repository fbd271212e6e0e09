import * as fs from 'fs';
import * as path from 'path';
import type { ArchitectureId } from '../../core/model';
import type { PythonSourceSpec } from '../api';
import { BuildContext, BuildOutput, portableShebangs, pythonVersionFromTarget, removeNamed, toolEnv } from './context';
import { runCommand } from './exec';

/**
 * Linux platform tags pip may pick wheels for. manylinux2014 (glibc 2.17) is what both the AWS
 * Lambda images (glibc 2.26 / 2.34) and FC's Debian runtimes (glibc >= 2.28) can load; older
 * tags are accepted too. Pure 'any' wheels always qualify.
 */
export function pipPlatformTags(architecture: ArchitectureId): string[] {
  const cpu = architecture === 'arm64' ? 'aarch64' : 'x86_64';
  const tags = [`manylinux2014_${cpu}`, `manylinux_2_17_${cpu}`];
  if (cpu === 'x86_64') tags.push('manylinux2010_x86_64', 'manylinux_2_12_x86_64', 'manylinux1_x86_64', 'manylinux_2_5_x86_64');
  return tags;
}

/** The full pip command line for a spec (exposed so tests and docs can show what runs). */
export function pipInstallArgs(spec: PythonSourceSpec, pythonVersion: string, architecture: ArchitectureId, targetDir: string): string[] {
  const args = [
    spec.python ?? 'python3', '-m', 'pip', 'install',
    '--target', targetDir,
    '--no-compile', '--disable-pip-version-check', '--no-input', '--no-warn-script-location',
    // Always select wheels for the function's platform, never the build host's: a macOS or
    // arm64 laptop must get the same Linux wheels a Linux x86_64 CI runner gets.
    ...pipPlatformTags(architecture).flatMap((t) => ['--platform', t]),
    '--python-version', pythonVersion,
    '--implementation', 'cp',
    '--only-binary=:all:',
  ];
  if (spec.indexUrl) args.push('--index-url', spec.indexUrl);
  for (const l of spec.findLinks ?? []) args.push('--find-links', l);
  if (spec.noIndex) args.push('--no-index');
  if (spec.requirements) args.push('-r', spec.requirements);
  args.push(...(spec.pipArgs ?? []), ...(spec.packages ?? []));
  return args;
}

export async function buildPython(spec: PythonSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const pythonVersion = spec.pythonVersion ?? pythonVersionFromTarget(ctx.target);
  if (!pythonVersion) {
    throw new Error(`LayerSource.python: no Python version to select wheels for: the target runtimes [${ctx.target.runtimes.join(', ')}] name no python3.X. Fix: set pythonVersion (e.g. '3.12') or add a python3.X runtime.`);
  }
  const dest = spec.layout === 'site-packages'
    ? path.join(ctx.staging, 'python', 'lib', `python${pythonVersion}`, 'site-packages')
    : path.join(ctx.staging, 'python');
  fs.mkdirSync(dest, { recursive: true });
  const argv = pipInstallArgs(spec, pythonVersion, ctx.target.architecture, dest);
  await ctx.step(`pip install (python ${pythonVersion}, ${ctx.target.architecture})`, () => runCommand(argv, {
    cwd: spec.requirements ? path.dirname(spec.requirements) : ctx.work,
    env: toolEnv({ PYTHONDONTWRITEBYTECODE: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' }),
    purpose: 'LayerSource.python (pip)',
  }));
  await ctx.step('tidy python tree', () => {
    removeNamed(dest, new Set(['__pycache__']), ['.pyc']);
    // PEP 610 records hold the absolute path a local wheel was installed from.
    for (const ent of fs.readdirSync(dest)) {
      if (ent.endsWith('.dist-info')) fs.rmSync(path.join(dest, ent, 'direct_url.json'), { force: true });
    }
    portableShebangs(path.join(dest, 'bin'), /python/, '#!/usr/bin/env python3');
  });
  return { root: ctx.staging };
}
