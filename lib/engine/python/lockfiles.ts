import * as fs from 'fs';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { evaluateMarker, normalizeName, type MarkerEnvironment } from './markers';
import { LayersmithBuildError } from '../../core/errors';

/**
 * Python lockfiles read into exact pins with their hashes: uv.lock, poetry.lock and Pipfile.lock.
 * The lockfile's URLs are never used: the pins install through the user's configured index, and
 * every hash the lockfile records for a package is passed to pip (`--require-hashes`), so
 * whichever of its wheels pip picks for the target must be one the lockfile knows.
 */

/** The project files `LayerSource.python({ projectDir })` looks for, in order: the first found is used. */
export const PROJECT_FILES = ['uv.lock', 'poetry.lock', 'Pipfile.lock', 'requirements.txt'] as const;

export type ProjectFileKind = 'uv' | 'poetry' | 'pipenv' | 'requirements';

const KIND_OF: Readonly<Record<(typeof PROJECT_FILES)[number], ProjectFileKind>> = {
  'uv.lock': 'uv', 'poetry.lock': 'poetry', 'Pipfile.lock': 'pipenv', 'requirements.txt': 'requirements',
};

/** What a project directory is built from. */
export interface ProjectFile {
  readonly kind: ProjectFileKind;
  /** Absolute path of the file. */
  readonly file: string;
}

/** The first of uv.lock, poetry.lock, Pipfile.lock, requirements.txt in `projectDir`, or undefined. */
export function findProjectFile(projectDir: string): ProjectFile | undefined {
  for (const name of PROJECT_FILES) {
    const file = path.join(projectDir, name);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return { kind: KIND_OF[name], file };
  }
  return undefined;
}

/** One package the lockfile pins for the target. */
export interface LockedPackage {
  /** Normalised name (PEP 503). */
  readonly name: string;
  readonly version: string;
  /** 'sha256:<hex>' (or another algorithm pip accepts), every one the lockfile records. */
  readonly hashes: readonly string[];
}

/** Which optional parts of the project to install on top of the default dependencies. */
export interface LockSelection {
  /**
   * Dependency groups: uv dev-dependency groups, Poetry groups, Pipfile categories ('develop').
   * @default - none: only the default (non-dev) dependencies
   */
  readonly groups?: readonly string[];
  /**
   * Extras of the project (uv optional-dependencies, Poetry extras).
   * @default - none
   */
  readonly extras?: readonly string[];
}

/**
 * The exact pins of a lockfile for the target described by `env` (its Python version, Linux, its
 * CPU), default dependencies plus the selected groups and extras, sorted by name.
 * Throws a LayersmithBuildError (LOCKFILE_INVALID, LOCKFILE_UNSUPPORTED) naming the file.
 */
export function readLockfile(lock: ProjectFile, env: MarkerEnvironment, selection: LockSelection = {}): LockedPackage[] {
  const text = fs.readFileSync(lock.file, 'utf8');
  let data: unknown;
  try {
    data = lock.kind === 'pipenv' ? JSON.parse(text) : parseToml(text);
  } catch (e) {
    throw invalid(lock.file, `it does not parse as ${lock.kind === 'pipenv' ? 'JSON' : 'TOML'} (${(e as Error).message.split('\n')[0]})`);
  }
  const where = (msg: string) => invalid(lock.file, msg);
  const marker = (m: string | undefined, e: MarkerEnvironment = env): boolean => {
    if (!m) return true;
    try {
      return evaluateMarker(m, e);
    } catch (err) {
      throw where((err as Error).message);
    }
  };
  let out: LockedPackage[];
  switch (lock.kind) {
    case 'uv': out = fromUv(data as UvLock, selection, marker, lock.file); break;
    case 'poetry': out = fromPoetry(data as PoetryLock, selection, marker, lock.file); break;
    case 'pipenv': out = fromPipfile(data as PipfileLock, selection, marker, lock.file); break;
    default: throw new Error(`readLockfile: ${lock.file} is not a lockfile`);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A pip requirements file pinning each package with all of its hashes. */
export function hashedRequirements(locked: readonly LockedPackage[]): string {
  return locked.map((p) => [`${p.name}==${p.version}`, ...p.hashes.map((h) => `    --hash=${h}`)].join(' \\\n')).join('\n') + '\n';
}

function invalid(file: string, what: string): LayersmithBuildError {
  return new LayersmithBuildError('LOCKFILE_INVALID', `LayerSource.python: ${file}: ${what}. Fix: regenerate the lockfile with its tool (uv lock, `
    + 'poetry lock, pipenv lock).', { path: file });
}

function unsupported(file: string, name: string, what: string): LayersmithBuildError {
  return new LayersmithBuildError('LOCKFILE_UNSUPPORTED', `LayerSource.python: ${file} locks ${name} from ${what}, which cannot be installed from a `
    + 'package index with hashes checked. '
    + 'Fix: depend on a released version from the index, or build that package into a wheel and give it through findLinks with a '
    + 'requirements.txt.', { path: file });
}

type Marker = (m: string | undefined, env?: MarkerEnvironment) => boolean;

interface UvDep { name: string; version?: string; marker?: string; extra?: string[] }
interface UvPackage {
  'name': string;
  'version'?: string;
  'source'?: Record<string, unknown>;
  'sdist'?: { hash?: string };
  'wheels'?: { hash?: string }[];
  'dependencies'?: UvDep[];
  'optional-dependencies'?: Record<string, UvDep[]>;
  'dev-dependencies'?: Record<string, UvDep[]>;
  'resolution-markers'?: string[];
}
interface UvLock { package?: UvPackage[] }

function fromUv(lock: UvLock, selection: LockSelection, marker: Marker, file: string): LockedPackage[] {
  const packages = lock.package;
  if (!Array.isArray(packages)) throw invalid(file, 'it has no [[package]] entries');
  const byName = new Map<string, UvPackage[]>();
  for (const p of packages) {
    const key = normalizeName(p.name);
    byName.set(key, [...(byName.get(key) ?? []), p]);
  }
  // The project itself (and workspace members) are the roots: virtual or editable sources.
  const roots = packages.filter((p) => p.source && ('virtual' in p.source || 'editable' in p.source));
  if (roots.length === 0) throw invalid(file, 'no package has a virtual or editable source, so the project to install for is unknown');
  const groups = new Set((selection.groups ?? []).map(normalizeName));
  const extras = new Set((selection.extras ?? []).map(normalizeName));
  const chosen = new Map<UvPackage, Set<string>>();
  const pick = (dep: UvDep): UvPackage => {
    const candidates = (byName.get(normalizeName(dep.name)) ?? []).filter((p) => !dep.version || p.version === dep.version);
    // A forked resolution lists one package several times; each copy says where it applies.
    const fits = candidates.filter((p) => !p['resolution-markers'] || p['resolution-markers'].some((m) => marker(m)));
    const found = fits[0] ?? candidates[0];
    if (!found) throw invalid(file, `a dependency on ${dep.name}${dep.version ? ` ${dep.version}` : ''} has no [[package]] entry`);
    return found;
  };
  const visit = (p: UvPackage, withExtras: readonly string[]): void => {
    const seen = chosen.get(p);
    const newExtras = withExtras.filter((x) => !seen?.has(x));
    if (seen && newExtras.length === 0) return;
    chosen.set(p, new Set([...(seen ?? []), ...withExtras]));
    const edges = [
      ...(seen ? [] : p.dependencies ?? []),
      ...newExtras.flatMap((x) => Object.entries(p['optional-dependencies'] ?? {}).filter(([k]) => normalizeName(k) === x).flatMap(([, v]) => v)),
    ];
    for (const dep of edges) {
      if (!marker(dep.marker)) continue;
      visit(pick(dep), (dep.extra ?? []).map(normalizeName));
    }
  };
  for (const root of roots) {
    visit(root, [...extras]);
    for (const [group, deps] of Object.entries(root['dev-dependencies'] ?? {})) {
      if (!groups.has(normalizeName(group))) continue;
      for (const dep of deps) if (marker(dep.marker)) visit(pick(dep), (dep.extra ?? []).map(normalizeName));
    }
  }
  const out: LockedPackage[] = [];
  for (const p of chosen.keys()) {
    if (roots.includes(p)) continue;
    const src = p.source ?? {};
    if (!('registry' in src)) throw unsupported(file, p.name, Object.keys(src).join('/') || 'an unknown source');
    const hashes = [...(p.wheels ?? []).map((w) => w.hash), p.sdist?.hash].filter((h): h is string => !!h);
    if (!p.version) throw invalid(file, `${p.name} has no version`);
    if (hashes.length === 0) throw invalid(file, `${p.name} ${p.version} records no hash`);
    out.push({ name: normalizeName(p.name), version: p.version, hashes });
  }
  return out;
}

interface PoetryPackage {
  name: string;
  version: string;
  category?: string;
  optional?: boolean;
  groups?: string[];
  markers?: string | Record<string, string>;
  files?: { file?: string; hash?: string }[];
  source?: { type?: string; url?: string };
}
interface PoetryLock { package?: PoetryPackage[]; extras?: Record<string, string[]> }

function fromPoetry(lock: PoetryLock, selection: LockSelection, marker: Marker, file: string): LockedPackage[] {
  const packages = lock.package;
  if (!Array.isArray(packages)) throw invalid(file, 'it has no [[package]] entries');
  const groups = new Set(['main', ...(selection.groups ?? []).map(normalizeName)]);
  const extraPackages = new Set<string>();
  const extraTables = [lock.extras ?? {}, pyprojectExtras(path.join(path.dirname(file), 'pyproject.toml'))];
  for (const x of selection.extras ?? []) {
    for (const table of extraTables) {
      for (const [k, names] of Object.entries(table)) {
        if (normalizeName(k) === normalizeName(x)) for (const n of names) extraPackages.add(normalizeName(n.split(/[\s[<>=!~;(]/)[0]));
      }
    }
  }
  const out: LockedPackage[] = [];
  for (const p of packages) {
    const name = normalizeName(p.name);
    // Poetry 2 lists groups per package; Poetry 1 a single category ('main' or 'dev').
    const pkgGroups = (p.groups ?? [p.category ?? 'main']).map(normalizeName);
    const inGroups = pkgGroups.filter((g) => groups.has(g));
    if (inGroups.length === 0) continue;
    if (p.optional && !extraPackages.has(name)) continue;
    const markers = p.markers;
    // Poetry 2 may give markers per group: the package applies when one selected group's does.
    const groupMarker = (g: string): string | undefined =>
      Object.entries(markers as Record<string, string>).find(([k]) => normalizeName(k) === g)?.[1];
    const applies = typeof markers === 'object' && markers !== null ? inGroups.some((g) => marker(groupMarker(g))) : marker(markers);
    if (!applies) continue;
    if (p.source?.type && p.source.type !== 'legacy') throw unsupported(file, p.name, `a ${p.source.type} source (${p.source.url ?? ''})`);
    const hashes = (p.files ?? []).map((f) => f.hash).filter((h): h is string => !!h);
    if (hashes.length === 0) throw invalid(file, `${p.name} ${p.version} records no hash`);
    out.push({ name, version: p.version, hashes });
  }
  return out;
}

/** Extras a pyproject.toml declares ([project.optional-dependencies], [tool.poetry.extras]). */
function pyprojectExtras(file: string): Record<string, string[]> {
  if (!fs.existsSync(file)) return {};
  try {
    const t = parseToml(fs.readFileSync(file, 'utf8')) as {
      project?: { 'optional-dependencies'?: Record<string, string[]> };
      tool?: { poetry?: { extras?: Record<string, string[]> } };
    };
    return { ...(t.project?.['optional-dependencies'] ?? {}), ...(t.tool?.poetry?.extras ?? {}) };
  } catch {
    // A pyproject that does not parse only loses its extras; the lockfile stays authoritative.
    return {};
  }
}

interface PipfileEntry { version?: string; hashes?: string[]; markers?: string; git?: string; path?: string; file?: string; editable?: boolean }
type PipfileLock = Record<string, Record<string, PipfileEntry>> & { _meta?: unknown };

function fromPipfile(lock: PipfileLock, selection: LockSelection, marker: Marker, file: string): LockedPackage[] {
  if (typeof lock !== 'object' || lock === null || typeof lock.default !== 'object') throw invalid(file, 'it has no "default" section');
  const categories = ['default', ...(selection.groups ?? [])];
  const found = new Map<string, LockedPackage>();
  const missing = categories.find((cat) => !lock[cat] || typeof lock[cat] !== 'object');
  if (missing) throw invalid(file, `it has no "${missing}" category (it has ${Object.keys(lock).filter((k) => k !== '_meta').join(', ')})`);
  for (const cat of categories) {
    for (const [rawName, e] of Object.entries(lock[cat])) {
      const name = normalizeName(rawName);
      if (!marker(e.markers)) continue;
      if (e.git || e.path || e.file) throw unsupported(file, rawName, e.git ? `git (${e.git})` : `a local path (${e.path ?? e.file})`);
      const m = /^===?(.+)$/.exec(e.version ?? '');
      if (!m) throw invalid(file, `${rawName} is not pinned with == (version ${JSON.stringify(e.version)})`);
      if (!e.hashes || e.hashes.length === 0) throw invalid(file, `${rawName} ${m[1]} records no hash`);
      if (!found.has(name)) found.set(name, { name, version: m[1], hashes: [...e.hashes] });
    }
  }
  return [...found.values()];
}
