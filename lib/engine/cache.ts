import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BuildTarget, LayerArtifact, SourceSpec } from './api';
import type { LayerManifest } from '../core/model';
import { ExcludeMatcher } from './zip/excludes';

/**
 * Bumped whenever a builder changes what it puts in a layer for the same inputs, so artifacts
 * built by an older layout are never reused.
 */
export const BUILDER_FORMAT = 1;

/** The layersmith version that goes into every key and manifest. */
export const LAYERSMITH_VERSION: string = readOwnVersion();

/** `builder` field of manifests: version plus format. */
export const BUILDER_ID = `layersmith@${LAYERSMITH_VERSION}/format-${BUILDER_FORMAT}`;

/** $LAYERSMITH_CACHE_DIR, else ~/.cache/layersmith: outside any cloud assembly, shared by apps. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.LAYERSMITH_CACHE_DIR;
  if (fromEnv && fromEnv.trim()) return path.resolve(fromEnv);
  return path.join(os.homedir(), '.cache', 'layersmith');
}

/** Where the artifact of a key lives in a cache directory. */
export function artifactPaths(cacheDir: string, key: string): { zipPath: string; manifestPath: string } {
  return {
    zipPath: path.join(cacheDir, `${key}.zip`),
    manifestPath: path.join(cacheDir, `${key}.manifest.json`),
  };
}

/**
 * The cached artifact of a key, or undefined. The manifest is renamed into place after the ZIP,
 * so its presence (plus a ZIP of the recorded size) means the entry is complete.
 */
export function readArtifact(cacheDir: string, key: string): LayerArtifact | undefined {
  const { zipPath, manifestPath } = artifactPaths(path.resolve(cacheDir), key);
  let manifest: LayerManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as LayerManifest;
  } catch {
    return undefined;
  }
  try {
    if (fs.statSync(zipPath).size !== manifest.zip.zippedSize) return undefined;
  } catch {
    return undefined;
  }
  if (manifest.build?.inputKey !== key) return undefined;
  return { zipPath, manifestPath, manifest, inputKey: key, cacheHit: true };
}

/**
 * Writes `data` to `dest` through a temp file in the same directory and a rename, so a reader
 * never sees a half-written file. Two writers of identical content may race: the last rename
 * wins and both leave the same bytes.
 */
export function writeFileAtomic(dest: string, data: string | Buffer): void {
  const tmp = tempSibling(dest);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Temp files older than this in a cache directory belong to a build that was killed. */
export const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/**
 * Removes temp files (`*.tmp-<pid>-<rand>`) that a killed build left in the cache directory.
 * Only old ones: a young one may be another process's build in flight.
 */
export function sweepStaleTemps(cacheDir: string, now: number = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(cacheDir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!/\.tmp-\d+-[0-9a-z]+$/.test(name)) continue;
    const abs = path.join(cacheDir, name);
    try {
      if (now - fs.statSync(abs).mtimeMs > STALE_TEMP_MS) {
        fs.rmSync(abs, { force: true });
        removed.push(name);
      }
    } catch {
      // another process removed or renamed it meanwhile: nothing to sweep
    }
  }
  return removed;
}

/** A unique temp path next to `dest` (same filesystem, so rename is atomic). */
export function tempSibling(dest: string): string {
  return `${dest}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * The content-addressed key of a build: SHA-256 hex over a canonical JSON of the source settings,
 * the contents of every input file (never their absolute paths, mtimes or modes other than the
 * executable bit), the target and the layersmith version. Synchronous and cheap: no build runs.
 */
export function computeInputKey(spec: SourceSpec, target: BuildTarget): string {
  const doc = {
    layersmith: LAYERSMITH_VERSION,
    format: BUILDER_FORMAT,
    target: { platform: target.platform, architecture: target.architecture, runtimes: [...target.runtimes] },
    source: describeSource(spec),
  };
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };

function describeSource(spec: SourceSpec): Json {
  const excludes = spec.excludes ? [...spec.excludes] : [];
  switch (spec.kind) {
    case 'directory':
      return { kind: spec.kind, excludes, tree: layerTreeDigest(spec.path, excludes) };
    case 'zip':
      return { kind: spec.kind, excludes, zip: fileDigest(spec.path) };
    case 'python':
      return {
        kind: spec.kind,
        excludes,
        layout: spec.layout,
        pythonVersion: spec.pythonVersion ?? null,
        requirements: spec.requirements ? fileDigest(spec.requirements) : null,
        packages: (spec.packages ?? []).map((p) => (path.isAbsolute(p) ? pathDigest(p) : p)),
        indexUrl: spec.indexUrl ?? null,
        findLinks: (spec.findLinks ?? []).map((l) => (path.isAbsolute(l) ? pathDigest(l) : l)),
        noIndex: spec.noIndex ?? false,
        // The interpreter only runs pip; the target version is a flag. Its name is kept so that
        // switching interpreters (and so pip versions) is a deliberate rebuild.
        python: spec.python ? path.basename(spec.python) : null,
        pipArgs: [...(spec.pipArgs ?? [])],
      };
    case 'node':
      return {
        kind: spec.kind,
        excludes,
        layout: spec.layout,
        nodeMajor: spec.nodeMajor ?? null,
        npmArgs: [...(spec.npmArgs ?? [])],
        packageJson: fileDigest(path.join(spec.packageDir, 'package.json')),
        lockfile: optionalFileDigest(path.join(spec.packageDir, 'package-lock.json')),
      };
    case 'java':
      return {
        kind: spec.kind,
        excludes,
        jarsDir: spec.jarsDir ? layerTreeDigest(spec.jarsDir, excludes) : null,
        pom: spec.pom ? fileDigest(spec.pom) : null,
        mavenArgs: [...(spec.mavenArgs ?? [])],
      };
    case 'php':
      return {
        kind: spec.kind,
        excludes,
        composerJson: fileDigest(path.join(spec.composerDir, 'composer.json')),
        composerLock: optionalFileDigest(path.join(spec.composerDir, 'composer.lock')),
        pathRepositories: composerPathRepositories(spec.composerDir).map(pathDigest),
      };
    case 'ruby':
      return {
        kind: spec.kind,
        excludes,
        rubyAbi: spec.rubyAbi ?? null,
        gemfile: fileDigest(path.join(spec.gemfileDir, 'Gemfile')),
        gemfileLock: optionalFileDigest(path.join(spec.gemfileDir, 'Gemfile.lock')),
        vendorCache: optionalTreeDigest(path.join(spec.gemfileDir, 'vendor', 'cache')),
      };
    case 'customRuntime':
      return {
        kind: spec.kind,
        excludes,
        bootstrap: fileDigest(spec.bootstrap),
        dir: spec.dir ? layerTreeDigest(spec.dir, excludes) : null,
      };
    case 'command':
      return {
        kind: spec.kind,
        excludes,
        // Arguments under cwd are made relative: two checkouts at different paths share a key.
        command: spec.command.map((a) => relativeTo(spec.cwd, a)),
        environment: spec.environment ? { ...spec.environment } : null,
        inputs: [...spec.inputs]
          .map((i) => ({ path: path.relative(spec.cwd, i).split(path.sep).join('/'), digest: pathDigest(i) }))
          .sort((a, b) => cmp(a.path, b.path)),
      };
    default: {
      const never: never = spec;
      throw new Error(`computeInputKey: unknown source kind in ${JSON.stringify(never)}`);
    }
  }
}

function relativeTo(cwd: string, arg: string): string {
  const prefix = cwd.endsWith(path.sep) ? cwd : cwd + path.sep;
  return arg.split(prefix).join('./');
}

/** path repositories named in composer.json, resolved against its directory. */
export function composerPathRepositories(composerDir: string): string[] {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(composerDir, 'composer.json'), 'utf8')) as {
      repositories?: unknown;
    };
    const repos = Array.isArray(json.repositories) ? json.repositories : Object.values(json.repositories ?? {});
    return repos
      .filter((r): r is { type: string; url: string } => !!r && typeof r === 'object' && (r as { type?: unknown }).type === 'path' && typeof (r as { url?: unknown }).url === 'string')
      .map((r) => path.resolve(composerDir, r.url))
      .filter((p) => fs.existsSync(p));
  } catch {
    return [];
  }
}

/**
 * Content digests already computed by this process, keyed on identity and change stamps: a
 * synth computes the key of a layer more than once (construct, bundling, build), and a large
 * directory should be read once. Any write changes ctime, so a stale hit needs a file changed
 * and its ctime restored, which ordinary tools cannot do.
 */
const digestMemo = new Map<string, string>();

function sha256File(file: string, st: fs.Stats = fs.statSync(file)): string {
  const stamp = `${file}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = digestMemo.get(stamp);
  if (known) return known;
  const digest = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  digestMemo.set(stamp, digest);
  return digest;
}

function fileDigest(file: string): string {
  const st = fs.statSync(file);
  return `x${isExecutable(st.mode) ? 1 : 0}:${sha256File(file, st)}`;
}

function optionalFileDigest(file: string): string | null {
  return fs.existsSync(file) ? fileDigest(file) : null;
}

function optionalTreeDigest(dir: string): string | null {
  return fs.existsSync(dir) ? treeDigest(dir) : null;
}

function pathDigest(p: string): string {
  return fs.statSync(p).isDirectory() ? treeDigest(p) : fileDigest(p);
}

/**
 * Names never part of a layer's inputs: version-control metadata and interpreter caches change
 * without the content changing. (The ZIP writer's default excludes drop them, and more.)
 */
const IGNORED_NAMES = new Set(['.git', '.hg', '.svn', '__pycache__', '.DS_Store']);
function ignoredForKey(name: string): boolean {
  return IGNORED_NAMES.has(name) || name.endsWith('.pyc');
}

/**
 * Digest of a directory that becomes (part of) the layer root: what the ZIP writer would leave
 * out (default and user excludes) does not count, so editing a .env never forces a rebuild.
 */
function layerTreeDigest(root: string, excludes: readonly string[]): string {
  const matcher = new ExcludeMatcher(excludes);
  return treeDigest(root, (rel, isDir) => matcher.match(rel, isDir) !== undefined);
}

/**
 * SHA-256 over the sorted relative paths, executable bits and contents of a directory tree.
 * `skip` leaves paths out (relative, '/'-separated); VCS metadata and bytecode never count.
 */
export function treeDigest(root: string, skip: (relPath: string, isDirectory: boolean) => boolean = () => false): string {
  const h = createHash('sha256');
  const walk = (dir: string, rel: string): void => {
    const names = fs.readdirSync(dir).sort(cmp);
    for (const name of names) {
      if (ignoredForKey(name)) continue;
      const abs = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(abs);
      if (skip(relPath, st.isDirectory())) continue;
      if (st.isSymbolicLink()) {
        h.update(`L\0${relPath}\0${fs.readlinkSync(abs)}\0`);
      } else if (st.isDirectory()) {
        h.update(`D\0${relPath}\0`);
        walk(abs, relPath);
      } else if (st.isFile()) {
        h.update(`F\0${relPath}\0${isExecutable(st.mode) ? 1 : 0}\0${sha256File(abs, st)}\0`);
      }
    }
  };
  walk(root, '');
  return h.digest('hex');
}

function isExecutable(mode: number): boolean {
  return (mode & 0o111) !== 0;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted at every level and undefined members dropped. */
export function canonicalJson(value: Json | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(cmp);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

function readOwnVersion(): string {
  // lib/engine/cache.(ts|js) -> package.json two levels up, both from sources and compiled.
  for (const candidate of [path.join(__dirname, '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'layersmith' && pkg.version) return pkg.version;
    } catch {
      // fall through to the placeholder below
    }
  }
  return '0.0.0-unknown';
}
