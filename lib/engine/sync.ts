import { spawnSync } from 'child_process';
import * as path from 'path';
import type { BuildOptions, BuildTarget, LayerArtifact, SourceSpec } from './api';
import { computeInputKey, defaultCacheDir, readArtifact } from './cache';
import { keysAfterPack } from './first-build';
import { LayerSource } from './source';
import { pausePoint } from './test-pause';
import { RESULT_MARKER } from './worker-protocol';
import { LayersmithBuildError, deserializeError, type SerializedError } from '../core/errors';

/**
 * `buildLayer` for synchronous callers (CDK and ROS constructors, bundling hooks): the async
 * engine runs in a child Node process and this call blocks until it is done. A cache hit is
 * answered in-process without spawning anything. Errors from the child are rethrown as the
 * same layersmith error class, code and message.
 */
export function buildLayerSync(source: LayerSource | SourceSpec, target: BuildTarget, options: BuildOptions = {}): LayerArtifact {
  const spec = source instanceof LayerSource ? source.bind() : source;
  // A first build of a directory layer is keyed in the child after its pack, from the digests of
  // the bytes it compressed: the tree is read once instead of twice (engine.ts buildKeyAfterPack).
  // A first build has no entry to hit, so nothing is lost by not keying it here.
  let inputKey: string | undefined;
  if (!keysAfterPack(spec, options.cacheDir)) {
    inputKey = computeInputKey(spec, target, options.cacheDir);
    const hit = readArtifact(options.cacheDir ?? defaultCacheDir(), inputKey);
    if (hit) return hit;
  }
  pausePoint('sync:start');

  // Request on stdin, result on stdout: no temp file of this process can outlive a kill.
  const res = spawnSync(process.execPath, workerArgv(), {
    input: JSON.stringify({ spec, target, inputKey, options }),
    stdio: ['pipe', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
    // Under ts-node, './engine' must resolve to engine.ts even where a stale engine.js sits
    // next to it (Node tries .js first otherwise).
    env: { ...BUILD_MEMORY_ENV, ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' },
  });
  if (res.error) {
    throw new LayersmithBuildError('BUILD_PROCESS_NOT_STARTED',
      `buildLayerSync: could not start the build process (${process.execPath}): ${res.error.message}`);
  }
  if (res.signal && INTERRUPTS.includes(res.signal)) {
    // The build was interrupted (Ctrl-C reaches the whole process group): end this process the
    // same way instead of reporting a failed build. The child removed its own temp files.
    process.kill(process.pid, res.signal);
  }
  const out = res.stdout.toString('utf8');
  const at = out.lastIndexOf(RESULT_MARKER);
  if (at < 0) {
    throw new LayersmithBuildError('BUILD_PROCESS_NO_RESULT', 'buildLayerSync: the build process exited '
      + `(${res.status === null ? `signal ${res.signal}` : `code ${res.status}`}) without a result; see its output above.`);
  }
  const result = JSON.parse(out.slice(at + RESULT_MARKER.length)) as { artifact?: LayerArtifact; error?: SerializedError };
  pausePoint('sync:result-read');
  // The child's error comes back as the same layersmith class with the same code.
  if (result.error) throw deserializeError(result.error);
  return result.artifact!;
}

/**
 * The build child's threads (main, deflate workers, libuv pool) each get a glibc malloc arena by
 * default, and the memory zlib frees in one stays there: 2 arenas cut the child's peak RSS by
 * ~35 MB on a 24,000-file layer at no measurable cost. A value the user set wins.
 */
const BUILD_MEMORY_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** Signals that mean "stop": a build child ended by one of them ends its caller too. */
const INTERRUPTS: readonly string[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * How this module itself runs decides what the child runs: compiled code (an installed package)
 * spawns the compiled worker; a TypeScript caller (jest, ts-node) spawns the TypeScript worker
 * through ts-node, so it builds with the sources it was loaded from. `file` and `resolve` are this
 * module's own unless a test asks about another layout.
 * @internal
 */
export function workerArgv(file: string = __filename, resolve: (id: string) => string = require.resolve): string[] {
  const dir = path.dirname(file);
  if (!file.endsWith('.ts')) return [path.join(dir, 'worker.js')];
  let register: string;
  try {
    register = resolve('ts-node/register/transpile-only');
  } catch {
    throw new LayersmithBuildError('TS_NODE_MISSING', `buildLayerSync: ${file} runs as TypeScript, and its build process `
      + 'needs ts-node to do the same, but ts-node cannot be resolved from there. '
      + 'Fix: install ts-node, or run the compiled layersmith (npx projen compile).', { path: file });
  }
  return ['-r', register, path.join(dir, 'worker.ts')];
}
