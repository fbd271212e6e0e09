import { UsageError } from './errors';

/** One option a command accepts. */
export interface OptionSpec {
  /** Long name without dashes, e.g. 'platform'. */
  readonly name: string;
  /** A flag takes no value; a value option takes the next argument (or `--name=value`). */
  readonly kind: 'flag' | 'value';
  /** Allowed values, checked at parse time so the error lists them. @default any value */
  readonly choices?: readonly string[];
  /** Value options only: may be given several times (and comma-separated). @default false */
  readonly repeatable?: boolean;
  /** Repeatable options only: take each value whole instead of splitting it at commas (KEY=a,b). @default false */
  readonly keepCommas?: boolean;
  /** Placeholder shown in usage, e.g. '<id>'. @default '<value>' */
  readonly placeholder?: string;
}

/** What a command line turned into. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Set<string>;
  readonly values: Map<string, string[]>;
}

/**
 * Parse `argv` against the options a command accepts. Unknown options, missing values and values
 * outside `choices` throw a UsageError naming the option and what is allowed.
 */
export function parseArgs(command: string, argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const positionals: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`layersmith ${command}: unknown option '${arg}'; valid options: ${listOptions(specs)}`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) {
      throw new UsageError(`layersmith ${command}: unknown option '--${name}'; valid options: ${listOptions(specs)}`);
    }
    if (spec.kind === 'flag') {
      if (eq !== -1) throw new UsageError(`layersmith ${command}: option '--${name}' takes no value`);
      flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw new UsageError(`layersmith ${command}: option '--${name}' needs a value ${spec.placeholder ?? '<value>'}`);
      }
      i++;
    }
    const parts = spec.repeatable && !spec.keepCommas ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : [value];
    if (parts.length === 0 || parts.some((p) => p === '')) {
      throw new UsageError(`layersmith ${command}: option '--${name}' needs a non-empty value ${spec.placeholder ?? '<value>'}`);
    }
    for (const part of parts) {
      if (spec.choices && !spec.choices.includes(part)) {
        throw new UsageError(`layersmith ${command}: option '--${name}' got '${part}'; allowed: ${spec.choices.join(', ')}`);
      }
    }
    const existing = values.get(name);
    if (existing && !spec.repeatable) {
      throw new UsageError(`layersmith ${command}: option '--${name}' given twice ('${existing[0]}' and '${parts[0]}'); give it once`);
    }
    values.set(name, [...(existing ?? []), ...parts]);
  }
  return { positionals, flags, values };
}

/** The single value of a non-repeatable option, or undefined. */
export function valueOf(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.[0];
}

function listOptions(specs: readonly OptionSpec[]): string {
  return specs.map((s) => (s.kind === 'flag' ? `--${s.name}` : `--${s.name} ${s.placeholder ?? '<value>'}`)).join(', ');
}
