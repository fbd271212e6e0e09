import { isolateBuilds, leftovers, namespaceAllowed, synthRos } from './apps';
import { UsageError } from '../../lib/cli/errors';
import { InvokeLocallyOptions, InvokeLocallyResult, invokeLocally } from '../../lib/local';
import { cleanupTempDirs, makeTempDir } from '../helpers';

beforeAll(isolateBuilds);
afterAll(cleanupTempDirs);

async function invokeIn(options: InvokeLocallyOptions): Promise<{ result: InvokeLocallyResult; left: string[]; tempDir: string }> {
  const tempDir = makeTempDir();
  const result = await invokeLocally({ ...options, tempDir });
  return { result, left: leftovers(tempDir), tempDir };
}

const NODE_SHADOW_HANDLER = [
  "const shared = require('shared');",
  'exports.handler = async (event, context) => ({',
  '  who: shared.who,',
  '  eventIsBuffer: Buffer.isBuffer(event),',
  "  event: JSON.parse(event.toString('utf8')),",
  '  name: context.function.name,',
  '  memory: context.function.memory,',
  '  requestId: context.requestId,',
  '  remaining: context.getRemainingTimeInMillis(),',
  '});',
  '',
].join('\n');

const CUSTOM_PY_HANDLER = 'import os, shared\ndef handler(event, context):\n    return {"who": shared.WHO, "pythonpath": os.environ.get("PYTHONPATH"), "bytes": isinstance(event, bytes)}\n';

describe('invokeLocally on a synthesized ROS CDK app (Function Compute)', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = synthRos({
      layers: {
        First: { files: { 'nodejs/node_modules/shared/index.js': "exports.who = 'first';\n" }, runtimes: ['nodejs20'] },
        Second: { files: { 'nodejs/node_modules/shared/index.js': "exports.who = 'second';\n" }, runtimes: ['nodejs20'] },
        PyFirst: { files: { 'python/shared/__init__.py': "WHO = 'py-first'\n" }, runtimes: ['custom.debian10'] },
      },
      functions: {
        Orders: { runtime: 'nodejs20', handler: 'index.handler', code: { 'index.js': NODE_SHADOW_HANDLER }, layers: ['First', 'Second'], memorySize: 1024 },
        WithEnv: { runtime: 'custom.debian10', handler: 'index.handler', code: { 'index.py': CUSTOM_PY_HANDLER }, layers: ['PyFirst'], setLayerEnvironment: true },
        WithoutEnv: { runtime: 'custom.debian10', handler: 'index.handler', code: { 'index.py': CUSTOM_PY_HANDLER }, layers: ['PyFirst'] },
      },
    });
  });

  test('GIVEN two layers holding one module WHEN invoked THEN the first layer\'s copy is required (FC), with the event as bytes and the FC context', async () => {
    // WHEN
    const { result, left } = await invokeIn({ assembly: outdir, function: 'Orders', event: { id: 'o-1' } });

    // THEN
    expect(result.error).toBeUndefined();
    expect(result.result).toEqual({
      who: 'first',
      eventIsBuffer: true,
      event: { id: 'o-1' },
      name: 'orders',
      memory: 1024,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      remaining: expect.any(Number),
    });
    expect(result.opt.precedence).toBe('first-wins');
    expect(result.opt.shadowed).toEqual([{ path: 'nodejs/node_modules/shared/index.js', layers: ['Fc/First', 'Fc/Second'], winner: 'Fc/First' }]);
    expect(left).toEqual([]);
  });

  test.each(['auto', 'never'] as const)(
    'GIVEN a custom runtime with setLayerEnvironment WHEN invoked (namespace %s) THEN the PYTHONPATH the template sets finds the layer',
    async (namespace) => {
      // WHEN
      const { result, left, tempDir } = await invokeIn({ assembly: outdir, function: 'WithEnv', namespace });

      // THEN
      expect(result.error).toBeUndefined();
      const value = result.result as Record<string, unknown>;
      expect(value.who).toBe('py-first');
      expect(value.bytes).toBe(true);
      const bound = namespace === 'auto' && namespaceAllowed();
      expect(result.mode).toBe(bound ? 'namespace' : 'env');
      // as on FC in the namespace mode; pointed at the materialized /opt otherwise
      if (bound) {
        expect(value.pythonpath).toBe('/opt/python');
      } else {
        expect(value.pythonpath).toMatch(new RegExp(`^${tempDir}/layersmith-invoke-[^/]+/opt/python$`));
      }
      expect(left).toEqual([]);
    },
  );

  test('GIVEN a custom runtime without setLayerEnvironment WHEN invoked THEN the layer is not found, as on FC (custom runtimes add no search path)', async () => {
    // WHEN
    const { result, left } = await invokeIn({ assembly: outdir, function: 'WithoutEnv' });

    // THEN
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({ type: 'ModuleNotFoundError', message: "No module named 'shared'" });
    expect(result.logs).toContain('Traceback (most recent call last)');
    expect(left).toEqual([]);
  });

  test('GIVEN an FC python3.10 function and a Python of another version WHEN invoked THEN it refuses, naming the runtime and what was found', async () => {
    // GIVEN
    const py = synthRos({
      layers: {},
      functions: { Legacy: { runtime: 'python3.10', handler: 'index.handler', code: { 'index.py': 'def handler(e, c):\n    return 1\n' }, layers: [] } },
    });

    // WHEN / THEN
    const run = invokeIn({ assembly: py, function: 'Legacy', python: 'python3' });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(/^runtime python3\.10 needs Python 3\.10, but --python python3 is Python 3\.\d+\.\d+; point --python at a Python 3\.10$/);
  });
});
