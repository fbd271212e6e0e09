import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ArchitectureId } from '../../core/model';
import { findTool } from '../tools';
import { checkResults, type ImportResult, type InterpreterChoice } from './verify';

/** The Node major of the first nodejsNN runtime, if any. */
export function nodeMajor(runtimes: readonly string[]): number | undefined {
  for (const r of runtimes) {
    const m = /^nodejs(\d+)/.exec(r);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** A local `node` of the runtime's major version on the layer's architecture, or why there is none. */
export function findNode(major: number | undefined, architecture: ArchitectureId, envPath?: string): InterpreterChoice {
  if (major === undefined) return { ok: false, reason: 'the target names no nodejsNN runtime, so there is no Node version to check requires with' };
  const hostArch = process.arch === 'x64' ? 'x86_64' : process.arch;
  if (process.platform !== 'linux' || hostArch !== architecture) {
    return { ok: false, reason: `this host (${process.platform} ${hostArch}) cannot load the layer's native addons for linux ${architecture}` };
  }
  const found = findTool('node', envPath);
  if (found) {
    try {
      const version = execFileSync(found, ['-p', 'process.versions.node'], {
        encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (Number(version.split('.')[0]) === major) return { ok: true, command: found, label: `node (${version})` };
    } catch {
      // not runnable: reported below
    }
  }
  return { ok: false, reason: `no local Node ${major} (node of that major version) is on PATH` };
}

/** Layer-relative node_modules directories the runtime searches (NODE_PATH on Lambda), most specific first. */
export function nodeRoots(root: string, major: number | undefined): string[] {
  const candidates = [...(major !== undefined ? [`nodejs/node${major}/node_modules`] : []), 'nodejs/node_modules'];
  return candidates.filter((c) => fs.existsSync(path.join(root, c)));
}

/** Every package directly under the roots (scoped ones as '@scope/name'). */
export function listNodePackages(root: string, roots: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of roots) {
    for (const name of safeReaddir(path.join(root, r))) {
      if (name.startsWith('.')) continue;
      if (name.startsWith('@')) {
        for (const sub of safeReaddir(path.join(root, r, name))) out.add(`${name}/${sub}`);
      } else {
        out.add(name);
      }
    }
  }
  return [...out].sort();
}

const MARKER = '@@layersmith-require-check@@';
const BATCH = 100;

// The same resolution a Lambda function gets: NODE_PATH holds the layer's node_modules
// directories, and each package is loaded with require() as a CommonJS handler would.
const SCRIPT = [
  'const mods = JSON.parse(process.argv[1]); const out = [];',
  'for (const m of mods) {',
  '  try { require(m); out.push([m, null]); }',
  '  catch (e) { out.push([m, `${e && e.code ? e.code : (e && e.name) || "Error"}: ${String(e && e.message || e).split("\\n")[0]}`]); }',
  '}',
  `process.stdout.write("\\n${MARKER}" + JSON.stringify(out));`,
  'process.exit(0);',
].join('\n');

/** Requires each package with the layer's roots on NODE_PATH, batches of 100 per process. */
export async function checkRequires(
  node: string, root: string, roots: readonly string[], modules: readonly string[], cwd: string,
): Promise<ImportResult[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: roots.map((r) => path.resolve(root, r)).join(path.delimiter) };
  delete env.NODE_OPTIONS;
  const results: ImportResult[] = [];
  for (let i = 0; i < modules.length; i += BATCH) {
    const batch = modules.slice(i, i + BATCH);
    results.push(...await new Promise<ImportResult[]>((resolve) => {
      const options = { cwd, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' as const };
      execFile(node, ['-e', SCRIPT, JSON.stringify(batch)], options, (err, stdout, stderr) => {
        resolve(checkResults(stdout, stderr, err, MARKER, batch, 'node failed'));
      });
    }));
  }
  return results.sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
