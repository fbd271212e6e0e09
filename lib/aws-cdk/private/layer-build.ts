import * as fs from 'fs';
import * as path from 'path';
import { buildLayerSync, computeInputKey, defaultCacheDir, readArtifact } from '../../engine';
import type { BuildTarget, LayerArtifact, SourceSpec } from '../../engine';
import { pausePoint } from '../../engine/test-pause';

/** File name of the layer ZIP inside the CDK bundling output directory. */
const BUNDLED_ZIP = 'layer.zip';

/**
 * One layer's build, shared between the CDK bundling hook (which runs while the LayerVersion is
 * being constructed, before the RuntimeLayer's own fields exist) and the RuntimeLayer itself.
 * The build runs at most once per process; a cache hit costs a file read.
 */
export class LayerBuild {
  /** Content-addressed key of the inputs; the only input of the CDK asset hash. */
  public readonly inputKey: string;
  /** Cache directory the build reads and writes. */
  public readonly cacheDir: string;
  private artifact?: LayerArtifact;

  constructor(
    public readonly spec: SourceSpec,
    public readonly target: BuildTarget,
    cacheDir: string | undefined,
  ) {
    this.inputKey = computeInputKey(spec, target);
    this.cacheDir = cacheDir ?? defaultCacheDir();
  }

  /** The artifact when the layer was built (or found in the cache) in this process. */
  public get built(): LayerArtifact | undefined {
    return this.artifact;
  }

  /** Build the layer, or take it from the cache without running any package manager. */
  public ensureBuilt(): LayerArtifact {
    if (!this.artifact) {
      this.artifact = readArtifact(this.cacheDir, this.inputKey)
        ?? buildLayerSync(this.spec, this.target, { cacheDir: this.cacheDir });
    }
    return this.artifact;
  }

  /**
   * The CDK local bundling step: put our reproducible ZIP, byte for byte, into CDK's output
   * directory (ARCHIVED output, so CDK uploads the file as-is instead of zipping a directory).
   * On failure the directory is removed, so no half-written bundle stays in the cloud assembly.
   */
  public bundleInto(outDir: string): boolean {
    try {
      const artifact = this.ensureBuilt();
      const dest = path.join(outDir, BUNDLED_ZIP);
      const tmp = `${dest}.${process.pid}.tmp`;
      fs.copyFileSync(artifact.zipPath, tmp);
      pausePoint('bundle:copied');
      fs.renameSync(tmp, dest);
      pausePoint('bundle:done');
      return true;
    } catch (err) {
      fs.rmSync(outDir, { recursive: true, force: true });
      throw err;
    }
  }
}

/**
 * The directory CDK's asset staging is anchored on. With a custom asset hash and bundling it is
 * neither fingerprinted nor copied; it only has to exist. The source's own directory is used so
 * that a stack whose bundling is skipped points at something meaningful.
 */
export function anchorDirectory(spec: SourceSpec): string {
  const candidates: (string | undefined)[] = [];
  switch (spec.kind) {
    case 'directory': candidates.push(spec.path); break;
    case 'zip': candidates.push(path.dirname(spec.path)); break;
    case 'python': candidates.push(spec.requirements && path.dirname(spec.requirements), ...(spec.findLinks ?? [])); break;
    case 'node': candidates.push(spec.packageDir); break;
    case 'java': candidates.push(spec.jarsDir, spec.pom && path.dirname(spec.pom)); break;
    case 'php': candidates.push(spec.composerDir); break;
    case 'ruby': candidates.push(spec.gemfileDir); break;
    case 'customRuntime': candidates.push(spec.dir, path.dirname(spec.bootstrap)); break;
    case 'command': candidates.push(spec.cwd); break;
  }
  for (const dir of candidates) {
    if (dir && isDirectory(dir)) return dir;
  }
  return process.cwd();
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
