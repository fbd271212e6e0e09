import { LayersmithValidationError } from './errors';
import type { PlatformId } from './model';
import { runtimeOs, type RuntimeOs } from './runtime-os';

/**
 * Runtime identifiers per platform and the layer directories each runtime searches.
 *
 * Sources: AWS Lambda API `Runtime` enum and the aws-cdk-lib `Runtime` class (ids, deprecation),
 * "Packaging your layer content" (paths per runtime); FC3 `CreateFunction` runtime list and
 * "Create a custom layer" (paths per runtime; custom runtimes add none).
 */

/** The language family of a runtime. */
export type RuntimeFamily = 'python' | 'nodejs' | 'java' | 'ruby' | 'php' | 'dotnet' | 'go' | 'custom';

/** What layersmith knows about one runtime identifier on one platform. */
export interface RuntimeInfo {
  /** The identifier as the platform spells it ('python3.12', 'nodejs20', 'custom.debian12'). */
  readonly id: string;
  /** Platform the identifier belongs to. */
  readonly platform: PlatformId;
  /** Language family. */
  readonly family: RuntimeFamily;
  /** Language version when the id carries one: '3.12', '20', '3.3', '21'. */
  readonly version?: string;
  /** True when the platform no longer accepts new functions on this runtime. */
  readonly deprecated: boolean;
  /** False for an FC3 free-form identifier layersmith does not list (family inferred). */
  readonly known: boolean;
  /** Layer-relative directories the runtime puts on its search paths, most specific first. */
  readonly searchPaths: readonly string[];
  /** Files at the layer root the runtime uses (AWS custom runtimes: 'bootstrap'). */
  readonly rootFiles: readonly string[];
  /** False when functions on this runtime cannot attach layers at all (FC custom-container). */
  readonly supportsLayers: boolean;
  /** FC custom runtimes: the environment variables the function must set to find layer content. */
  readonly envHint?: string;
  /** The OS (and glibc) functions on this runtime run on; undefined when not known (see runtime-os.ts). */
  readonly os?: RuntimeOs;
}

/**
 * Every identifier of the Lambda `Runtime` enum, including deprecated ones (true = deprecated).
 * Union of the Lambda API enum, aws-cdk-lib 2.276 `Runtime` and @pulumi/aws 7 `lambda.Runtime`.
 */
const AWS_RUNTIMES: ReadonlyArray<readonly [string, boolean]> = [
  ['nodejs', true], ['nodejs4.3', true], ['nodejs4.3-edge', true], ['nodejs6.10', true], ['nodejs8.10', true],
  ['nodejs10.x', true], ['nodejs12.x', true], ['nodejs14.x', true], ['nodejs16.x', true], ['nodejs18.x', true],
  ['nodejs20.x', false], ['nodejs22.x', false], ['nodejs24.x', false],
  ['python2.7', true], ['python3.6', true], ['python3.7', true], ['python3.8', true], ['python3.9', true],
  ['python3.10', false], ['python3.11', false], ['python3.12', false], ['python3.13', false], ['python3.14', false],
  ['python3.15', false],
  ['java8', true], ['java8.al2', false], ['java8.al2023', false], ['java11', false], ['java11.al2023', false],
  ['java17', false], ['java17.al2023', false], ['java21', false], ['java25', false],
  ['dotnetcore1.0', true], ['dotnetcore2.0', true], ['dotnetcore2.1', true], ['dotnetcore3.1', true],
  ['dotnet5.0', true], ['dotnet6', true], ['dotnet7', true], ['dotnet8', false], ['dotnet9', false], ['dotnet10', false],
  ['go1.x', true],
  ['ruby2.5', true], ['ruby2.7', true], ['ruby3.2', false], ['ruby3.3', false], ['ruby3.4', false], ['ruby4.0', false],
  ['provided', true], ['provided.al2', false], ['provided.al2023', false],
];

/**
 * FC runtime identifiers layersmith lists (true = deprecated). FC3 also accepts identifiers not
 * listed here; those resolve with known=false.
 */
const FC_RUNTIMES: ReadonlyArray<readonly [string, boolean]> = [
  ['python2.7', true], ['python3', false], ['python3.9', false], ['python3.10', false], ['python3.12', false],
  ['nodejs8', true], ['nodejs10', true], ['nodejs12', false], ['nodejs14', false], ['nodejs16', false],
  ['nodejs18', false], ['nodejs20', false],
  ['java8', false], ['java11', false],
  ['php7.2', false],
  ['dotnetcore2.1', true], ['dotnetcore3.1', false],
  ['go1', false],
  ['custom', false], ['custom.debian10', false], ['custom.debian11', false], ['custom.debian12', false],
  ['custom-container', false],
];

/** All AWS Lambda runtime identifiers, deprecated ones included. */
export const AWS_RUNTIME_IDS: readonly string[] = Object.freeze(AWS_RUNTIMES.map(([id]) => id));
/** The FC runtime identifiers layersmith lists (FC3 accepts others too). */
export const FC_RUNTIME_IDS: readonly string[] = Object.freeze(FC_RUNTIMES.map(([id]) => id));

const AWS_DEPRECATED = new Map(AWS_RUNTIMES);
const FC_DEPRECATED = new Map(FC_RUNTIMES);

/** Node majors with a versioned `nodejs/nodeNN/node_modules` path on Lambda (18, 20, 22, 24, and later). */
const AWS_VERSIONED_NODE_MIN_MAJOR = 18;

/** FC custom runtimes add nothing to the search paths; this is what the function must set. */
const FC_CUSTOM_ENV_HINT =
  'FC custom runtimes add no layer directories to any search path: set PYTHONPATH=/opt/python, '
  + 'NODE_PATH=/opt/nodejs/node_modules, LD_LIBRARY_PATH=/opt/lib and PATH=/opt/bin:$PATH '
  + '(whichever the layers use) in the function\'s environment variables.';

const FAMILY_PREFIXES: ReadonlyArray<readonly [string, RuntimeFamily]> = [
  ['python', 'python'], ['nodejs', 'nodejs'], ['java', 'java'], ['ruby', 'ruby'], ['php', 'php'],
  ['dotnet', 'dotnet'], ['go', 'go'], ['custom', 'custom'], ['provided', 'custom'],
];

const cache = new Map<string, RuntimeInfo>();

/**
 * What a runtime identifier means on a platform. AWS accepts only the Lambda `Runtime` enum and
 * throws for anything else, listing the valid ids. FC accepts its listed ids and any other
 * FC3 identifier made of lower-case letters, digits, '.', '-' and '_' (family inferred from the
 * prefix, known=false).
 */
export function resolveRuntime(platform: PlatformId, id: string): RuntimeInfo {
  const key = `${platform}\u0000${id}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const info = platform === 'aws' ? resolveAws(id) : platform === 'alicloud' ? resolveFc(id) : undefined;
  if (!info) {
    throw new LayersmithValidationError('UNKNOWN_PLATFORM', `Unknown platform '${String(platform)}' for runtime '${id}': use 'aws' or 'alicloud'.`);
  }
  cache.set(key, info);
  return info;
}

/** True when `id` is a runtime the platform accepts (AWS: the enum; FC: any well-formed id). */
export function isValidRuntime(platform: PlatformId, id: string): boolean {
  try {
    resolveRuntime(platform, id);
    return true;
  } catch {
    return false;
  }
}

function familyOf(id: string): RuntimeFamily | undefined {
  for (const [prefix, family] of FAMILY_PREFIXES) {
    if (id.startsWith(prefix)) return family;
  }
  return undefined;
}

function resolveAws(id: string): RuntimeInfo {
  const deprecated = AWS_DEPRECATED.get(id);
  const family = familyOf(id);
  if (deprecated === undefined || !family) {
    throw new LayersmithValidationError('UNKNOWN_RUNTIME',
      `Unknown AWS Lambda runtime '${id}': it is not in the Lambda Runtime enum. `
      + `Use one of: ${AWS_RUNTIME_IDS.join(', ')}.`,
    );
  }
  const version = versionOf(id, family);
  const searchPaths: string[] = [];
  let rootFiles: string[] = [];
  switch (family) {
    case 'python':
      searchPaths.push('python');
      if (version) searchPaths.push(`python/lib/python${version}/site-packages`);
      break;
    case 'nodejs':
      searchPaths.push('nodejs/node_modules');
      if (version && Number(version) >= AWS_VERSIONED_NODE_MIN_MAJOR) searchPaths.push(`nodejs/node${version}/node_modules`);
      break;
    case 'java':
      searchPaths.push('java/lib');
      break;
    case 'ruby':
      if (version) searchPaths.push(`ruby/gems/${version}.0`);
      searchPaths.push('ruby/lib');
      break;
    case 'custom':
      // Lambda looks for the bootstrap of a custom runtime in /var/task, then /opt.
      rootFiles = ['bootstrap'];
      break;
    default:
      break;
  }
  // Every Lambda runtime: /opt/bin on PATH, /opt/lib on LD_LIBRARY_PATH.
  searchPaths.push('bin', 'lib');
  return Object.freeze({
    id,
    platform: 'aws',
    family,
    version,
    deprecated,
    known: true,
    searchPaths: Object.freeze(searchPaths),
    rootFiles: Object.freeze(rootFiles),
    supportsLayers: true,
    os: runtimeOs('aws', id),
  });
}

function resolveFc(id: string): RuntimeInfo {
  const listed = FC_DEPRECATED.get(id);
  if (listed === undefined && !/^[a-z][a-z0-9._-]{0,63}$/.test(id)) {
    throw new LayersmithValidationError('BAD_RUNTIME_ID',
      `Invalid Function Compute runtime '${id}': an FC3 runtime id is lower-case letters, digits, '.', '-' and '_' `
      + `starting with a letter (at most 64). Known ids: ${FC_RUNTIME_IDS.join(', ')}.`,
    );
  }
  // An unlisted id with no recognised prefix is treated as a custom runtime: the conservative
  // choice, since custom runtimes get no layer paths and the user is told which env vars to set.
  const family = familyOf(id) ?? 'custom';
  const version = versionOf(id, family);
  const searchPaths: string[] = [];
  switch (family) {
    case 'python': searchPaths.push('python'); break;
    case 'nodejs': searchPaths.push('nodejs/node_modules'); break;
    case 'java': searchPaths.push('java/lib'); break;
    case 'php': searchPaths.push('php'); break;
    default: break;
  }
  const custom = family === 'custom';
  if (!custom) searchPaths.push('bin', 'lib');
  return Object.freeze({
    id,
    platform: 'alicloud',
    family,
    version,
    deprecated: listed ?? false,
    known: listed !== undefined,
    searchPaths: Object.freeze(searchPaths),
    rootFiles: Object.freeze([]),
    // FC custom-container functions run an image and cannot attach layers.
    supportsLayers: id !== 'custom-container',
    envHint: custom ? FC_CUSTOM_ENV_HINT : undefined,
    os: runtimeOs('alicloud', id),
  });
}

function versionOf(id: string, family: RuntimeFamily): string | undefined {
  switch (family) {
    case 'python': return /^python(\d+(?:\.\d+)?)/.exec(id)?.[1];
    case 'nodejs': return /^nodejs(\d+)/.exec(id)?.[1];
    case 'ruby': return /^ruby(\d+\.\d+)/.exec(id)?.[1];
    case 'java': return /^java(\d+)/.exec(id)?.[1];
    case 'php': return /^php(\d+\.\d+)/.exec(id)?.[1];
    case 'dotnet': return /^dotnet(?:core)?(\d+(?:\.\d+)?)/.exec(id)?.[1];
    case 'go': return /^go(\d+)/.exec(id)?.[1];
    default: return undefined;
  }
}

const PLATFORM_NAMES: Readonly<Record<PlatformId, string>> = { aws: 'AWS Lambda', alicloud: 'Function Compute' };

/**
 * Where layer content must go for a runtime, in words, for error messages. For example:
 * "python3.12 on AWS Lambda finds layer content under python/, python/lib/python3.12/site-packages/,
 * bin/ or lib/".
 */
export function layoutHint(platform: PlatformId, runtime: string | RuntimeInfo): string {
  const info = typeof runtime === 'string' ? resolveRuntime(platform, runtime) : runtime;
  const where = PLATFORM_NAMES[platform];
  if (!info.supportsLayers) {
    return `${info.id} functions on ${where} cannot attach layers`;
  }
  if (info.searchPaths.length === 0) {
    return `${info.id} on ${where} adds no layer directory to any search path. ${info.envHint ?? ''}`.trim();
  }
  const dirs = [...info.searchPaths.map((p) => `${p}/`), ...info.rootFiles.map((f) => `${f} at the root`)];
  const list = dirs.length === 1 ? dirs[0] : `${dirs.slice(0, -1).join(', ')} or ${dirs[dirs.length - 1]}`;
  return `${info.id} on ${where} finds layer content under ${list} (extracted under /opt)`;
}
