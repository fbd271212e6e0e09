/**
 * The runner scripts `layersmith invoke` writes into its temporary directory and starts with the
 * local interpreter. Each reads a JSON config (handler, search path, context fields, event file),
 * sends the handler's logs to stderr, and writes the outcome to file descriptor 3:
 * `ok\n<result JSON>` or `error\n<{"errorType","errorMessage"} JSON>` (the traceback goes to stderr).
 */

/** Config the runners read (written as JSON next to them). */
export interface RunnerConfig {
  readonly platform: 'aws' | 'alicloud';
  readonly handler: string;
  readonly taskDir: string;
  /** Python: entries put ahead of the interpreter's standard library on sys.path, in order. */
  readonly sysPath: readonly string[];
  readonly eventFile: string;
  /** FC passes the event as raw bytes (Python bytes, Node Buffer); AWS as parsed JSON. */
  readonly eventAsBytes: boolean;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
  readonly requestId: string;
  readonly region: string;
  readonly accountId: string;
}

export const PYTHON_RUNNER = String.raw`
import importlib, json, os, sys, time, traceback, types

with open(sys.argv[1]) as f:
    cfg = json.load(f)
deadline = time.time() + cfg['timeoutMs'] / 1000.0

# Everything the handler prints (Python and C level) goes to stderr; only the runner writes fd 3.
sys.stdout.flush()
os.dup2(2, 1)
result_pipe = os.fdopen(3, 'w')

def send(kind, payload):
    result_pipe.write(kind + '\n' + payload)
    result_pipe.flush()

def fail(exc):
    # The first frame is this runner's; the traceback starts where the handler's code does.
    sys.stdout.flush()
    traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
    sys.stderr.flush()
    send('error', json.dumps({'errorType': type(exc).__name__, 'errorMessage': str(exc)}))
    os._exit(1)

# Started with -I -S: no site-packages of this machine, no PYTHONPATH; the platform's order instead.
sys.path[:0] = cfg['sysPath']
os.chdir(cfg['taskDir'])

def remaining():
    return max(0, int((deadline - time.time()) * 1000))

if cfg['platform'] == 'aws':
    class LambdaContext:
        def __init__(self):
            self.function_name = cfg['functionName']
            self.function_version = '$LATEST'
            self.invoked_function_arn = 'arn:aws:lambda:%s:%s:function:%s' % (cfg['region'], cfg['accountId'], cfg['functionName'])
            self.memory_limit_in_mb = str(cfg['memoryMb'])
            self.aws_request_id = cfg['requestId']
            self.log_group_name = '/aws/lambda/' + cfg['functionName']
            self.log_stream_name = 'layersmith-local'
            self.identity = None
            self.client_context = None
        def get_remaining_time_in_millis(self):
            return remaining()
    context = LambdaContext()
else:
    class FCContext:
        def __init__(self):
            self.request_id = cfg['requestId']
            self.region = cfg['region']
            self.account_id = cfg['accountId']
            self.credentials = types.SimpleNamespace(access_key_id=None, access_key_secret=None, security_token=None)
            self.function = types.SimpleNamespace(
                name=cfg['functionName'], handler=cfg['handler'], memory=cfg['memoryMb'], timeout=cfg['timeoutMs'] // 1000)
        def get_remaining_time_in_millis(self):
            return remaining()
    context = FCContext()

with open(cfg['eventFile'], 'rb') as f:
    raw = f.read()
event = raw if cfg['eventAsBytes'] else json.loads(raw)

try:
    module_name, _, function_name = cfg['handler'].rpartition('.')
    module = importlib.import_module(module_name.replace('/', '.'))
    handler = getattr(module, function_name)
except Exception as exc:
    fail(exc)

try:
    result = handler(event, context)
    if isinstance(result, (bytes, bytearray)):
        result = result.decode('utf-8')
    text = json.dumps(result)
except Exception as exc:
    fail(exc)
sys.stdout.flush()
sys.stderr.flush()
send('ok', text)
# Done once the handler returned, as the platform freezes the sandbox: threads it left running do not hold the run open.
os._exit(0)
`;

export const NODE_RUNNER = String.raw`'use strict';
const fs = require('fs');
const path = require('path');
const { Console } = require('console');
const { pathToFileURL } = require('url');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const deadline = Date.now() + cfg.timeoutMs;
// Everything the handler logs goes to stderr; only the runner writes fd 3.
process.stdout.write = process.stderr.write.bind(process.stderr);
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

let done = false;
function send(kind, payload) {
  if (done) return;
  done = true;
  fs.writeSync(3, kind + '\n' + payload);
}
function fail(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write((e.stack || String(e)) + '\n');
  send('error', JSON.stringify({ errorType: e.name, errorMessage: e.message }));
  process.exit(1);
}
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const remaining = () => Math.max(0, deadline - Date.now());
const context = cfg.platform === 'aws' ? {
  functionName: cfg.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:' + cfg.region + ':' + cfg.accountId + ':function:' + cfg.functionName,
  memoryLimitInMB: String(cfg.memoryMb),
  awsRequestId: cfg.requestId,
  logGroupName: '/aws/lambda/' + cfg.functionName,
  logStreamName: 'layersmith-local',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: remaining,
} : {
  requestId: cfg.requestId,
  region: cfg.region,
  accountId: cfg.accountId,
  credentials: { accessKeyId: undefined, accessKeySecret: undefined, securityToken: undefined },
  function: { name: cfg.functionName, handler: cfg.handler, memory: cfg.memoryMb, timeout: Math.floor(cfg.timeoutMs / 1000) },
  logger: globalThis.console,
  getRemainingTimeInMillis: remaining,
};

async function load() {
  const dot = cfg.handler.lastIndexOf('.');
  const base = path.resolve(cfg.taskDir, cfg.handler.slice(0, dot));
  const name = cfg.handler.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) throw new Error("Cannot find module '" + cfg.handler.slice(0, dot) + "' (looked for .js, .mjs, .cjs in " + cfg.taskDir + ')');
  let mod;
  try {
    mod = require(file);
  } catch (e) {
    if (e && e.code !== 'ERR_REQUIRE_ESM') throw e;
    mod = await import(pathToFileURL(file).href);
  }
  const fn = mod[name] !== undefined ? mod[name] : (mod.default && mod.default[name]);
  if (typeof fn !== 'function') throw new Error(cfg.handler + ' is undefined or not exported');
  return fn;
}

async function main() {
  process.chdir(cfg.taskDir);
  const raw = fs.readFileSync(cfg.eventFile);
  const event = cfg.eventAsBytes ? raw : JSON.parse(raw.toString('utf8'));
  const fn = await load();
  const result = await new Promise((resolve, reject) => {
    const callback = (err, value) => (err ? reject(err) : resolve(value));
    const returned = fn(event, context, callback);
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    else if (fn.length < 3) resolve(returned);
  });
  const value = Buffer.isBuffer(result) ? result.toString('utf8') : result;
  send('ok', JSON.stringify(value === undefined ? null : value));
  // Done once the handler settled, as the platform freezes the sandbox: open timers or sockets do not hold the run open.
  process.exit(0);
}

main().catch(fail);
`;
