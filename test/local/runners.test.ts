import { dirWith } from './apps';
import { InvokeLocallyOptions, UsageError, invokeLocally } from '../../lib/local';
import { cleanupTempDirs, makeTempDir } from '../helpers';

afterAll(cleanupTempDirs);

/** A plain-inputs run of one handler file, without layers. */
function run(runtime: string, file: string, source: string, extra: Partial<InvokeLocallyOptions> = {}) {
  return invokeLocally({
    platform: 'aws',
    runtime,
    handler: `${file.replace(/\.[a-z]+$/, '')}.handler`,
    code: dirWith({ [file]: source }),
    timeoutSeconds: 30,
    tempDir: makeTempDir(),
    ...extra,
  });
}

describe('the Python runner', () => {
  test('GIVEN a handler that leaves a thread running WHEN invoked THEN the run ends when the handler returns', async () => {
    const r = await run('python3.11', 'index.py', 'import threading, time\ndef handler(e, c):\n    threading.Thread(target=time.sleep, args=(600,)).start()\n    return "done"\n');
    expect(r).toEqual(expect.objectContaining({ ok: true, result: 'done', timedOut: false }));
  });

  test('GIVEN a handler returning bytes WHEN invoked THEN the result is their text', async () => {
    const r = await run('python3.11', 'index.py', 'def handler(e, c):\n    return b"raw"\n');
    expect(r.resultJson).toBe('"raw"');
  });

  test('GIVEN a handler that prints, then raises WHEN invoked THEN the print comes before the traceback, which starts at the handler', async () => {
    const r = await run('python3.11', 'index.py', 'def handler(e, c):\n    print("before")\n    raise KeyError("k")\n');
    expect(r.ok).toBe(false);
    expect(r.error).toEqual({ type: 'KeyError', message: "'k'" });
    expect(r.logs.indexOf('before\n')).toBe(0);
    expect(r.logs).toMatch(/^before\nTraceback \(most recent call last\):\n {2}File ".*\/task\/index\.py", line 3, in handler\n/);
    expect(r.logs).not.toContain('runner.py');
  });

  test('GIVEN a handler that exits the process WHEN invoked THEN the run fails saying the process exited before returning', async () => {
    const r = await run('python3.11', 'index.py', 'import os\ndef handler(e, c):\n    os._exit(3)\n');
    expect(r.error).toEqual({ type: 'Runtime.ExitError', message: 'the python process exited with code 3 before the handler returned' });
  });

  test('GIVEN a handler name the module does not define WHEN invoked THEN an AttributeError, exit as a handler failure', async () => {
    const r = await run('python3.11', 'index.py', 'def other(e, c):\n    return 1\n');
    expect(r.error?.type).toBe('AttributeError');
    expect(r.error?.message).toContain("has no attribute 'handler'");
  });
});

describe('the Node.js runner', () => {
  test('GIVEN an async handler that leaves an interval running WHEN invoked THEN the run ends when the promise settles', async () => {
    const r = await run('nodejs20.x', 'index.js', 'exports.handler = async () => { setInterval(() => {}, 1000); return { ok: 1 }; };\n');
    expect(r).toEqual(expect.objectContaining({ ok: true, result: { ok: 1 }, timedOut: false }));
  });

  test('GIVEN a callback-style handler WHEN invoked THEN the callback value is the result', async () => {
    const r = await run('nodejs20.x', 'index.js', 'exports.handler = (event, context, cb) => { setTimeout(() => cb(null, context.functionName), 10); };\n', { functionName: 'cb-fn' });
    expect(r.result).toBe('cb-fn');
  });

  test('GIVEN an ES module handler (.mjs) WHEN invoked THEN it is imported and run', async () => {
    const r = await run('nodejs20.x', 'index.mjs', 'export const handler = async (event) => ({ esm: true, event });\n', { event: [1, 2] });
    expect(r.result).toEqual({ esm: true, event: [1, 2] });
  });

  test('GIVEN a handler that throws WHEN invoked THEN the error and its stack, console output to the logs', async () => {
    const r = await run('nodejs20.x', 'index.js', "exports.handler = async () => { console.log('about to fail'); throw new TypeError('nope'); };\n");
    expect(r.ok).toBe(false);
    expect(r.error).toEqual({ type: 'TypeError', message: 'nope' });
    expect(r.logs).toMatch(/^about to fail\nTypeError: nope\n\s+at exports\.handler \(.*\/task\/index\.js:1:/);
  });

  test('GIVEN a handler file that is missing WHEN invoked THEN the error says where it looked', async () => {
    const r = await run('nodejs20.x', 'other.js', 'exports.x = 1;\n', { handler: 'index.handler' });
    expect(r.error?.message).toMatch(/^Cannot find module 'index' \(looked for \.js, \.mjs, \.cjs in .*\/task\)$/);
  });
});

describe('invokeLocally bad input (library form)', () => {
  test.each([
    [{ assembly: '/tmp' }, /^invoke: give the function \(construct path or a unique suffix\) with the assembly$/],
    [{ platform: 'gcp', runtime: 'python3.11', handler: 'index.handler', code: '/tmp' }, /^invoke: unknown platform 'gcp'; use aws or alicloud$/],
    [{ platform: 'alicloud', runtime: 'custom.debian10', handler: 'main.run', code: dirWith({ README: 'no handler file here' }) }, /is a custom runtime and neither its start command nor its code says the language; pass --language python\|node$/],
  ])('GIVEN %j WHEN invoked THEN a UsageError that says what to give', async (options, message) => {
    const attempt = invokeLocally({ ...(options as InvokeLocallyOptions), tempDir: makeTempDir() });
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });
});
