import { spawn, spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Interpreter, findNode, findPython } from './interpreters';
import { LocalLayer, OptResult, materializeOpt } from './materialize';
import { LocalFunction, resolveFunction } from './resolve';
import { NODE_RUNNER, PYTHON_RUNNER, RunnerConfig } from './shims';
import { UsageError } from '../core/errors';
import type { PlatformId } from '../core/model';
import { PLATFORM_IDS } from '../core/platforms';
import { resolveRuntime } from '../core/runtimes';
import type { RuntimeInfo } from '../core/runtimes';
import { FUNCTION_DEFAULTS, runtimeLanguageVersion, runtimeSearchPaths } from '../core/search-paths';
import { extractZip } from '../engine/inspect/extract';

/** Environment variable holding the materialized /opt directory in every local run. */
export const LAYERSMITH_OPT = 'LAYERSMITH_OPT';
/** Set to 1 to never use a mount namespace (the same as `namespace: 'never'`). */
export const LAYERSMITH_NO_NAMESPACE = 'LAYERSMITH_NO_NAMESPACE';

/** How the handler saw its layers. */
export type OptMode = 'namespace' | 'env';

/** Options of {@link invokeLocally}: a function in a synthesized app, or plain inputs. */
export interface InvokeLocallyOptions {
  /**
   * A synthesized app: AWS CDK cdk.out or a ROS CDK output directory.
   * @default - plain inputs (platform, runtime, handler, code, layers)
   */
  readonly assembly?: string;
  /**
   * With `assembly`: the function's construct path, or a unique suffix of it.
   * @default - required with `assembly`
   */
  readonly function?: string;
  /** Plain inputs: the platform. @default - required without `assembly` */
  readonly platform?: PlatformId;
  /** Plain inputs: the runtime id as the platform spells it. @default - required without `assembly` */
  readonly runtime?: string;
  /** Plain inputs: the handler ('index.handler'). @default - required without `assembly` */
  readonly handler?: string;
  /** Plain inputs: the function's code, a directory or a ZIP. @default - required without `assembly` */
  readonly code?: string;
  /** Plain inputs: layer ZIPs in deployed order. @default - no layers */
  readonly layers?: readonly string[];
  /** Plain inputs: the function name in the context. @default 'local-function' */
  readonly functionName?: string;
  /** Plain inputs: memory in MB. @default 128 */
  readonly memoryMb?: number;
  /**
   * Seconds before the run is stopped as timed out (the interpreter's start counts).
   * @default - the function's timeout (template, or 3 s)
   */
  readonly timeoutSeconds?: number;
  /** Plain inputs: environment variables of the function. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** The event, any JSON value. @default {} */
  readonly event?: unknown;
  /** Extra environment variables, set last (they win over the function's). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** A Python interpreter to use instead of searching. @default - pythonX.Y, python3, pyenv installs */
  readonly python?: string;
  /** A Node.js binary to use instead of searching. @default - this process's node, then node on PATH */
  readonly node?: string;
  /**
   * FC custom runtimes only: the handler's language, when neither the start command nor the code tells.
   * @default - from CustomRuntimeConfig.Command, else from the handler file (.py / .js)
   */
  readonly language?: 'python' | 'node';
  /**
   * 'auto' binds the materialized directory on /opt in a private mount namespace where the
   * machine allows it; 'never' only sets LAYERSMITH_OPT. LAYERSMITH_NO_NAMESPACE=1 forces 'never'.
   * @default 'auto'
   */
  readonly namespace?: 'auto' | 'never';
  /**
   * Where the temporary directory of the run (layers, code, runner) is made; removed afterwards.
   * @default os.tmpdir()
   */
  readonly tempDir?: string;
  /** Called once the run is set up, just before the handler starts: which mode, which interpreter. @default - nothing */
  readonly onStart?: (start: InvokeStart) => void;
  /** Receives the handler's logs (its stdout and stderr) as they come. @default - collected into `logs` only */
  readonly onLog?: (chunk: string) => void;
}

/** What a run is about to do (see `onStart`). */
export interface InvokeStart {
  readonly function: { readonly path: string; readonly platform: PlatformId; readonly runtime: string; readonly handler: string };
  readonly interpreter: Interpreter;
  readonly mode: OptMode;
  /** Why the namespace mode is not used. */
  readonly modeReason?: string;
  /** The materialized /opt (removed after the run). */
  readonly optDir: string;
  /** Template environment variables left out because their values are known only at deploy. */
  readonly omittedEnvironment: readonly string[];
}

/** The outcome of one local invocation. */
export interface InvokeLocallyResult {
  /** True when the handler returned; false when it raised, timed out or its interpreter died. */
  readonly ok: boolean;
  /** The handler's return value (parsed). */
  readonly result?: unknown;
  /** The return value as the runtime serialized it (what `layersmith invoke` prints). */
  readonly resultJson?: string;
  /** Why it failed. */
  readonly error?: { readonly type: string; readonly message: string };
  readonly timedOut: boolean;
  /** The handler's stdout and stderr (tracebacks included). */
  readonly logs: string;
  /** 'namespace': layers bind-mounted on /opt; 'env': only LAYERSMITH_OPT points at them. */
  readonly mode: OptMode;
  /** Why the namespace mode was not used. */
  readonly modeReason?: string;
  readonly function: { readonly path: string; readonly platform: PlatformId; readonly runtime: string; readonly handler: string };
  readonly interpreter: Interpreter;
  /** Shadowed paths of the stack and which layer each came from. */
  readonly opt: Pick<OptResult, 'shadowed' | 'layers' | 'precedence'>;
  /** Template environment variables left out because their values are known only at deploy. */
  readonly omittedEnvironment: readonly string[];
}

/**
 * Run a function's handler locally with its real layer stack, without Docker: the layers
 * materialized as on the platform (precedence included), the code in a temporary task directory,
 * the runtime's search paths and the function's environment set as the platform sets them, and
 * the handler called with the event and a context object. Bad input throws a UsageError; a
 * handler failure is a result with `ok: false`. The temporary directory is removed in every case,
 * also when this process receives SIGINT or SIGTERM.
 */
export async function invokeLocally(options: InvokeLocallyOptions): Promise<InvokeLocallyResult> {
  const fn = options.assembly !== undefined ? fromAssembly(options) : fromPlainInputs(options);
  const info = runtimeOf(fn.platform, fn.runtime);
  const language = languageOf(fn, info, options);
  const required = info.family === 'custom' ? undefined : runtimeLanguageVersion(fn.platform, info);
  const interpreter = language === 'python' ? findPython(fn.runtime, required, options.python) : findNode(fn.runtime, required, options.node);
  const event = JSON.stringify(options.event === undefined ? {} : options.event);

  const work = fs.mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), 'layersmith-invoke-'));
  const removeWork = () => fs.rmSync(work, { recursive: true, force: true });
  let child: ReturnType<typeof spawn> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    child?.kill('SIGKILL');
    removeWork();
    unhook();
    // Our listener is gone, so the signal now does what it would have done without us.
    process.kill(process.pid, signal);
  };
  const unhook = () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('exit', removeWork);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', removeWork);
  try {
    const optDir = path.join(work, 'opt');
    const opt = await materializeOpt({ platform: fn.platform, layers: fn.layers, outDir: optDir });
    const taskDir = path.join(work, 'task');
    await placeCode(fn, language, taskDir);

    const namespace = chooseMode(options, interpreter, optDir);
    const optRoot = namespace.mode === 'namespace' ? '/opt' : optDir;
    const paths = runtimeSearchPaths(fn.platform, info);
    const mapPath = (p: string) => mapPlatformPath(p, paths.codeDir, taskDir, optRoot);

    const env = childEnvironment(fn, options, { paths, mapPath, taskDir, optDir, language });
    const sysPath = dedupe([taskDir, ...splitPath(env.PYTHONPATH).filter((p) => p !== taskDir), ...paths.pythonPath.map(mapPath)]);
    if (language === 'node' && !env.NODE_PATH && paths.nodePath.length > 0) env.NODE_PATH = paths.nodePath.map(mapPath).join(':');

    const timeoutSeconds = options.timeoutSeconds ?? fn.timeoutSeconds;
    const config: RunnerConfig = {
      platform: fn.platform,
      handler: fn.handler,
      taskDir,
      sysPath,
      eventFile: path.join(work, 'event.json'),
      eventAsBytes: fn.platform === 'alicloud',
      functionName: fn.functionName,
      memoryMb: fn.memoryMb,
      timeoutMs: timeoutSeconds * 1000,
      requestId: randomUUID(),
      region: env.AWS_REGION ?? env.ALIBABA_CLOUD_REGION ?? (fn.platform === 'aws' ? 'us-east-1' : 'cn-hangzhou'),
      accountId: fn.platform === 'aws' ? '000000000000' : 'local',
    };
    fs.writeFileSync(config.eventFile, event);
    const runner = path.join(work, language === 'python' ? 'runner.py' : 'runner.js');
    fs.writeFileSync(runner, language === 'python' ? PYTHON_RUNNER : NODE_RUNNER);
    const configFile = path.join(work, 'runner.json');
    fs.writeFileSync(configFile, JSON.stringify(config));

    // -I: no PYTHONPATH, no user site, no script dir; -S: no site-packages of this machine.
    const args = language === 'python' ? ['-I', '-S', runner, configFile] : [runner, configFile];
    const argv = namespace.mode === 'namespace'
      ? ['unshare', '-m', '--propagation', 'private', '--', '/bin/sh', '-c', 'mount --bind "$0" /opt || exit 125; exec "$@"',
        optDir, interpreter.command, ...args]
      : [interpreter.command, ...args];

    const summary = { path: fn.path, platform: fn.platform, runtime: fn.runtime, handler: fn.handler };
    options.onStart?.({
      function: summary,
      interpreter,
      mode: namespace.mode,
      ...(namespace.reason ? { modeReason: namespace.reason } : {}),
      optDir,
      omittedEnvironment: fn.omittedEnvironment,
    });
    let logs = '';
    const log = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      logs += text;
      options.onLog?.(text);
    };
    const outcome: Buffer[] = [];
    let timedOut = false;
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const c = spawn(argv[0], argv.slice(1), { cwd: taskDir, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
      child = c;
      c.stdout!.on('data', log);
      c.stderr!.on('data', log);
      (c.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => outcome.push(b));
      const timer = setTimeout(() => {
        timedOut = true;
        c.kill('SIGKILL');
      }, timeoutSeconds * 1000);
      c.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      c.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });

    const base = {
      logs,
      mode: namespace.mode,
      ...(namespace.reason ? { modeReason: namespace.reason } : {}),
      function: summary,
      interpreter,
      opt: { shadowed: opt.shadowed, layers: opt.layers, precedence: opt.precedence },
      omittedEnvironment: fn.omittedEnvironment,
    };
    const text = Buffer.concat(outcome).toString('utf8');
    const nl = text.indexOf('\n');
    const kind = nl === -1 ? '' : text.slice(0, nl);
    const payload = nl === -1 ? '' : text.slice(nl + 1);
    if (timedOut) {
      return { ...base, ok: false, timedOut: true, error: { type: 'TimeoutError', message: `Task timed out after ${timeoutSeconds} seconds` } };
    }
    if (kind === 'ok' && exit.code === 0) {
      return { ...base, ok: true, timedOut: false, result: JSON.parse(payload), resultJson: payload };
    }
    if (kind === 'error') {
      const e = JSON.parse(payload) as { errorType: string; errorMessage: string };
      return { ...base, ok: false, timedOut: false, error: { type: e.errorType, message: e.errorMessage } };
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const message = `the ${interpreter.language} process ${how} before the handler returned`;
    return { ...base, ok: false, timedOut: false, error: { type: 'Runtime.ExitError', message } };
  } finally {
    removeWork();
    unhook();
  }
}

/** What `layersmith opt` does, for the library: write what /opt holds for a function of a synthesized app. */
export async function materializeFunctionOpt(
  assembly: string, functionName: string, outDir: string,
): Promise<OptResult & { readonly function: string }> {
  const fn = resolveFunction(assembly, functionName);
  const result = await materializeOpt({ platform: fn.platform, layers: fn.layers, outDir });
  return { ...result, function: fn.path };
}

function fromAssembly(options: InvokeLocallyOptions): LocalFunction {
  if (options.function === undefined) throw new UsageError('invoke: give the function (construct path or a unique suffix) with the assembly');
  const flags: Record<string, string> = {
    platform: '--platform',
    runtime: '--runtime',
    handler: '--handler',
    code: '--code',
    layers: '--layer',
    functionName: '--function-name',
    memoryMb: '--memory',
  };
  const plain = (['platform', 'runtime', 'handler', 'code', 'layers', 'functionName', 'memoryMb'] as const).filter((k) => options[k] !== undefined);
  if (plain.length > 0) {
    throw new UsageError(`invoke: ${plain.map((k) => flags[k]).join(', ')} cannot be combined with an assembly; the assembly says them`);
  }
  const fn = resolveFunction(options.assembly!, options.function);
  return {
    ...fn,
    ...(options.environment ? { environment: { ...fn.environment, ...options.environment } } : {}),
  };
}

function fromPlainInputs(options: InvokeLocallyOptions): LocalFunction {
  const missing = (['platform', 'runtime', 'handler', 'code'] as const).filter((k) => options[k] === undefined);
  if (missing.length > 0) {
    throw new UsageError(`invoke: without an assembly, give ${missing.map((k) => `--${k}`).join(', ')} `
      + '(and --layer <zip> per layer, in deployed order)');
  }
  const platform = options.platform!;
  if (!PLATFORM_IDS.includes(platform)) throw new UsageError(`invoke: unknown platform '${platform}'; use ${PLATFORM_IDS.join(' or ')}`);
  if (!fs.existsSync(options.code!)) {
    throw new UsageError(`--code ${options.code}: no such file or directory; pass the function's code directory or ZIP`);
  }
  for (const zip of options.layers ?? []) {
    if (!fs.existsSync(zip)) throw new UsageError(`--layer ${zip}: no such file; pass each layer's ZIP in deployed order`);
  }
  const defaults = FUNCTION_DEFAULTS[platform];
  return {
    path: options.handler!,
    platform,
    runtime: options.runtime!,
    handler: options.handler!,
    functionName: options.functionName ?? 'local-function',
    memoryMb: options.memoryMb ?? defaults.memoryMb,
    timeoutSeconds: options.timeoutSeconds ?? defaults.timeoutSeconds,
    environment: options.environment ?? {},
    omittedEnvironment: [],
    code: { kind: 'path', path: path.resolve(options.code!) },
    layers: (options.layers ?? []).map((zip) => ({ name: path.basename(zip), source: path.resolve(zip) })),
  };
}

function runtimeOf(platform: PlatformId, runtime: string): RuntimeInfo {
  try {
    return resolveRuntime(platform, runtime);
  } catch (e) {
    throw new UsageError(`invoke: ${(e as Error).message}`);
  }
}

function languageOf(fn: LocalFunction, info: RuntimeInfo, options: InvokeLocallyOptions): 'python' | 'node' {
  if (info.family === 'python') return 'python';
  if (info.family === 'nodejs') return 'node';
  if (info.family === 'custom' && fn.platform === 'alicloud') {
    if (options.language) return options.language;
    const program = path.basename(fn.command?.[0] ?? '');
    if (/^python/.test(program)) return 'python';
    if (/^node/.test(program)) return 'node';
    const module = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
    const dir = fn.code.kind === 'path' && fs.statSync(fn.code.path).isDirectory() ? fn.code.path : undefined;
    if (dir && fs.existsSync(path.join(dir, `${module}.py`))) return 'python';
    if (dir && ['.js', '.mjs', '.cjs'].some((ext) => fs.existsSync(path.join(dir, `${module}${ext}`)))) return 'node';
    throw new UsageError(`function ${fn.path}: runtime ${fn.runtime} is a custom runtime and neither its start command nor its code `
      + 'says the language; pass --language python|node');
  }
  throw new UsageError(`function ${fn.path}: runtime ${fn.runtime} is not supported by layersmith invoke yet; `
    + 'it runs Python and Node.js handlers (and FC custom runtimes running one)');
}

async function placeCode(fn: LocalFunction, language: 'python' | 'node', taskDir: string): Promise<void> {
  const code = fn.code;
  if (code.kind === 'inline') {
    // Lambda writes inline code to index.py / index.js.
    fs.mkdirSync(taskDir);
    fs.writeFileSync(path.join(taskDir, language === 'python' ? 'index.py' : 'index.js'), code.text);
  } else if (code.kind === 'zip-base64') {
    const zip = `${taskDir}.zip`;
    fs.writeFileSync(zip, Buffer.from(code.data, 'base64'));
    await extractCode(fn, zip, taskDir);
  } else if (fs.statSync(code.path).isDirectory()) {
    fs.cpSync(code.path, taskDir, { recursive: true, verbatimSymlinks: true });
  } else {
    await extractCode(fn, code.path, taskDir);
  }
}

async function extractCode(fn: LocalFunction, zip: string, taskDir: string): Promise<void> {
  try {
    await extractZip(zip, taskDir);
  } catch (e) {
    throw new UsageError(`function ${fn.path}: cannot unpack its code ${zip}: ${(e as Error).message}`);
  }
}

interface ModeChoice {
  readonly mode: OptMode;
  readonly reason?: string;
}

/** Bind the layers on /opt in a private mount namespace where allowed; say why not otherwise. */
function chooseMode(options: InvokeLocallyOptions, interpreter: Interpreter, optDir: string): ModeChoice {
  if (options.namespace === 'never') return { mode: 'env', reason: 'the namespace mode was turned off (--no-namespace)' };
  if (process.env[LAYERSMITH_NO_NAMESPACE] === '1') return { mode: 'env', reason: `${LAYERSMITH_NO_NAMESPACE}=1 is set` };
  if (process.platform !== 'linux') return { mode: 'env', reason: `mount namespaces need Linux (this is ${process.platform})` };
  if (!fs.existsSync('/opt') || !fs.statSync('/opt').isDirectory()) return { mode: 'env', reason: 'this machine has no /opt directory to bind on' };
  const real = fs.realpathSync(interpreter.command);
  if (real === '/opt' || real.startsWith('/opt/')) {
    return { mode: 'env', reason: `the interpreter ${real} lives under /opt, which the bind mount would hide` };
  }
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', '--', 'mount', '--bind', optDir, '/opt'],
    { encoding: 'utf8', timeout: 15_000 });
  if (probe.error) return { mode: 'env', reason: `unshare is not available (${probe.error.message})` };
  if (probe.status !== 0) {
    const why = probe.stderr.trim().split('\n')[0] || `exit ${probe.status}`;
    return { mode: 'env', reason: `a private mount namespace is not allowed here (${why})` };
  }
  return { mode: 'namespace' };
}

const PATH_LIST_VARIABLES = new Set(['PATH', 'LD_LIBRARY_PATH', 'PYTHONPATH', 'NODE_PATH']);

interface EnvContext {
  readonly paths: ReturnType<typeof runtimeSearchPaths>;
  readonly mapPath: (p: string) => string;
  readonly taskDir: string;
  readonly optDir: string;
  readonly language: 'python' | 'node';
}

/** The child's environment: this machine's basics, the platform's variables, then the function's, then --env. */
function childEnvironment(fn: LocalFunction, options: InvokeLocallyOptions, ctx: EnvContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Search paths of this machine must not leak into the function's.
    if (v !== undefined && !['PYTHONPATH', 'PYTHONHOME', 'NODE_PATH', 'NODE_OPTIONS', 'PYTHONSTARTUP'].includes(k)) env[k] = v;
  }
  env.PATH = joinPath([...splitPath(env.PATH), ...ctx.paths.path.map(ctx.mapPath)]);
  const ld = [...splitPath(env.LD_LIBRARY_PATH), ...ctx.paths.ldLibraryPath.map(ctx.mapPath)];
  if (ld.length > 0) env.LD_LIBRARY_PATH = joinPath(ld); else delete env.LD_LIBRARY_PATH;
  if (fn.platform === 'aws') {
    Object.assign(env, {
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      LAMBDA_TASK_ROOT: ctx.taskDir,
      _HANDLER: fn.handler,
    });
  } else {
    Object.assign(env, {
      FC_FUNCTION_NAME: fn.functionName,
      FC_FUNCTION_HANDLER: fn.handler,
      FC_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    });
  }
  env[LAYERSMITH_OPT] = ctx.optDir;
  for (const [k, v] of Object.entries(fn.environment)) {
    // Paths the platform knows (/opt, the code dir) point at their local places in path lists.
    env[k] = PATH_LIST_VARIABLES.has(k) ? joinPath(splitPath(v).map(ctx.mapPath)) : v;
  }
  Object.assign(env, options.env ?? {});
  return env;
}

/** A platform path (/opt/..., /var/task/..., /code/...) as its local counterpart. */
function mapPlatformPath(p: string, codeDir: string, taskDir: string, optRoot: string): string {
  const under = (root: string) => p === root || p.startsWith(`${root}/`);
  if (under('/opt')) return optRoot + p.slice('/opt'.length);
  if (under(codeDir)) return taskDir + p.slice(codeDir.length);
  return p;
}

function splitPath(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((p) => p !== '');
}

function joinPath(parts: string[]): string {
  return dedupe(parts).join(':');
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

export type { LocalFunction, LocalLayer, OptResult };
