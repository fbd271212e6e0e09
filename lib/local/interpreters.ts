import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from '../core/errors';

/** A local interpreter that runs a handler. */
export interface Interpreter {
  readonly language: 'python' | 'node';
  /** Absolute path of the interpreter binary (never a version-manager shim). */
  readonly command: string;
  /** Full version, e.g. '3.11.7' or '20.20.2'. */
  readonly version: string;
}

interface Probe {
  readonly candidate: string;
  readonly version?: string;
  readonly executable?: string;
  readonly extraEnv?: NodeJS.ProcessEnv;
}

const PY_PROBE = 'import sys; print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable)';
const NODE_PROBE = 'console.log(process.versions.node); console.log(process.execPath)';

/**
 * A Python whose major.minor is `required` ('3.11'), or any Python 3 when `required` is undefined
 * (custom runtimes). Tries `--python` when given, else pythonX.Y, python3, python on PATH and the
 * pyenv installs (run with PYENV_VERSION, the way pyenv selects them). Throws a UsageError naming
 * the runtime and what was found.
 */
export function findPython(runtime: string, required: string | undefined, override?: string): Interpreter {
  const candidates: Array<() => Probe> = override
    ? [() => probe(override, ['-c', PY_PROBE])]
    : [
      ...(required ? [() => probe(`python${required}`, ['-c', PY_PROBE])] : []),
      () => probe('python3', ['-c', PY_PROBE]),
      ...pyenvInstalls(required).map((v) => () => probe(`python${required ?? '3'}`, ['-c', PY_PROBE], { PYENV_VERSION: v })),
    ];
  return choose('python', runtime, required, candidates, override, '--python');
}

/** A Node.js whose major is `required` ('20'); tries `--node`, this process's node, then node and nodeNN on PATH. */
export function findNode(runtime: string, required: string | undefined, override?: string): Interpreter {
  const candidates: Array<() => Probe> = override
    ? [() => probe(override, ['-e', NODE_PROBE])]
    : [() => probe(process.execPath, ['-e', NODE_PROBE]), () => probe('node', ['-e', NODE_PROBE]),
      ...(required ? [() => probe(`node${required}`, ['-e', NODE_PROBE])] : [])];
  return choose('node', runtime, required, candidates, override, '--node');
}

function choose(
  language: 'python' | 'node', runtime: string, required: string | undefined,
  candidates: Array<() => Probe>, override: string | undefined, flag: string,
): Interpreter {
  const matches = (v: string) => required === undefined || v === required || v.startsWith(`${required}.`);
  // Probed one at a time: each probe starts an interpreter.
  const probes: Probe[] = [];
  for (const next of candidates) {
    const p = next();
    probes.push(p);
    if (p.version && p.executable && matches(p.version)) return { language, command: p.executable, version: p.version };
  }
  const seen = probes.map((p) => {
    const pyenv = p.extraEnv?.PYENV_VERSION ? ` (PYENV_VERSION=${p.extraEnv.PYENV_VERSION})` : '';
    return `${p.candidate}${pyenv}: ${p.version ?? 'not runnable'}`;
  });
  const want = language === 'python' ? `Python ${required ?? '3'}` : `Node.js ${required}`;
  if (override) {
    const found = probes[0].version ? `${language === 'python' ? 'Python' : 'Node.js'} ${probes[0].version}` : 'not runnable';
    throw new UsageError(`runtime ${runtime} needs ${want}, but ${flag} ${override} is ${found}; point ${flag} at a ${want}`);
  }
  throw new UsageError(`runtime ${runtime} needs ${want} and none was found (${unique(seen).join('; ')}); install one or pass ${flag} <path>`);
}

function probe(candidate: string, args: string[], extraEnv?: NodeJS.ProcessEnv): Probe {
  const r = spawnSync(candidate, args, { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ...extraEnv } });
  if (r.error || r.status !== 0) return { candidate, extraEnv };
  const [version, executable] = r.stdout.trim().split(/\r?\n/);
  if (!/^\d+\.\d+\.\d+/.test(version ?? '') || !executable) return { candidate, extraEnv };
  return { candidate, version, executable, extraEnv };
}

/** pyenv versions matching `required` ('3.12' -> ['3.12.1']), newest first; empty without pyenv. */
function pyenvInstalls(required: string | undefined): string[] {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  let names: string[];
  try {
    names = fs.readdirSync(path.join(root, 'versions'));
  } catch {
    return [];
  }
  return names.filter((n) => (required ? n.startsWith(`${required}.`) : /^3\.\d+/.test(n)))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
