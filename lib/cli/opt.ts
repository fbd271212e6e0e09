import * as path from 'path';
import { OptionSpec, ParsedArgs, parseArgs, valueOf } from './args';
import { UsageError } from './errors';
import { groupDigits, stableJson } from './format';
import type { PlatformId } from '../core/model';
import { getPlatform } from '../core/platforms';
import { materializeFunctionOpt } from '../local/invoke';
import { OptResult, materializeOpt } from '../local/materialize';

export const OPT_OPTIONS: readonly OptionSpec[] = [
  { name: 'out', kind: 'value', placeholder: '<dir>' },
  { name: 'layer', kind: 'value', repeatable: true, keepCommas: true, placeholder: '<zip>' },
  { name: 'platform', kind: 'value', choices: ['aws', 'alicloud'], placeholder: 'aws|alicloud' },
  { name: 'json', kind: 'flag' },
];

/** `layersmith opt`: write what /opt holds for a function and say which layer each shadowed path came from. */
export async function runOpt(argv: readonly string[], io: { stdout: { write(s: string): unknown } }): Promise<number> {
  const args = parseArgs('opt', argv, OPT_OPTIONS);
  const out = valueOf(args, 'out');
  if (out === undefined) throw new UsageError('layersmith opt: missing --out <dir> (where to write what /opt will hold)');
  const result = args.positionals.length === 0 ? await fromPlainInputs(args, out) : await fromAssembly(args, out);
  io.stdout.write(args.flags.has('json') ? stableJson(result) : renderOptText(result));
  return 0;
}

async function fromAssembly(args: ParsedArgs, out: string): Promise<OptResult & { function?: string }> {
  if (args.positionals.length !== 2) {
    throw new UsageError(`layersmith opt: expected <cloud assembly dir> <function>, got ${args.positionals.length} argument(s): `
      + args.positionals.join(' '));
  }
  if (args.values.has('layer') || args.values.has('platform')) {
    throw new UsageError('layersmith opt: --layer and --platform are for plain inputs; with an assembly, the function says them');
  }
  return materializeFunctionOpt(args.positionals[0], args.positionals[1], out);
}

async function fromPlainInputs(args: ParsedArgs, out: string): Promise<OptResult> {
  const platform = valueOf(args, 'platform') as PlatformId | undefined;
  const layers = args.values.get('layer') ?? [];
  if (!platform || layers.length === 0) {
    throw new UsageError('layersmith opt: give <cloud assembly dir> <function>, '
      + 'or --platform aws|alicloud with --layer <zip> per layer in deployed order');
  }
  return materializeOpt({ platform, layers: layers.map((z) => ({ name: path.basename(z), source: path.resolve(z) })), outDir: out });
}

/** The text `layersmith opt` prints: where, the order, and who won each shadowed path. */
export function renderOptText(result: OptResult & { function?: string }): string {
  const platform = getPlatform(result.platform);
  const lines = [
    `/opt${result.function ? ` of ${result.function}` : ''} on ${platform.displayName} written to ${result.dir} `
      + `(${groupDigits(result.files)} file${result.files === 1 ? '' : 's'})`,
    `${result.precedenceReason}.`,
    'Layers in deployed order:',
    ...result.layers.map((l) => `  ${l.position}. ${l.name} (${groupDigits(l.files)} file${l.files === 1 ? '' : 's'})`),
  ];
  if (result.shadowed.length === 0) {
    lines.push('No path is held by more than one layer.');
  } else {
    lines.push(`Shadowed paths (${groupDigits(result.shadowed.length)}):`);
    for (const s of result.shadowed) {
      lines.push(`  ${s.path}: from ${s.winner} (also in ${s.layers.filter((l) => l !== s.winner).join(', ')})`);
    }
  }
  return `${lines.join('\n')}\n`;
}
