import type { PlatformId } from './model';
import { resolveRuntime } from './runtimes';
import type { RuntimeInfo } from './runtimes';

/**
 * Where a running function looks for code, as the platform sets it up: the search path entries
 * that point into the function's code directory or into /opt (where layers are extracted), in
 * the order the runtime searches them. `layersmith invoke` rebuilds exactly these locally.
 *
 * Sources (see FACTS.md): Lambda DG "Working with layers" (layer paths per runtime), "Defined
 * runtime environment variables" (PATH, LD_LIBRARY_PATH, NODE_PATH on Lambda); FC "Create a custom
 * layer" and "Environment variables" (FC built-in runtimes add /opt/python, /opt/nodejs/node_modules,
 * /opt/bin, /opt/lib; custom runtimes add nothing).
 */
export interface RuntimeSearchPaths {
  /** Where the function's code is extracted ('/var/task' on AWS, '/code' on FC). */
  readonly codeDir: string;
  /** Python `sys.path` entries ahead of the interpreter's own, in search order. */
  readonly pythonPath: readonly string[];
  /** `NODE_PATH` entries in search order. */
  readonly nodePath: readonly string[];
  /** Entries the platform puts on `PATH` after the system directories. */
  readonly path: readonly string[];
  /** Entries the platform puts on `LD_LIBRARY_PATH` after the system directories. */
  readonly ldLibraryPath: readonly string[];
  /** True when the runtime adds no layer directory anywhere (FC custom runtimes): only the function's environment counts. */
  readonly addsNothing: boolean;
}

/** Where each platform extracts the function's own code. */
const CODE_DIRS: Readonly<Record<PlatformId, string>> = { aws: '/var/task', alicloud: '/code' };

/**
 * Defaults of a function resource when the template leaves them out. AWS: CloudFormation
 * `AWS::Lambda::Function` MemorySize 128 and Timeout 3. FC3: CreateFunction documents a 3 s
 * timeout; the memory default is unconfirmed (128 MB assumed, the smallest size FC3 offers).
 */
export const FUNCTION_DEFAULTS: Readonly<Record<PlatformId, { readonly memoryMb: number; readonly timeoutSeconds: number }>> = {
  aws: { memoryMb: 128, timeoutSeconds: 3 },
  alicloud: { memoryMb: 128, timeoutSeconds: 3 },
};

/**
 * The search paths a function on `runtime` gets on `platform`. Throws for an unknown runtime
 * (as `resolveRuntime` does).
 */
export function runtimeSearchPaths(platform: PlatformId, runtime: string | RuntimeInfo): RuntimeSearchPaths {
  const info = typeof runtime === 'string' ? resolveRuntime(platform, runtime) : runtime;
  const codeDir = CODE_DIRS[platform];
  if (platform === 'aws') return awsPaths(info, codeDir);
  return fcPaths(info, codeDir);
}

function awsPaths(info: RuntimeInfo, codeDir: string): RuntimeSearchPaths {
  const pythonPath: string[] = [];
  const nodePath: string[] = [];
  if (info.family === 'python') {
    // Lambda DG: /var/task first, then /opt/python/lib/python3.X/site-packages, then /opt/python.
    pythonPath.push(codeDir);
    if (info.version) pythonPath.push(`/opt/python/lib/python${info.version}/site-packages`);
    pythonPath.push('/opt/python');
  } else if (info.family === 'nodejs') {
    // Lambda NODE_PATH: /opt/nodejs/nodeNN/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task
    // (the /var/runtime entries hold the runtime's own SDK, which a local run does not have).
    const versioned = info.searchPaths.find((p) => /^nodejs\/node\d+\/node_modules$/.test(p));
    if (versioned) nodePath.push(`/opt/${versioned}`);
    nodePath.push('/opt/nodejs/node_modules', codeDir);
  }
  return {
    codeDir,
    pythonPath,
    nodePath,
    // Lambda PATH ends in /opt/bin; LD_LIBRARY_PATH holds /var/task, /var/task/lib, then /opt/lib.
    path: ['/opt/bin'],
    ldLibraryPath: [codeDir, `${codeDir}/lib`, '/opt/lib'],
    addsNothing: false,
  };
}

function fcPaths(info: RuntimeInfo, codeDir: string): RuntimeSearchPaths {
  if (info.family === 'custom') {
    // FC custom runtimes add no layer directory to any search path; the function's environment decides.
    return { codeDir, pythonPath: [], nodePath: [], path: [], ldLibraryPath: [], addsNothing: true };
  }
  return {
    codeDir,
    // FC built-in Python: the code dir, then /opt/python.
    pythonPath: info.family === 'python' ? [codeDir, '/opt/python'] : [],
    // FC built-in Node.js: NODE_PATH holds /opt/nodejs/node_modules; the code dir resolves as the handler's own.
    nodePath: info.family === 'nodejs' ? ['/opt/nodejs/node_modules', codeDir] : [],
    path: [codeDir, `${codeDir}/bin`, '/opt/bin'],
    ldLibraryPath: [codeDir, `${codeDir}/lib`, '/opt/lib'],
    addsNothing: false,
  };
}

/** Runtime ids whose language version is not in the id. FC runtime list: `python3` is Python 3.6. */
const LANGUAGE_VERSIONS: Readonly<Record<string, string>> = { 'alicloud:python3': '3.6' };

/**
 * The language version a runtime runs: Python 'major.minor' ('3.11'), Node.js major ('20').
 * Undefined for runtimes without one (custom runtimes bring their own interpreter).
 */
export function runtimeLanguageVersion(platform: PlatformId, runtime: string | RuntimeInfo): string | undefined {
  const info = typeof runtime === 'string' ? resolveRuntime(platform, runtime) : runtime;
  return LANGUAGE_VERSIONS[`${platform}:${info.id}`] ?? info.version;
}
