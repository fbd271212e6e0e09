import { LayersmithBuildError } from '../../core/errors';
import type { ArchitectureId } from '../../core/model';

/**
 * PEP 508 environment markers evaluated for the function, not for the machine running the build:
 * pip evaluates a requirement's markers against its own interpreter and OS (pypa/pip#11664), so a
 * lockfile entry for `python_version < "3.12"` or `sys_platform == "darwin"` must be decided here.
 */

/** The marker variables of a Lambda / FC function's Python. */
export interface MarkerEnvironment {
  readonly python_version: string;
  readonly python_full_version: string;
  readonly os_name: string;
  readonly sys_platform: string;
  readonly platform_system: string;
  readonly platform_machine: string;
  readonly platform_python_implementation: string;
  readonly implementation_name: string;
  readonly implementation_version: string;
  readonly platform_release: string;
  readonly platform_version: string;
  /** The extras being installed (the 'extra' variable matches any of them). */
  readonly extras: readonly string[];
}

/** The environment of CPython `pythonVersion` ('3.12') on Linux on `architecture`. */
export function targetEnvironment(pythonVersion: string, architecture: ArchitectureId, extras: readonly string[] = []): MarkerEnvironment {
  // The patch level is not known from the runtime id; '.0' keeps `python_full_version >= "3.12.1"`
  // false and every comparison at the minor level right.
  const full = `${pythonVersion}.0`;
  return {
    python_version: pythonVersion,
    python_full_version: full,
    os_name: 'posix',
    sys_platform: 'linux',
    platform_system: 'Linux',
    platform_machine: architecture === 'arm64' ? 'aarch64' : 'x86_64',
    platform_python_implementation: 'CPython',
    implementation_name: 'cpython',
    implementation_version: full,
    platform_release: '',
    platform_version: '',
    extras: extras.map(normalizeName),
  };
}

/** PEP 503 name normalisation (also used for extras and groups, PEP 685). */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

type Token = { kind: 'str' | 'var' | 'op' | 'lparen' | 'rparen' | 'and' | 'or'; value: string };

const VARIABLES = new Set([
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_system', 'platform_machine',
  'platform_python_implementation', 'implementation_name', 'implementation_version', 'platform_release', 'platform_version', 'extra',
  // Legacy spellings PEP 345 used; still seen in old metadata.
  'os.name', 'sys.platform', 'platform.version', 'platform.machine', 'platform.python_implementation', 'python_implementation',
]);

const LEGACY: Readonly<Record<string, string>> = {
  'os.name': 'os_name',
  'sys.platform': 'sys_platform',
  'platform.version': 'platform_version',
  'platform.machine': 'platform_machine',
  'platform.python_implementation': 'platform_python_implementation',
  'python_implementation': 'platform_python_implementation',
};

function tokenize(marker: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < marker.length) {
    const c = marker[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', value: c });
      i++;
    } else if (c === '"' || c === '\'') {
      const end = marker.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated string at ${i}`);
      tokens.push({ kind: 'str', value: marker.slice(i + 1, end) });
      i = end + 1;
    } else {
      const op = /^(===|==|!=|<=|>=|~=|<|>)/.exec(marker.slice(i));
      if (op) {
        tokens.push({ kind: 'op', value: op[1] });
        i += op[1].length;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(marker.slice(i));
      if (!word) throw new Error(`unexpected '${c}' at ${i}`);
      const w = word[0];
      i += w.length;
      if (w === 'and' || w === 'or') {
        tokens.push({ kind: w, value: w });
      } else if (w === 'in') {
        tokens.push({ kind: 'op', value: 'in' });
      } else if (w === 'not') {
        const rest = /^\s+in\b/.exec(marker.slice(i));
        if (!rest) throw new Error(`'not' without 'in' at ${i}`);
        i += rest[0].length;
        tokens.push({ kind: 'op', value: 'not in' });
      } else if (VARIABLES.has(w)) {
        tokens.push({ kind: 'var', value: LEGACY[w] ?? w });
      } else {
        throw new Error(`unknown marker variable '${w}'`);
      }
    }
  }
  return tokens;
}

/**
 * Whether a PEP 508 marker holds in `env`. Throws BAD_MARKER (naming the marker) for one it cannot parse,
 * rather than guessing whether a package is needed.
 */
export function evaluateMarker(marker: string, env: MarkerEnvironment): boolean {
  let tokens: Token[];
  try {
    tokens = tokenize(marker);
  } catch (e) {
    throw new LayersmithBuildError('BAD_MARKER', `cannot read the environment marker '${marker}': ${(e as Error).message}`);
  }
  let pos = 0;
  const fail = (what: string): never => {
    throw new LayersmithBuildError('BAD_MARKER', `cannot read the environment marker '${marker}': ${what}`);
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    while (tokens[pos]?.kind === 'or') {
      pos++;
      const r = andExpr();
      v = v || r;
    }
    return v;
  };
  const andExpr = (): boolean => {
    let v = atom();
    while (tokens[pos]?.kind === 'and') {
      pos++;
      const r = atom();
      v = v && r;
    }
    return v;
  };
  const atom = (): boolean => {
    const t = tokens[pos];
    if (!t) return fail('it ends too early');
    if (t.kind === 'lparen') {
      pos++;
      const v = orExpr();
      if (tokens[pos]?.kind !== 'rparen') fail('a parenthesis is not closed');
      pos++;
      return v;
    }
    const left = tokens[pos++];
    const op = tokens[pos++];
    const right = tokens[pos++];
    if (!left || !op || !right || op.kind !== 'op'
      || (left.kind !== 'str' && left.kind !== 'var') || (right.kind !== 'str' && right.kind !== 'var')) {
      return fail('expected <variable> <operator> "<value>"');
    }
    return compare(left, op.value, right, env);
  };
  const result = orExpr();
  if (pos !== tokens.length) fail(`unexpected '${tokens[pos].value}'`);
  return result;
}

function compare(left: Token, op: string, right: Token, env: MarkerEnvironment): boolean {
  // 'extra' matches when any extra being installed satisfies the comparison.
  if (left.kind === 'var' && left.value === 'extra') {
    return env.extras.some((x) => compareValues(x, op, normalizeName(right.value), false));
  }
  if (right.kind === 'var' && right.value === 'extra') {
    return env.extras.some((x) => compareValues(normalizeName(left.value), op, x, false));
  }
  const value = (t: Token): string => (t.kind === 'var' ? String((env as unknown as Record<string, unknown>)[t.value] ?? '') : t.value);
  const versionish = [left, right].some((t) => t.kind === 'var' && /version$/.test(t.value) && t.value !== 'platform_version');
  return compareValues(value(left), op, value(right), versionish);
}

function compareValues(a: string, op: string, b: string, versions: boolean): boolean {
  switch (op) {
    case 'in': return b.includes(a);
    case 'not in': return !b.includes(a);
    case '===': return a === b;
    default: break;
  }
  const va = versions ? parseVersion(a) : undefined;
  const vb = versions ? parseVersion(b) : undefined;
  if (!va || !vb) {
    // PEP 508: without versions on both sides the comparison is on strings.
    switch (op) {
      case '==': return a === b;
      case '!=': return a !== b;
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
      default: return false;
    }
  }
  if (op === '~=') {
    // Compatible release: >= b and the same prefix up to b's second-to-last release segment.
    const prefix = vb.release.slice(0, Math.max(1, vb.release.length - 1));
    return compareVersions(va, vb) >= 0 && prefix.every((n, i) => (va.release[i] ?? 0) === n);
  }
  if ((op === '==' || op === '!=') && b.endsWith('.*')) {
    const prefix = parseVersion(b.slice(0, -2))?.release ?? [];
    const match = prefix.every((n, i) => (va.release[i] ?? 0) === n);
    return op === '==' ? match : !match;
  }
  const c = compareVersions(va, vb);
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
    default: return false;
  }
}

interface Version {
  readonly release: number[];
  /** Pre-release rank: a < b < rc < final; [rank, number]. */
  readonly pre: [number, number];
}

const PRE_RANK: Readonly<Record<string, number>> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

/** The release and pre-release parts of a PEP 440 version (enough to order Python versions). */
function parseVersion(v: string): Version | undefined {
  const m = /^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?/i.exec(v.trim());
  if (!m) return undefined;
  return { release: m[1].split('.').map(Number), pre: m[2] ? [PRE_RANK[m[2].toLowerCase()], Number(m[3] || 0)] : [3, 0] };
}

function compareVersions(a: Version, b: Version): number {
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.pre[0] - b.pre[0] || a.pre[1] - b.pre[1];
}
