import * as fs from 'fs';
import { OptionSpec, ParsedArgs, parseArgs, valueOf } from './args';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './errors';
import type { PlatformId } from '../core/model';
import { getPlatform } from '../core/platforms';
import { InvokeLocallyOptions, LAYERSMITH_OPT, invokeLocally } from '../local/invoke';

export const INVOKE_OPTIONS: readonly OptionSpec[] = [
  { name: 'event', kind: 'value', placeholder: '<file>|-' },
  { name: 'env', kind: 'value', repeatable: true, keepCommas: true, placeholder: 'KEY=VALUE' },
  { name: 'python', kind: 'value', placeholder: '<python>' },
  { name: 'node', kind: 'value', placeholder: '<node>' },
  { name: 'language', kind: 'value', choices: ['python', 'node'], placeholder: 'python|node' },
  { name: 'timeout', kind: 'value', placeholder: '<seconds>' },
  { name: 'no-namespace', kind: 'flag' },
  { name: 'layer', kind: 'value', repeatable: true, keepCommas: true, placeholder: '<zip>' },
  { name: 'platform', kind: 'value', choices: ['aws', 'alicloud'], placeholder: 'aws|alicloud' },
  { name: 'runtime', kind: 'value', placeholder: '<id>' },
  { name: 'handler', kind: 'value', placeholder: '<module.function>' },
  { name: 'code', kind: 'value', placeholder: '<dir|zip>' },
  { name: 'function-name', kind: 'value', placeholder: '<name>' },
  { name: 'memory', kind: 'value', placeholder: '<MB>' },
];

interface Io {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

/**
 * `layersmith invoke`: run a handler locally with its layer stack. The return value goes to
 * stdout as JSON; the handler's logs, the mode line and any failure go to stderr. Exit 0 when the
 * handler returned, 1 when it raised or timed out, 2 for bad input.
 */
export async function runInvoke(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('invoke', argv, INVOKE_OPTIONS);
  const options = invokeOptions(args, io);
  const result = await invokeLocally({
    ...options,
    onStart: (start) => {
      const fn = start.function;
      const modeText = start.mode === 'namespace'
        ? `/opt mode: namespace (the layers are bind-mounted on /opt in a private mount namespace; ${LAYERSMITH_OPT} is set too)`
        : `/opt mode: ${LAYERSMITH_OPT} (${start.modeReason}); the layers are NOT on /opt: `
          + `a handler that opens /opt/... by absolute path should read ${LAYERSMITH_OPT}`;
      io.stderr.write(`layersmith: running ${fn.path} (${fn.runtime} on ${getPlatform(fn.platform).displayName}) with `
        + `${start.interpreter.language === 'python' ? 'Python' : 'Node.js'} ${start.interpreter.version}; ${modeText}\n`);
      if (start.omittedEnvironment.length > 0) {
        io.stderr.write(`layersmith: left out environment variables known only at deploy: ${start.omittedEnvironment.join(', ')} `
          + '(set them with --env KEY=VALUE)\n');
      }
    },
  });
  if (result.ok) {
    io.stdout.write(`${result.resultJson}\n`);
    return EXIT_OK;
  }
  io.stderr.write(`layersmith: the handler failed: ${result.error!.type}: ${result.error!.message}\n`);
  return EXIT_FINDINGS;
}

function invokeOptions(args: ParsedArgs, io: Io): InvokeLocallyOptions {
  const env: Record<string, string> = {};
  for (const setting of args.values.get('env') ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(setting);
    if (!m) throw new UsageError(`layersmith invoke: --env '${setting}' is not KEY=VALUE (KEY: letters, digits and _, not starting with a digit)`);
    env[m[1]] = m[2];
  }
  const common = {
    event: readEvent(valueOf(args, 'event')),
    env,
    python: valueOf(args, 'python'),
    node: valueOf(args, 'node'),
    language: valueOf(args, 'language') as 'python' | 'node' | undefined,
    timeoutSeconds: positiveNumber(args, 'timeout'),
    namespace: args.flags.has('no-namespace') ? 'never' as const : 'auto' as const,
    onLog: (chunk: string) => io.stderr.write(chunk),
  };
  if (args.positionals.length === 2) {
    return {
      ...common,
      assembly: args.positionals[0],
      function: args.positionals[1],
      ...plainValues(args),
    } as InvokeLocallyOptions;
  }
  if (args.positionals.length === 0) {
    return {
      ...common,
      ...plainValues(args),
    };
  }
  throw new UsageError('layersmith invoke: expected <cloud assembly dir> <function>, or plain inputs '
    + `(--platform --runtime --handler --code [--layer <zip>...]); got ${args.positionals.length} argument(s): ${args.positionals.join(' ')}`);
}

/** Plain-input values that were given (with an assembly, invokeLocally refuses them by name). */
function plainValues(args: ParsedArgs): Partial<InvokeLocallyOptions> {
  const out: Record<string, unknown> = {};
  if (valueOf(args, 'platform') !== undefined) out.platform = valueOf(args, 'platform') as PlatformId;
  if (valueOf(args, 'runtime') !== undefined) out.runtime = valueOf(args, 'runtime');
  if (valueOf(args, 'handler') !== undefined) out.handler = valueOf(args, 'handler');
  if (valueOf(args, 'code') !== undefined) out.code = valueOf(args, 'code');
  if (args.values.has('layer')) out.layers = args.values.get('layer');
  if (valueOf(args, 'function-name') !== undefined) out.functionName = valueOf(args, 'function-name');
  if (valueOf(args, 'memory') !== undefined) out.memoryMb = positiveNumber(args, 'memory');
  return out;
}

function readEvent(source: string | undefined): unknown {
  if (source === undefined) return {};
  let text: string;
  try {
    text = fs.readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`--event ${source}: cannot read (${why}); pass a JSON file or - for stdin`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--event ${source}: not valid JSON (${(e as Error).message})`);
  }
}

function positiveNumber(args: ParsedArgs, name: string): number | undefined {
  const raw = valueOf(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`layersmith invoke: --${name} '${raw}' must be a positive number`);
  return n;
}
