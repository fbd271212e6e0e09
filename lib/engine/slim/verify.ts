import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ArchitectureId } from '../../core/model';
import { findTool } from '../tools';

/** A Python interpreter able to import the layer's modules, or why there is none. */
export type InterpreterChoice =
  | { readonly ok: true; readonly command: string; readonly label: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Finds a local interpreter of the runtime's Python version (`python3.X`, else a `python3` of
 * that version). The check also needs the host to load the layer's native code: Linux on the
 * layer's architecture.
 */
export function findInterpreter(pythonVersion: string | undefined, architecture: ArchitectureId, envPath?: string): InterpreterChoice {
  if (!pythonVersion) return { ok: false, reason: 'the target names no python3.X runtime, so there is no interpreter version to check imports with' };
  if (process.platform !== 'linux') {
    return { ok: false, reason: `this host runs ${process.platform}; the layer's Linux extension modules cannot load here` };
  }
  const hostArch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : process.arch;
  if (hostArch !== architecture) {
    return { ok: false, reason: `this host is ${hostArch} and the layer is for ${architecture}; its extension modules cannot load here` };
  }
  for (const name of [`python${pythonVersion}`, 'python3']) {
    const found = findTool(name, envPath);
    if (!found) continue;
    try {
      const version = execFileSync(found, ['-S', '-c', 'import sys; print("%d.%d %s" % (sys.version_info[0], sys.version_info[1], '
        + 'sys.version.split()[0]))'], {
        encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      const [minor, full] = version.split(' ');
      if (minor === pythonVersion) return { ok: true, command: found, label: `${name} (${full})` };
    } catch {
      // not runnable: try the next name
    }
  }
  return { ok: false, reason: `no local Python ${pythonVersion} interpreter (python${pythonVersion}, or python3 of that version) is on PATH` };
}

/** Import roots of a Python layer (layer-relative) that exist under `root`, most specific first. */
export function pythonRoots(root: string, pythonVersions: readonly string[]): string[] {
  const candidates = [...pythonVersions.map((v) => `python/lib/python${v}/site-packages`), 'python'];
  return candidates.filter((c) => isDir(path.join(root, c)));
}

/**
 * The modules the check imports: every top-level module and package under the roots, and the
 * public first-level subpackages of each package (`import scipy` alone loads almost nothing;
 * `scipy.linalg` is what a function imports).
 */
export function listModules(root: string, roots: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of roots) {
    const abs = path.join(root, r);
    for (const ent of readDir(abs)) {
      if (ent.isDirectory()) {
        if (!isIdentifier(ent.name) || ent.name === '__pycache__' || ent.name === 'bin') continue;
        // python/lib/ of the site-packages layout is a root of its own, not a package
        if (r === 'python' && ent.name === 'lib' && roots.some((x) => x.startsWith('python/lib/'))) continue;
        const pkg = path.join(abs, ent.name);
        const isPackage = fs.existsSync(path.join(pkg, '__init__.py')) || hasExtensionInit(pkg);
        const children = readDir(pkg)
          .filter((c) => c.isDirectory() && isIdentifier(c.name) && !c.name.startsWith('_') && fs.existsSync(path.join(pkg, c.name, '__init__.py')))
          .map((c) => `${ent.name}.${c.name}`);
        if (!isPackage && children.length === 0) continue;
        out.add(ent.name);
        for (const c of children) out.add(c);
      } else if (ent.isFile()) {
        const m = /^([A-Za-z_]\w*)(\.py|\.[\w-]+\.so|\.so)$/.exec(ent.name);
        if (m && m[1] !== '__main__' && m[1] !== 'conftest' && m[1] !== 'setup') out.add(m[1]);
      }
    }
  }
  return [...out].sort();
}

/** The outcome of importing one module. */
export interface ImportResult {
  readonly module: string;
  /** undefined: it imported; else the exception, e.g. "ModuleNotFoundError: No module named 'x'". */
  readonly error?: string;
}

const MARKER = '@@layersmith-import-check@@';

// -S: no site-packages of the build host, so nothing outside the layer can stand in for a
// removed file; -B: no bytecode written into the layer being checked.
const CHECK_SCRIPT = [
  'import importlib, json, sys',
  'roots = json.loads(sys.argv[1]); mods = json.loads(sys.argv[2])',
  'sys.path[:0] = roots',
  'out = []',
  'for m in mods:',
  '    try:',
  '        importlib.import_module(m); out.append([m, None])',
  '    except BaseException as e:',
  '        out.append([m, "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")])',
  `sys.stdout.write("\\n${MARKER}" + json.dumps(out))`,
].join('\n');

/**
 * Imports `modules` with the interpreter, the layer's roots first on sys.path as on the
 * runtime, one subprocess per top-level name (so one package's side effects cannot mask
 * another's), reporting per module. `cwd` must be a directory outside the layer.
 */
export async function checkImports(
  interpreter: string, root: string, roots: readonly string[], modules: readonly string[], cwd: string, concurrency = 2,
): Promise<ImportResult[]> {
  const groups = new Map<string, string[]>();
  for (const m of modules) {
    const top = m.split('.')[0];
    groups.set(top, [...(groups.get(top) ?? []), m]);
  }
  const absRoots = roots.map((r) => path.resolve(root, r));
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONNOUSERSITE: '1' };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  delete env.PYTHONSTARTUP;
  const libDir = path.join(root, 'lib');
  if (isDir(libDir)) env.LD_LIBRARY_PATH = [env.LD_LIBRARY_PATH, libDir].filter(Boolean).join(':');
  const jobs = [...groups.values()];
  const results: ImportResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const group = jobs[next++];
      results.push(...await runGroup(interpreter, absRoots, group, cwd, env));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  return results.sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
}

function runGroup(interpreter: string, roots: string[], modules: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ImportResult[]> {
  return new Promise((resolve) => {
    execFile(interpreter, ['-S', '-B', '-W', 'ignore', '-c', CHECK_SCRIPT, JSON.stringify(roots), JSON.stringify(modules)], {
      cwd, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8',
    }, (err, stdout, stderr) => {
      resolve(checkResults(stdout, stderr, err, MARKER, modules, 'interpreter failed'));
    });
  });
}

function isIdentifier(name: string): boolean {
  return /^[A-Za-z_]\w*$/.test(name);
}

function hasExtensionInit(dir: string): boolean {
  return readDir(dir).some((e) => e.isFile() && /^__init__\.[\w-]+\.so$/.test(e.name));
}

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The per-module results a check script printed after `marker`, or, when the process died (a
 * crash in native code, a timeout) or printed no result, every module failed with why.
 */
export function checkResults(
  stdout: string, stderr: string, err: Error | null, marker: string, modules: readonly string[], failed: string,
): ImportResult[] {
  const at = stdout.lastIndexOf(marker);
  if (at >= 0) {
    try {
      const parsed = JSON.parse(stdout.slice(at + marker.length)) as Array<[string, string | null]>;
      return parsed.map(([module, error]) => (error === null ? { module } : { module, error }));
    } catch {
      // a garbled result: reported as a failed group below
    }
  }
  const why = err ? `${err.message.split('\n')[0]}${stderr ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''}` : 'no result';
  return modules.map((module) => ({ module, error: `${failed}: ${why}` }));
}
