import * as fs from 'fs';
import * as path from 'path';
import { OptionSpec, parseArgs, valueOf } from './args';
import { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, UsageError, oneLine } from './errors';
import { inspectLayerZip, renderInspectJson, renderInspectText } from './inspect';
import { runInvoke } from './invoke';
import { runOpt } from './opt';
import { renderReportJson, renderReportMarkdown } from './render-report';
import { ReviewReport, reportOnAssembly } from './report';
import type { ArchitectureId, PlatformId } from '../core/model';
import { writeFileAtomic } from '../engine/atomic';

export * from '../engine/progress';
export { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, UsageError } from './errors';
export type { InspectRequest, InspectResult, LayoutGroup, RuntimeCheck } from './inspect';
export { inspectLayerZip, renderInspectJson, renderInspectText } from './inspect';
export type { FunctionReview, GrantReview, LayerReview, PublicAccessEntry, ReviewReport, ReviewSummary } from './report';
export { buildReport, reportOnAssembly } from './report';
export { renderReportJson, renderReportMarkdown } from './render-report';

/** Where the command writes; injectable so it can run in-process. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

const USAGE = `Usage:
  layersmith inspect <layer.zip> [--platform aws|alicloud] [--runtime <id>[,<id>...]] [--arch x86_64|arm64] [--json] [--quiet]
  layersmith report <cloud assembly dir> [--format md|json] [--out <file>] [--fail-on error|warning|public|never] [--quiet]
  layersmith opt <cloud assembly dir> <function> --out <dir> [--json]
  layersmith opt --platform aws|alicloud --layer <zip> [--layer <zip>...] --out <dir> [--json]
  layersmith invoke <cloud assembly dir> <function> [--event <file>|-] [--env KEY=VALUE...] [--timeout <s>]
                    [--python <python>] [--node <node>] [--language python|node] [--no-namespace]
  layersmith invoke --platform aws|alicloud --runtime <id> --handler <module.function> --code <dir|zip>
                    [--layer <zip>...] [--function-name <name>] [--memory <MB>] [same options as above]

inspect  prints what a layer ZIP holds and whether each runtime finds it; exit 1 when a finding is an error.
report   reviews a synthesized AWS CDK (cdk.out) or ROS CDK app: layers, grants, each function's stack.
opt      writes what /opt will hold for a function (AWS: the last layer wins a shared path; FC: the first)
         and prints which layer each shadowed path came from. <function>: construct path or a unique suffix.
invoke   runs the function's handler locally with that /opt, its search paths and its environment, without
         Docker: the return value as JSON on stdout, the handler's logs on stderr. The layers are bind-mounted
         on /opt in a private mount namespace where the machine allows it; LAYERSMITH_OPT always names them.
Exit codes: 0 ok, 1 findings (inspect errors, report --fail-on) or the handler raised/timed out (invoke), 2 bad input.
`;

const INSPECT_OPTIONS: readonly OptionSpec[] = [
  { name: 'platform', kind: 'value', choices: ['aws', 'alicloud'], placeholder: 'aws|alicloud' },
  { name: 'runtime', kind: 'value', repeatable: true, placeholder: '<id>' },
  { name: 'arch', kind: 'value', choices: ['x86_64', 'arm64'], placeholder: 'x86_64|arm64' },
  { name: 'json', kind: 'flag' },
  { name: 'quiet', kind: 'flag' },
];

const REPORT_OPTIONS: readonly OptionSpec[] = [
  { name: 'format', kind: 'value', choices: ['md', 'json'], placeholder: 'md|json' },
  { name: 'out', kind: 'value', placeholder: '<file>' },
  { name: 'fail-on', kind: 'value', choices: ['error', 'warning', 'public', 'never'], placeholder: 'error|warning|public|never' },
  { name: 'quiet', kind: 'flag' },
];

/**
 * Run the `layersmith` command. Returns the exit code; never throws for bad input (one line on
 * stderr, EXIT_BAD_INPUT). Set LAYERSMITH_DEBUG=1 to see the stack of an unexpected failure.
 */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'inspect':
        return await runInspect(rest, io);
      case 'report':
        return runReport(rest, io);
      case 'opt':
        return await runOpt(rest, io);
      case 'invoke':
        return await runInvoke(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        (command === undefined ? io.stderr : io.stdout).write(USAGE);
        return command === undefined ? EXIT_BAD_INPUT : EXIT_OK;
      case '--version':
        io.stdout.write(`${packageVersion()}\n`);
        return EXIT_OK;
      default:
        throw new UsageError(`unknown command '${command}'; use 'layersmith inspect <zip>', 'report <dir>', 'opt <dir> <function>' or 'invoke <dir> `
          + '<function>\' (layersmith --help)');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`layersmith: error: ${oneLine(e.message)}\n`);
      return EXIT_BAD_INPUT;
    }
    const err = e as Error;
    io.stderr.write(`layersmith: internal error: ${oneLine(err?.message ?? String(e))} (set LAYERSMITH_DEBUG=1 for details)\n`);
    if (process.env.LAYERSMITH_DEBUG === '1' && err?.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_BAD_INPUT;
  }
}

function onePositional(command: string, positionals: readonly string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`layersmith ${command}: missing ${what}`);
  if (positionals.length > 1) {
    throw new UsageError(`layersmith ${command}: expected one ${what}, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  return positionals[0];
}

async function runInspect(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('inspect', argv, INSPECT_OPTIONS);
  const file = onePositional('inspect', args.positionals, '<layer.zip>');
  const result = await inspectLayerZip({
    file,
    platform: (valueOf(args, 'platform') ?? 'aws') as PlatformId,
    runtimes: args.values.get('runtime') ?? [],
    architecture: (valueOf(args, 'arch') ?? 'x86_64') as ArchitectureId,
  });
  io.stdout.write(args.flags.has('json') ? renderInspectJson(result) : renderInspectText(result));
  return result.findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

function runReport(argv: readonly string[], io: CliIo): number {
  const args = parseArgs('report', argv, REPORT_OPTIONS);
  const dir = onePositional('report', args.positionals, '<cloud assembly dir>');
  const report = reportOnAssembly(dir);
  const text = valueOf(args, 'format') === 'json' ? renderReportJson(report) : renderReportMarkdown(report);
  const out = valueOf(args, 'out');
  if (out !== undefined) {
    writeAtomic(out, text);
    if (!args.flags.has('quiet')) io.stderr.write(`layersmith: report written to ${out}\n`);
  } else {
    io.stdout.write(text);
  }
  return failsOn(valueOf(args, 'fail-on') ?? 'never', report) ? EXIT_FINDINGS : EXIT_OK;
}

function failsOn(level: string, report: ReviewReport): boolean {
  const s = report.summary;
  switch (level) {
    case 'error': return s.errors > 0 || s.orderMismatches > 0;
    case 'warning': return s.errors > 0 || s.warnings > 0 || s.orderMismatches > 0;
    case 'public': return s.publicLayers > 0;
    default: return false;
  }
}

/** Write the report via a temp file and rename, so a reader never sees half a report. */
function writeAtomic(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UsageError(`--out ${file}: directory ${dir} does not exist; create it first`);
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    throw new UsageError(`--out ${file}: cannot write (${(e as Error).message})`);
  }
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
