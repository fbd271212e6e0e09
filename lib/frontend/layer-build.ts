import * as fs from 'fs';
import * as path from 'path';
import type { ArchitectureId } from '../core';
import { withConstructPath } from './errors';
import type { OwnLayer } from './stack';
import type { BuildTarget, LayerArtifact, SourceSpec } from '../engine/api';
import { computeInputKey, defaultCacheDir, readArtifact } from '../engine/cache';
import { carryStampAcross, stampOnExit } from '../engine/cache-verify';
import { placeArtifact } from '../engine/place';
import { buildLayerSync } from '../engine/sync';
import { pausePoint } from '../engine/test-pause';

/** File name of the layer ZIP inside a CDK bundling output directory. */
const BUNDLED_ZIP = 'layer.zip';

/**
 * One layer's build for the synchronous CDK front-ends, shared between the bundling hook (which
 * may run before the construct's own fields exist) and the construct. The build runs at most
 * once per process; a cache hit costs a file read. A failure names the construct.
 */
export class LayerBuild {
  /** Cache directory the build reads and writes. */
  public readonly cacheDir: string;
  private artifact?: LayerArtifact;
  private key?: string;

  constructor(
    /** Construct path, named by every error. */
    public readonly constructPath: string,
    public readonly spec: SourceSpec,
    public readonly target: BuildTarget,
    cacheDir: string | undefined,
  ) {
    this.cacheDir = cacheDir ?? defaultCacheDir();
  }

  /**
   * Content-addressed key of the inputs; the only input of the asset hash. Computed when first
   * asked, unless the build came first: a first build of a directory layer keys it after packing,
   * so the files are read once (engine.ts buildKeyAfterPack).
   */
  public get inputKey(): string {
    this.key ??= this.artifact?.inputKey ?? computeInputKey(this.spec, this.target, this.cacheDir);
    return this.key;
  }

  /** The artifact when the layer was built (or found in the cache) in this process. */
  public get built(): LayerArtifact | undefined {
    return this.artifact;
  }

  /**
   * The layer as the shared steps see it: the build's construct path, platform, runtimes and key,
   * with the declared name and architectures, and the manifest once built.
   */
  public ownLayer(layerName: string | undefined, architectures: readonly ArchitectureId[]): OwnLayer {
    return {
      path: this.constructPath,
      platform: this.target.platform,
      layerName,
      compatibleRuntimes: this.target.runtimes,
      compatibleArchitectures: architectures,
      inputKey: this.inputKey,
      manifest: this.artifact?.manifest,
    };
  }

  /** Build the layer, or take it from the cache without running any package manager. */
  public ensureBuilt(): LayerArtifact {
    if (!this.artifact) {
      try {
        // buildLayerSync keys first and answers a hit itself, except for a first build it keys after packing.
        const known = this.key !== undefined ? readArtifact(this.cacheDir, this.key) : undefined;
        this.artifact = known ?? buildLayerSync(this.spec, this.target, { cacheDir: this.cacheDir });
        // A fresh entry cannot be stamped yet: stamp it as this process exits, for the next synth.
        if (!this.artifact.cacheHit) stampOnExit(this.artifact.zipPath, this.artifact.manifestPath);
      } catch (err) {
        throw withConstructPath(err, this.constructPath, `building the ${this.spec.kind} layer failed`, 'build');
      }
    }
    return this.artifact;
  }

  /**
   * Call right before the framework stages the asset (it runs `bundleInto`, then moves the ZIP
   * link we made), and call what it returns right after: the cache ZIP's verification stamp then
   * survives the move, so the next synth does not hash the whole ZIP again (cache-verify.ts).
   */
  public keepStampAcrossStaging(): () => void {
    return this.artifact ? carryStampAcross(this.artifact.zipPath) : () => undefined;
  }

  /**
   * The local bundling step: put our reproducible ZIP, byte for byte, into the framework's output
   * directory (ARCHIVED output, so the file is uploaded as-is). On failure the directory is
   * removed, so no half-written bundle stays in the assembly.
   */
  public bundleInto(outDir: string): boolean {
    try {
      // A hard link (or reflink) where the file system allows: no full copy of the ZIP per synth.
      placeArtifact(this.ensureBuilt().zipPath, path.join(outDir, BUNDLED_ZIP), () => pausePoint('bundle:copied'));
      pausePoint('bundle:done');
      return true;
    } catch (err) {
      fs.rmSync(outDir, { recursive: true, force: true });
      throw err;
    }
  }
}
