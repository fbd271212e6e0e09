import * as fs from 'fs';
import * as path from 'path';

const FROM_IMPORT = /^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n;#]*)/gm;
const PLAIN_IMPORT = /^[ \t]*import[ \t]+([^\n;#]+)/gm;

/**
 * Modules a Python source names in `import` and `from ... import` statements, as dotted names
 * resolved against the file's own package (relative imports). `from a import b` yields both
 * `a` and `a.b` (b may be a submodule). Statements inside functions and try blocks count too:
 * a module imported lazily is still needed.
 */
export function importedModules(source: string, ownPackage: string): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(FROM_IMPORT)) {
    const base = resolveRelative(m[1], ownPackage);
    if (base === undefined) continue;
    if (base) out.add(base);
    for (const raw of m[2].replace(/[()\\]/g, ' ').split(',')) {
      const name = raw.trim().split(/\s+/)[0];
      if (name && name !== '*' && /^\w+$/.test(name)) out.add(base ? `${base}.${name}` : name);
    }
  }
  for (const m of source.matchAll(PLAIN_IMPORT)) {
    for (const raw of m[1].split(',')) {
      const name = raw.trim().split(/\s+/)[0];
      if (/^\w+(\.\w+)*$/.test(name)) out.add(name);
    }
  }
  return [...out];
}

/** '..x' from package 'a.b.c' -> 'a.b.x'; an absolute name as-is; undefined above the top. */
function resolveRelative(spec: string, ownPackage: string): string | undefined {
  const dots = /^\.*/.exec(spec)![0].length;
  if (dots === 0) return spec;
  const parts = ownPackage ? ownPackage.split('.') : [];
  if (dots - 1 > parts.length) return undefined;
  const base = parts.slice(0, parts.length - (dots - 1));
  const rest = spec.slice(dots);
  return [...base, ...(rest ? [rest] : [])].join('.');
}

/** Files (layer-relative) that may hold a module under a root: the .py file, or the package's __init__.py. */
function moduleFiles(root: string, dotted: string): string[] {
  const rel = dotted.split('.').join('/');
  const prefix = root ? `${root}/` : '';
  return [`${prefix}${rel}.py`, `${prefix}${rel}/__init__.py`];
}

/** The __init__.py files of the packages enclosing a module file under its root. */
function enclosingInits(root: string, file: string): string[] {
  const inside = root ? file.slice(root.length + 1) : file;
  const parts = inside.split('/').slice(0, -1);
  const prefix = root ? `${root}/` : '';
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) out.push(`${prefix}${parts.slice(0, i).join('/')}/__init__.py`);
  return out;
}

/**
 * Takes back from `removals` every file that a kept Python module imports, transitively (a
 * rescued module's own imports are followed too), with the packages enclosing it. `pythonRoots`
 * are the layer-relative import roots (python, python/lib/python3.X/site-packages). Returns what
 * was taken back and which module asked for it.
 */
export function rescueImported(
  layerRoot: string, pythonRoots: readonly string[], keptFiles: Iterable<string>, removals: Map<string, string>,
): Array<{ path: string; importedBy: string }> {
  const roots = [...pythonRoots].sort((a, b) => b.length - a.length);
  const rootOf = (file: string) => roots.find((r) => r === '' || file.startsWith(`${r}/`));
  const queue = [...keptFiles].filter((f) => f.endsWith('.py') && rootOf(f) !== undefined);
  const rescued: Array<{ path: string; importedBy: string }> = [];
  const take = (file: string, by: string) => {
    if (!removals.has(file)) return;
    removals.delete(file);
    rescued.push({ path: file, importedBy: by });
    if (file.endsWith('.py')) queue.push(file);
  };
  while (queue.length > 0) {
    const file = queue.pop()!;
    const root = rootOf(file)!;
    let source: string;
    try {
      source = fs.readFileSync(path.join(layerRoot, file), 'utf8');
    } catch {
      continue;
    }
    const inside = root ? file.slice(root.length + 1) : file;
    const segs = inside.replace(/\.py$/, '').split('/');
    const ownPackage = (segs[segs.length - 1] === '__init__' ? segs.slice(0, -1) : segs.slice(0, -1)).join('.');
    for (const mod of importedModules(source, ownPackage)) {
      for (const r of roots) {
        for (const candidate of moduleFiles(r, mod)) {
          if (!removals.has(candidate)) continue;
          for (const init of enclosingInits(r, candidate)) take(init, file);
          take(candidate, file);
        }
      }
    }
  }
  return rescued.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
