import * as fs from 'fs';
import * as path from 'path';

/**
 * Keeps only the packages of a node_modules tree that the function's platform uses. Package
 * managers without a target-platform option (Yarn classic) install every optional platform
 * package with --ignore-platform; this removes those whose `os` / `cpu` / `libc` fields exclude
 * the target, as npm's --os/--cpu would have skipped them, and then what only they needed.
 */

/** The platform a layer's Node packages run on. */
export interface NodeTarget {
  /** process.platform of the function: always 'linux'. */
  readonly os: string;
  /** process.arch: 'x64' or 'arm64'. */
  readonly cpu: string;
  /** Lambda and FC run glibc. */
  readonly libc: 'glibc';
}

interface PackageJson {
  name?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** npm's rule for `os` / `cpu` / `libc` lists: a '!x' entry excludes x, plain entries allow only themselves. */
function allows(list: readonly string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((v) => !v.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
}

/** Every package directory under a node_modules tree (scoped and nested), with its package.json. */
function packageDirs(nodeModules: string): Map<string, PackageJson> {
  const out = new Map<string, PackageJson>();
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!ent.isDirectory() || ent.name.startsWith('.')) continue;
      const abs = path.join(dir, ent.name);
      if (ent.name.startsWith('@')) {
        walk(abs);
        continue;
      }
      const pj = path.join(abs, 'package.json');
      if (fs.existsSync(pj)) {
        try {
          out.set(abs, JSON.parse(fs.readFileSync(pj, 'utf8')) as PackageJson);
        } catch {
          out.set(abs, {});
        }
      }
      walk(path.join(abs, 'node_modules'));
    }
  };
  walk(nodeModules);
  return out;
}

/** Node's resolution of `name` from a package directory: nested node_modules, then each parent's. */
function resolveFrom(fromDir: string, name: string, root: string, present: ReadonlyMap<string, PackageJson>): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (present.has(candidate)) return candidate;
    if (dir === root) return undefined;
    const parent = path.dirname(dir);
    // From .../node_modules/pkg (or .../node_modules/@scope/pkg) the next level up is the directory holding that node_modules.
    const up = path.basename(parent).startsWith('@') ? path.dirname(path.dirname(parent)) : path.dirname(parent);
    if (up === dir || up.length < root.length) return undefined;
    dir = up;
  }
}

/**
 * Removes the packages of `projectDir/node_modules` the target cannot use, then every package no
 * longer reachable from the project's dependencies. Returns the removed directories, relative.
 */
export function pruneForTarget(projectDir: string, target: NodeTarget): string[] {
  const nodeModules = path.join(projectDir, 'node_modules');
  const removed: string[] = [];
  let present = packageDirs(nodeModules);
  for (const [dir, pj] of present) {
    if (allows(pj.os, target.os) && allows(pj.cpu, target.cpu) && allows(pj.libc, target.libc)) continue;
    if (!fs.existsSync(dir)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(path.relative(projectDir, dir));
  }
  present = packageDirs(nodeModules);
  const rootPj = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as PackageJson;
  const reachable = new Set<string>();
  const queue: [string, PackageJson][] = [[projectDir, rootPj]];
  while (queue.length > 0) {
    const [dir, pj] = queue.pop() as [string, PackageJson];
    for (const name of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) {
      const found = resolveFrom(dir, name, projectDir, present);
      if (!found || reachable.has(found)) continue;
      reachable.add(found);
      queue.push([found, present.get(found) as PackageJson]);
    }
  }
  for (const dir of present.keys()) {
    if (reachable.has(dir) || !fs.existsSync(dir)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(path.relative(projectDir, dir));
  }
  // An emptied scope directory would ride along as an empty folder.
  for (const ent of fs.existsSync(nodeModules) ? fs.readdirSync(nodeModules) : []) {
    const abs = path.join(nodeModules, ent);
    if (ent.startsWith('@') && fs.statSync(abs).isDirectory() && fs.readdirSync(abs).length === 0) fs.rmdirSync(abs);
  }
  return removed.sort();
}

/** Removes `.bin` links whose package was pruned (a dangling link would ride along into the layer). */
export function removeDanglingBinLinks(nodeModules: string): void {
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, ent.name);
      if (ent.isSymbolicLink()) {
        if (!fs.existsSync(abs)) fs.rmSync(abs, { force: true });
      } else if (ent.isDirectory()) {
        walk(abs);
      }
    }
  };
  walk(path.join(nodeModules, '.bin'));
}
