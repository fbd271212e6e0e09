import * as fs from 'fs';
import * as path from 'path';
import type { JavaSourceSpec } from '../api';
import { BuildContext, BuildOutput, toolEnv } from './context';
import { runCommand } from './exec';

/** Maven goal and flags that copy a pom's runtime dependencies (jars only) into `outDir`. */
export function mavenCopyArgs(spec: JavaSourceSpec, outDir: string): string[] {
  return [
    'mvn', '-B', '-q', '-f', spec.pom!,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    '-DincludeTypes=jar',
    `-DoutputDirectory=${outDir}`,
    ...(spec.mavenArgs ?? []),
  ];
}

export async function buildJava(spec: JavaSourceSpec, ctx: BuildContext): Promise<BuildOutput> {
  const lib = path.join(ctx.staging, 'java', 'lib');
  fs.mkdirSync(lib, { recursive: true });
  if (spec.jarsDir) {
    const jars = fs.readdirSync(spec.jarsDir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.jar'))
      .map((e) => e.name)
      .sort();
    if (jars.length === 0) {
      throw new Error(`LayerSource.java: jarsDir ${spec.jarsDir} holds no *.jar file, so the layer would be empty. Fix: point jarsDir at the directory of your dependency jars (e.g. target/dependency).`);
    }
    await ctx.step(`copy ${jars.length} jars to java/lib`, () => {
      for (const j of jars) fs.copyFileSync(path.join(spec.jarsDir!, j), path.join(lib, j));
    });
  } else {
    await ctx.step('mvn dependency:copy-dependencies', () => runCommand(mavenCopyArgs(spec, lib), {
      cwd: path.dirname(spec.pom!),
      env: toolEnv({}),
      purpose: 'LayerSource.java with a pom (mvn)',
    }));
  }
  return { root: ctx.staging };
}
