import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BIN, REPO, expectOneLineError, runCli } from './helpers';
import { LayerSource } from '../../lib/aws-cdk';
import { cleanupTempDirs, makeTempDir, writeZip } from '../helpers';
import { dirWith, isolateBuilds, leftovers, namespaceAllowed, synthAws, synthRos } from '../local/apps';

beforeAll(isolateBuilds);
afterAll(cleanupTempDirs);

const HANDLER = [
  'import json, os, sys, time, shared',
  'def handler(event, context):',
  '    print("log line")',
  '    return {"who": shared.WHO, "event": event, "stage": os.environ.get("STAGE"), "extra": os.environ.get("EXTRA")}',
  'def fails(event, context):',
  '    raise ValueError("bad order " + str(event.get("id")))',
  'def sleeps(event, context):',
  '    open(event["pidFile"], "w").write(str(os.getpid()))',
  '    sys.stderr.write("started\\n")',
  '    sys.stderr.flush()',
  '    time.sleep(60)',
  '',
].join('\n');

function pyLayer(who: string) {
  return { source: LayerSource.fromDirectory(dirWith({ 'python/shared/__init__.py': `WHO = '${who}'\n` })), runtimes: [lambda.Runtime.PYTHON_3_11] };
}

function fn(handler: string) {
  return { runtime: lambda.Runtime.PYTHON_3_11, handler, code: { 'index.py': HANDLER }, layers: ['Base', 'Override'], environment: { STAGE: 'ci' } };
}

let app: string;
beforeAll(() => {
  app = synthAws({
    layers: { Base: pyLayer('base'), Override: pyLayer('override') },
    functions: { Orders: fn('index.handler'), Failing: fn('index.fails'), Sleeping: fn('index.sleeps') },
  });
});

/** The CLI with its TMPDIR in a fresh directory, so what a run leaves behind can be counted. */
function run(args: string[], input?: string) {
  const tmp = makeTempDir();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO, env: { ...process.env, LAYERSMITH_DEBUG: '', TMPDIR: tmp }, encoding: 'utf8', timeout: 120_000, input,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, left: leftovers(tmp) };
}

/** False when the process is gone or a zombie (dead, waiting for a parent that may never reap it here). */
function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

describe('layersmith invoke', () => {
  test('GIVEN a function of a cdk.out WHEN invoked THEN stdout is the result as JSON only, and stderr the mode line and the handler\'s logs', () => {
    // GIVEN
    const event = path.join(makeTempDir(), 'event.json');
    fs.writeFileSync(event, JSON.stringify({ id: 3 }));

    // WHEN
    const r = run(['invoke', app, 'Orders', '--event', event, '--env', 'EXTRA=a,b=c']);

    // THEN
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ who: 'override', event: { id: 3 }, stage: 'ci', extra: 'a,b=c' });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const mode = namespaceAllowed() ? 'namespace \\(the layers are bind-mounted on /opt' : 'LAYERSMITH_OPT \\(a private mount namespace is not allowed here';
    expect(r.stderr).toMatch(new RegExp(`^layersmith: running Svc/Orders \\(python3\\.11 on AWS Lambda\\) with Python 3\\.11\\.\\d+; /opt mode: ${mode}`));
    expect(r.stderr).toContain('log line\n');
    expect(r.left).toEqual([]);
  });

  test('GIVEN --no-namespace and the event on stdin WHEN invoked THEN the LAYERSMITH_OPT mode is named with its reason', () => {
    // WHEN
    const r = run(['invoke', app, 'Svc/Orders', '--event', '-', '--no-namespace'], '{"id": "stdin"}');

    // THEN
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).event).toEqual({ id: 'stdin' });
    expect(r.stderr).toContain('/opt mode: LAYERSMITH_OPT (the namespace mode was turned off (--no-namespace)); the layers are NOT on /opt');
    expect(r.left).toEqual([]);
  });

  test('GIVEN a machine without unshare WHEN invoked THEN it falls back to LAYERSMITH_OPT cleanly and says why', () => {
    // GIVEN a PATH that holds only this machine's Python (no unshare, no mount)
    const bin = makeTempDir();
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(python, path.join(bin, 'python3'));
    const tmp = makeTempDir();

    // WHEN
    const r = spawnSync(process.execPath, [BIN, 'invoke', app, 'Orders'], { cwd: REPO, env: { ...process.env, PATH: bin, TMPDIR: tmp }, encoding: 'utf8' });

    // THEN
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).who).toBe('override');
    expect(r.stderr).toContain('/opt mode: LAYERSMITH_OPT (unshare is not available (spawnSync unshare ENOENT)); the layers are NOT on /opt');
    expect(leftovers(tmp)).toEqual([]);
  });

  test('GIVEN a handler that raises WHEN invoked THEN exit 1, the traceback on stderr, nothing on stdout, nothing left behind', () => {
    // WHEN
    const r = run(['invoke', app, 'Failing', '--event', '-'], '{"id": 9}');

    // THEN
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Traceback (most recent call last):');
    expect(r.stderr).toMatch(/File ".*index\.py", line 6, in fails/);
    expect(r.stderr).toContain('layersmith: the handler failed: ValueError: bad order 9\n');
    expect(r.left).toEqual([]);
  });

  test('GIVEN a handler running past --timeout WHEN invoked THEN exit 1 with the timeout named and nothing left behind', () => {
    // WHEN
    const r = run(['invoke', app, 'Sleeping', '--timeout', '2', '--event', '-'], JSON.stringify({ pidFile: path.join(makeTempDir(), 'pid') }));

    // THEN
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('layersmith: the handler failed: TimeoutError: Task timed out after 2 seconds');
    expect(r.left).toEqual([]);
  });

  test('GIVEN a running invoke WHEN it receives SIGTERM THEN the handler process is stopped and the temporary directory removed', async () => {
    // GIVEN
    const tmp = makeTempDir();
    const pidFile = path.join(makeTempDir(), 'pid');
    const child = spawn(process.execPath, [BIN, 'invoke', app, 'Sleeping', '--event', '-'], { cwd: REPO, env: { ...process.env, TMPDIR: tmp } });
    child.stdin.end(JSON.stringify({ pidFile }));
    let stderr = '';
    await new Promise<void>((resolve) => child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes('started\n')) resolve();
    }));
    expect(leftovers(tmp)).toHaveLength(1);

    // WHEN
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    const exit = await exited;

    // THEN
    expect(exit.signal).toBe('SIGTERM');
    expect(leftovers(tmp)).toEqual([]);
    const handlerPid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(isRunning(handlerPid)).toBe(false);
  });

  test('GIVEN plain inputs (layer ZIPs, platform, runtime, handler, code) WHEN invoked THEN the last --layer wins on AWS', async () => {
    // GIVEN
    const dir = makeTempDir();
    const a = path.join(dir, 'a.zip');
    const b = path.join(dir, 'b.zip');
    await writeZip(a, { 'python/shared/__init__.py': "WHO = 'a'\n" });
    await writeZip(b, { 'python/shared/__init__.py': "WHO = 'b'\n" });
    const code = dirWith({ 'index.py': HANDLER });

    // WHEN
    const r = run(['invoke', '--layer', a, '--layer', b, '--platform', 'aws', '--runtime', 'python3.11', '--handler', 'index.handler', '--code', code]);

    // THEN
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).who).toBe('b');
    expect(r.stderr).toContain('layersmith: running index.handler (python3.11 on AWS Lambda)');
    expect(r.left).toEqual([]);
  });

  test.each([
    [['invoke', '<app>', 'Nope'], "function 'Nope': no function with that construct path (or path suffix) in", 'functions: Svc/Failing, Svc/Orders, Svc/Sleeping'],
    [['invoke', '<app>'], 'expected <cloud assembly dir> <function>, or plain inputs', 'got 1 argument(s)'],
    [['invoke', '<app>', 'Orders', '--layer', 'x.zip'], '--layer cannot be combined with an assembly', 'the assembly says them'],
    [['invoke', '<app>', 'Orders', '--memory', '512', '--function-name', 'x'], '--function-name, --memory cannot be combined with an assembly', ''],
    [['invoke', '<app>', 'Orders', '--event', '-'], '--event -: not valid JSON', ''],
    [['invoke', '<app>', 'Orders', '--event', '/no/such/event.json'], '--event /no/such/event.json: cannot read (ENOENT)', ''],
    [['invoke', '<app>', 'Orders', '--env', 'not-a-setting'], "--env 'not-a-setting' is not KEY=VALUE", ''],
    [['invoke', '<app>', 'Orders', '--timeout', '0'], "--timeout '0' must be a positive number", ''],
    [['invoke', '<app>', 'Orders', '--python', '/no/such/python3.11'], 'runtime python3.11 needs Python 3.11, but --python /no/such/python3.11 is not runnable', ''],
    [['invoke', '--platform', 'aws', '--runtime', 'python3.11'], 'without an assembly, give --handler, --code', ''],
    [['invoke', '--platform', 'aws', '--runtime', 'java21', '--handler', 'a.B::handle', '--code', REPO], 'runtime java21 is not supported by layersmith invoke yet', ''],
    [['invoke', '--platform', 'aws', '--runtime', 'python9.9', '--handler', 'index.handler', '--code', REPO], "Unknown AWS Lambda runtime 'python9.9'", ''],
    [['invoke', '--platform', 'aws', '--runtime', 'python3.11', '--handler', 'index.handler', '--code', '/no/such/src'], '--code /no/such/src: no such file or directory', ''],
    [['invoke', '--platform', 'aws', '--runtime', 'python3.11', '--handler', 'index.handler', '--code', REPO, '--layer', '/no/such.zip'], '--layer /no/such.zip: no such file', ''],
  ])('GIVEN bad input %j WHEN invoked THEN exit 2 with one line and nothing left behind', (args, fragment, more) => {
    // WHEN
    const r = run(args.map((a) => (a === '<app>' ? app : a)), args.includes('-') ? 'not json' : undefined);

    // THEN
    expectOneLineError(r, fragment, more);
    expect(r.left).toEqual([]);
  });

  test('GIVEN a layer ZIP the inspector refuses WHEN invoked THEN exit 2 naming the layer, nothing left behind', () => {
    // GIVEN a file that is not a ZIP
    const bad = path.join(makeTempDir(), 'bad.zip');
    fs.writeFileSync(bad, 'not a zip');

    // WHEN
    const r = run(['invoke', '--platform', 'aws', '--runtime', 'python3.11', '--handler', 'index.handler', '--code', dirWith({ 'index.py': HANDLER }), '--layer', bad]);

    // THEN
    expectOneLineError(r, 'layer bad.zip: ');
    expect(r.left).toEqual([]);
  });
});

describe('layersmith opt', () => {
  test('GIVEN an AWS function with two layers sharing a path WHEN opt runs THEN /opt holds the last layer\'s copy and the output says where it came from', () => {
    // GIVEN
    const out = path.join(makeTempDir(), 'opt');

    // WHEN
    const r = runCli(['opt', app, 'Orders', '--out', out]);

    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      `/opt of Svc/Orders on AWS Lambda written to ${out} (1 file)`,
      'AWS Lambda extracts layers in list order, so the last layer in the list overwrites earlier ones.',
      'Layers in deployed order:',
      '  1. Svc/Base (1 file)',
      '  2. Svc/Override (1 file)',
      'Shadowed paths (1):',
      '  python/shared/__init__.py: from Svc/Override (also in Svc/Base)',
      '',
    ].join('\n'));
    expect(fs.readFileSync(path.join(out, 'python', 'shared', '__init__.py'), 'utf8')).toBe("WHO = 'override'\n");
    expect(leftovers(path.dirname(out))).toEqual([]);
  });

  test('GIVEN an FC function (ROS output) with two layers sharing a path WHEN opt runs with --json THEN the first layer\'s copy wins', () => {
    // GIVEN
    const ros = synthRos({
      layers: {
        Alpha: { files: { 'nodejs/node_modules/shared/index.js': "exports.who = 'alpha';\n", 'nodejs/node_modules/only-alpha.js': '' }, runtimes: ['nodejs20'] },
        Beta: { files: { 'nodejs/node_modules/shared/index.js': "exports.who = 'beta';\n" }, runtimes: ['nodejs20'] },
      },
      functions: { Api: { runtime: 'nodejs20', handler: 'index.handler', code: { 'index.js': 'exports.handler = async () => 1;\n' }, layers: ['Alpha', 'Beta'] } },
    });
    const out = path.join(makeTempDir(), 'opt');

    // WHEN
    const r = runCli(['opt', ros, 'Api', '--out', out, '--json']);

    // THEN
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.function).toBe('Fc/Api');
    expect(json.precedence).toBe('first-wins');
    expect(json.files).toBe(2);
    expect(json.shadowed).toEqual([{ path: 'nodejs/node_modules/shared/index.js', layers: ['Fc/Alpha', 'Fc/Beta'], winner: 'Fc/Alpha' }]);
    expect(fs.readFileSync(path.join(out, 'nodejs', 'node_modules', 'shared', 'index.js'), 'utf8')).toBe("exports.who = 'alpha';\n");
  });

  test('GIVEN plain layer ZIPs for FC WHEN opt runs THEN the first --layer wins', async () => {
    // GIVEN
    const dir = makeTempDir();
    await writeZip(path.join(dir, 'one.zip'), { 'bin/tool': 'one' });
    await writeZip(path.join(dir, 'two.zip'), { 'bin/tool': 'two', 'lib/libx.so': 'x' });
    const out = path.join(dir, 'opt');

    // WHEN
    const r = runCli(['opt', '--platform', 'alicloud', '--layer', path.join(dir, 'one.zip'), '--layer', path.join(dir, 'two.zip'), '--out', out]);

    // THEN
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  bin/tool: from one.zip (also in two.zip)\n');
    expect(fs.readFileSync(path.join(out, 'bin', 'tool'), 'utf8')).toBe('one');
    expect(fs.readFileSync(path.join(out, 'lib', 'libx.so'), 'utf8')).toBe('x');
  });

  test('GIVEN an --out directory that is not empty WHEN opt runs THEN exit 2 with one line and the directory is untouched', () => {
    // GIVEN
    const out = path.join(makeTempDir(), 'opt');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');

    // WHEN
    const r = runCli(['opt', app, 'Orders', '--out', out]);

    // THEN
    expectOneLineError(r, `${out}: exists and is not an empty directory`);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
    expect(leftovers(path.dirname(out))).toEqual([]);
  });

  test.each([
    [['opt', '<app>', 'Orders'], 'missing --out <dir>'],
    [['opt', '<app>', 'Orders', 'extra', '--out', '<out>'], 'expected <cloud assembly dir> <function>, got 3 argument(s)'],
    [['opt', '--platform', 'aws', '--out', '<out>'], 'or --platform aws|alicloud with --layer <zip> per layer'],
    [['opt', '<app>', 'Orders', '--layer', 'a.zip', '--out', '<out>'], '--layer and --platform are for plain inputs'],
    [['opt', '/no/such/dir', 'Orders', '--out', '<out>'], '/no/such/dir: no such directory'],
  ])('GIVEN bad input %j WHEN opt runs THEN exit 2 with one line', (args, fragment) => {
    const out = path.join(makeTempDir(), 'opt');
    expectOneLineError(runCli(args.map((a) => (a === '<app>' ? app : a === '<out>' ? out : a))), fragment);
    expect(fs.existsSync(out)).toBe(false);
  });
});
