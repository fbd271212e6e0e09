import * as fs from 'fs';
import * as path from 'path';
import { LayersmithBuildError, LayersmithValidationError } from '../../core/errors';
import type { CommonSourceSpec } from '../api';
import { BuildContext, BuildOutput, toolEnv } from '../builders/context';
import { runCommand } from '../builders/exec';
import { fileDigest, layerTreeDigest } from '../digest';
import { commonSpec, excludesOf, existingDir, existingFile, type SourceKind, LayerSourceOptions } from './kind';

export interface JavaSourceSpec extends CommonSourceSpec {
  readonly kind: 'java';
  /** Absolute path of a directory of jars, copied to java/lib/. */
  readonly jarsDir?: string;
  /** Absolute path of a pom.xml whose runtime dependencies are copied to java/lib/. */
  readonly pom?: string;
  /** Extra Maven arguments for the pom case (e.g. ['-o', '-s', 'settings.xml']). */
  readonly mavenArgs?: readonly string[];
}

/** Options of `LayerSource.java` with a directory of jars. */
export interface JavaJarsSourceOptions extends LayerSourceOptions {
  /** Directory whose *.jar files are copied to java/lib/. */
  readonly jarsDir: string;
}

/** Options of `LayerSource.java` with a Maven project. */
export interface JavaPomSourceOptions extends LayerSourceOptions {
  /** pom.xml whose runtime-scope dependencies Maven copies to java/lib/. */
  readonly pom: string;
  /**
   * Extra Maven arguments, e.g. ['-o', '-s', '/path/settings.xml'] for an offline mirror.
   * @default - none
   */
  readonly mavenArgs?: string[];
}

/** Validates `LayerSource.java` options and resolves their paths. */
export function javaSpec(options: JavaJarsSourceOptions | JavaPomSourceOptions): JavaSourceSpec {
  const where = 'LayerSource.java';
  const o = options as Partial<JavaJarsSourceOptions & JavaPomSourceOptions>;
  if ((o.jarsDir === undefined) === (o.pom === undefined)) {
    throw new LayersmithValidationError('JARS_DIR_OR_POM', `${where}: give exactly one of 'jarsDir' (a directory of jars) or 'pom' (a pom.xml).`);
  }
  return {
    kind: 'java',
    ...(o.jarsDir !== undefined ? { jarsDir: existingDir(o.jarsDir, where, 'jarsDir') } : {}),
    ...(o.pom !== undefined ? { pom: existingFile(o.pom, where, 'pom') } : {}),
    ...(o.mavenArgs ? { mavenArgs: [...o.mavenArgs] } : {}),
    ...commonSpec(options, where),
  };
}

/** The jars directory (whole, minus excludes) or the pom; Maven's own repository is not keyed. */
export const javaKind: SourceKind<JavaSourceSpec> = {
  kind: 'java',
  keyInputs: (spec) => ({
    jarsDir: spec.jarsDir ? layerTreeDigest(spec.jarsDir, excludesOf(spec)) : null,
    pom: spec.pom ? fileDigest(spec.pom) : null,
    mavenArgs: [...(spec.mavenArgs ?? [])],
    // A settings file given with -s/--settings decides the repositories and mirrors Maven uses.
    mavenSettings: spec.pom ? mavenSettingsDigest(spec) : undefined,
  }),
  anchorCandidates: (spec) => [spec.jarsDir, spec.pom && path.dirname(spec.pom)],
  build: (spec, ctx) => buildJava(spec, ctx),
};

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
      throw new LayersmithBuildError('NO_JARS',
        `LayerSource.java: jarsDir ${spec.jarsDir} holds no *.jar file, so the layer would be empty. Fix: point jarsDir at `
        + 'the directory of your dependency jars (e.g. target/dependency).', { path: spec.jarsDir });
    }
    await ctx.step(`copy ${jars.length} jars to java/lib`, () => {
      for (const j of jars) fs.copyFileSync(path.join(spec.jarsDir!, j), path.join(lib, j));
    });
  } else {
    await ctx.step('mvn dependency:copy-dependencies', () => runCommand(mavenCopyArgs(spec, lib), {
      tmpDir: path.join(ctx.work, 'tmp'),
      cwd: path.dirname(spec.pom!),
      env: toolEnv({}),
      purpose: 'LayerSource.java with a pom (mvn)',
    }));
  }
  return { root: ctx.staging };
}

function mavenSettingsDigest(spec: JavaSourceSpec): string | null {
  const args = spec.mavenArgs ?? [];
  const i = args.findIndex((a) => a === '-s' || a === '--settings');
  const file = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--settings='))?.slice('--settings='.length);
  if (!file) return null;
  const abs = path.resolve(path.dirname(spec.pom!), file);
  return fs.existsSync(abs) ? fileDigest(abs) : null;
}
