import * as fs from 'fs';
import * as path from 'path';
import { LayersmithError, UsageError } from '../core/errors';
import type { PlatformId } from '../core/model';
import { getPlatform } from '../core/platforms';
import { extractZip } from '../engine/inspect/extract';

/** One layer of a function's stack, as a local file. */
export interface LocalLayer {
  /** Name to show (construct path, ARN, or the ZIP's file name). */
  readonly name: string;
  /** The layer ZIP, or a directory holding the layer's unzipped content. */
  readonly source: string;
}

/** Options of {@link materializeOpt}. */
export interface MaterializeOptions {
  /** Platform whose precedence decides which copy of a shared path wins. */
  readonly platform: PlatformId;
  /** Layers in deployed order (the function's `Layers` list). */
  readonly layers: readonly LocalLayer[];
  /** Directory to write; must not exist or be empty. */
  readonly outDir: string;
}

/** A path more than one layer holds, and which copy /opt ends up with. */
export interface ShadowedOptPath {
  /** Path under /opt. */
  readonly path: string;
  /** Names of the layers holding it, in deployed order. */
  readonly layers: readonly string[];
  /** Name of the layer whose copy is in /opt. */
  readonly winner: string;
}

/** What {@link materializeOpt} wrote. */
export interface OptResult {
  /** Absolute path of the written directory. */
  readonly dir: string;
  readonly platform: PlatformId;
  readonly precedence: 'last-wins' | 'first-wins';
  /** The platform's precedence rule in words. */
  readonly precedenceReason: string;
  /** Layers in deployed order with their file counts (files and symlinks). */
  readonly layers: readonly { readonly position: number; readonly name: string; readonly source: string; readonly files: number }[];
  /** Shadowed paths, sorted. */
  readonly shadowed: readonly ShadowedOptPath[];
  /** Files and symlinks in /opt after the merge. */
  readonly files: number;
}

/**
 * Write what /opt holds for a function: each layer extracted (with the same validation as
 * `layersmith inspect`), then merged file by file in the order the platform applies them, so the
 * winning copy of a shared path is the platform's (AWS: the last layer; FC: the first).
 * Directories merge. Everything is staged next to `outDir` and renamed into place; a failure
 * leaves nothing behind.
 */
export async function materializeOpt(options: MaterializeOptions): Promise<OptResult> {
  const platform = getPlatform(options.platform);
  const out = path.resolve(options.outDir);
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) {
    throw new UsageError(`${options.outDir}: exists and is not an empty directory; choose a new directory or empty it first`);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(out), '.layersmith-opt-'));
  try {
    const layerDirs: string[] = [];
    for (const [i, layer] of options.layers.entries()) {
      const dir = path.join(staging, `layer-${i + 1}`);
      await unpackLayer(layer, dir);
      layerDirs.push(dir);
    }

    const owners = new Map<string, number[]>();
    const counts = layerDirs.map((dir, i) => {
      const files = listFiles(dir);
      for (const f of files) {
        const list = owners.get(f);
        if (list) list.push(i); else owners.set(f, [i]);
      }
      return files.length;
    });

    // Apply in the platform's order so that the winner is written last.
    const order = layerDirs.map((_, i) => i);
    if (platform.precedence === 'first-wins') order.reverse();
    const merged = path.join(staging, 'opt');
    fs.mkdirSync(merged);
    for (const i of order) mergeInto(layerDirs[i], merged);

    const names = options.layers.map((l) => l.name);
    const shadowed: ShadowedOptPath[] = [...owners.entries()]
      .filter(([, held]) => held.length > 1)
      .map(([p, held]) => ({
        path: p,
        layers: held.map((i) => names[i]),
        winner: names[platform.precedence === 'last-wins' ? held[held.length - 1] : held[0]],
      }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

    if (fs.existsSync(out)) fs.rmdirSync(out);
    fs.renameSync(merged, out);
    return {
      dir: out,
      platform: options.platform,
      precedence: platform.precedence,
      precedenceReason: platform.precedenceReason,
      layers: options.layers.map((l, i) => ({ position: i + 1, name: l.name, source: l.source, files: counts[i] })),
      shadowed,
      files: owners.size,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

async function unpackLayer(layer: LocalLayer, dir: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(layer.source);
  } catch {
    throw new UsageError(`layer ${layer.name}: ${layer.source} does not exist; pass the layer's ZIP file`);
  }
  if (stat.isDirectory()) {
    fs.cpSync(layer.source, dir, { recursive: true, verbatimSymlinks: true });
  } else {
    try {
      await extractZip(layer.source, dir);
    } catch (e) {
      // A ZIP the inspector refuses is bad input, named after the layer it belongs to.
      if (e instanceof LayersmithError) throw new UsageError(`layer ${layer.name}: ${e.message}`);
      throw e;
    }
  }
}

/** Files and symlinks under `root`, relative with forward slashes. */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), r);
      else out.push(r);
    }
  };
  walk(root, '');
  return out;
}

/** Move every file of `from` into `to`, replacing what is there; directories merge. */
function mergeInto(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    const existing = lstatOrUndefined(dest);
    if (entry.isDirectory()) {
      if (existing && !existing.isDirectory()) fs.rmSync(dest, { force: true });
      if (!existing || !existing.isDirectory()) fs.mkdirSync(dest);
      mergeInto(src, dest);
    } else {
      if (existing?.isDirectory()) fs.rmSync(dest, { recursive: true, force: true });
      fs.renameSync(src, dest);
    }
  }
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}
