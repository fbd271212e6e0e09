import { LayersmithValidationError } from './errors';
import type { ArchitectureId, PlatformId, PlatformLimitOverrides } from './model';

/**
 * The platform profiles: every fact about AWS Lambda and Alibaba Function Compute that drives
 * layersmith's behaviour, as data, in one place. Sources are cited next to each fact; facts no
 * primary source confirms are listed in `unconfirmed` and can be overridden per app.
 */

/** A limit on a layer name. */
export interface LayerNameLimit {
  /** Minimum length in characters. */
  readonly min: number;
  /** Maximum length in characters. */
  readonly max: number;
  /** Full-match pattern a name must satisfy. */
  readonly pattern: RegExp;
  /** The rule in words, for error messages. */
  readonly description: string;
}

/** Numeric and textual limits of one platform. */
export interface PlatformLimits {
  /** Layers one function may attach. */
  readonly maxLayersPerFunction: number;
  /** Function code plus all layers, unzipped, in bytes. */
  readonly maxUnzippedBytes: number;
  /** Largest ZIP that can be uploaded inline with the API request, in bytes. */
  readonly maxInlineZipBytes: number;
  /** Largest ZIP accepted through object storage (S3 / OSS), in bytes; undefined when not published. */
  readonly maxStorageZipBytes?: number;
  /** Layer name rule. */
  readonly layerName: LayerNameLimit;
  /** Maximum description length in characters. */
  readonly maxDescriptionLength: number;
  /** Maximum license text length in characters; undefined when free text. */
  readonly maxLicenseLength?: number;
  /** Maximum number of compatible runtime identifiers a layer version may declare. */
  readonly maxCompatibleRuntimes: number;
  /** Maximum number of compatible architectures a layer version may declare (0: no such field). */
  readonly maxArchitectures: number;
  /** Code storage per region (all function and layer versions), in bytes; undefined when unknown. */
  readonly codeStorageBytes?: number;
}

/** How the platform checksums a layer ZIP. */
export interface ChecksumDefinition {
  /** Algorithm and encoding. */
  readonly kind: 'sha256-base64' | 'crc64xz-decimal';
  /** Where the value appears in the platform's API. */
  readonly field: string;
}

/** How the platform shares a layer. */
export type SharingModel = 'per-version-statements' | 'layer-acl';

/** Everything layersmith knows about one platform. */
export interface PlatformProfile {
  /** Platform id. */
  readonly id: PlatformId;
  /** Name for messages. */
  readonly displayName: string;
  /** Which layer wins when two layers hold the same path. */
  readonly precedence: 'last-wins' | 'first-wins';
  /** Why, in words, for shadowing messages. */
  readonly precedenceReason: string;
  /** Limits (after per-app overrides). */
  readonly limits: PlatformLimits;
  /** Names of limits that no primary source confirms; they are defaults the user may override. */
  readonly unconfirmed: readonly (keyof PlatformLimits)[];
  /** Where the function's own code lives; layers never overwrite it. */
  readonly functionCodeDir: string;
  /** Where layers are extracted. */
  readonly layerMountDir: '/opt';
  /** Architectures functions (and layers) can run on. */
  readonly supportedArchitectures: readonly ArchitectureId[];
  /** ZIP checksum definition. */
  readonly checksum: ChecksumDefinition;
  /** How layers are shared. */
  readonly sharing: SharingModel;
  /** Layer version ARN shape, for messages. */
  readonly arnFormat: string;
}

const MIB = 1024 * 1024;

/**
 * AWS Lambda. Sources: Lambda quotas page (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html),
 * Lambda API `PublishLayerVersion` / `LayerVersionContentInput`, CloudFormation
 * `AWS::Lambda::LayerVersion` schema, "Packaging your layer content" (layer paths).
 */
export const AWS_LAMBDA: PlatformProfile = Object.freeze({
  id: 'aws',
  displayName: 'AWS Lambda',
  // Layers are extracted to /opt in list order; a later layer overwrites an earlier one's files.
  precedence: 'last-wins',
  precedenceReason: 'AWS Lambda extracts layers in list order, so the last layer in the list overwrites earlier ones',
  limits: Object.freeze({
    // Quotas page: "Lambda layers: five layers" per function.
    maxLayersPerFunction: 5,
    // Quotas page: 250 MB unzipped, function and all layers: 262,144,000 bytes.
    maxUnzippedBytes: 262_144_000,
    // Quotas page: 50 MB zipped for direct upload (52,428,800 bytes); larger through S3.
    maxInlineZipBytes: 52_428_800,
    maxStorageZipBytes: undefined,
    // API LayerName: 1-140, [a-zA-Z0-9-_]+ (or a layer ARN, accepted by validateLayerName).
    layerName: Object.freeze({
      min: 1,
      max: 140,
      pattern: /^[a-zA-Z0-9_-]+$/,
      description: '1-140 characters of letters, digits, hyphens and underscores',
    }),
    // API Description: max 256.
    maxDescriptionLength: 256,
    // API LicenseInfo: max 512.
    maxLicenseLength: 512,
    // API CompatibleRuntimes: max 15 items from the Runtime enum.
    maxCompatibleRuntimes: 15,
    // API CompatibleArchitectures: max 2 of x86_64, arm64.
    maxArchitectures: 2,
    // Quotas page: 75 GB code storage per region.
    codeStorageBytes: 75 * 1024 * 1024 * 1024,
  }),
  unconfirmed: Object.freeze([]),
  functionCodeDir: '/var/task',
  layerMountDir: '/opt',
  supportedArchitectures: Object.freeze(['x86_64', 'arm64'] as const),
  // API: CodeSha256 is the base64 SHA-256 of the deployment package.
  checksum: Object.freeze({ kind: 'sha256-base64', field: 'CodeSha256' }),
  // AddLayerVersionPermission: one statement per layer version.
  sharing: 'per-version-statements',
  arnFormat: 'arn:<partition>:lambda:<region>:<12-digit account>:layer:<name>:<version>',
}) as PlatformProfile;

/**
 * Alibaba Cloud Function Compute (FC3). Sources: FC limits page (help.aliyun.com "Limits"), FC3
 * `CreateLayerVersion` API, ROS `ALIYUN::FC::Layer` / `ALIYUN::FC3::LayerVersion` schemas,
 * "Create a custom layer" (directory layout, precedence).
 */
export const ALIBABA_FC: PlatformProfile = Object.freeze({
  id: 'alicloud',
  displayName: 'Alibaba Cloud Function Compute',
  // FC docs: layers with a smaller index in layers[] overwrite those with a larger one.
  precedence: 'first-wins',
  precedenceReason: 'Function Compute gives precedence to the layer with the smaller index in layers[], so the first layer in the list '
    + 'overwrites later ones',
  limits: Object.freeze({
    // FC limits page: at most 5 layers per function, official and custom together.
    maxLayersPerFunction: 5,
    // Unconfirmed: no published unzipped budget; 500 MiB matches the OSS upload limit, overridable.
    maxUnzippedBytes: 500 * MIB,
    // CreateLayerVersion: ~100 MiB request body, base64 inflates by 4/3, so ~70 MiB of ZIP inline.
    maxInlineZipBytes: 70 * MIB,
    // FC limits page: 500 MB through OSS or the console.
    maxStorageZipBytes: 500 * 1000 * 1000,
    // ROS ALIYUN::FC::Layer LayerName: 1-64, ^[a-zA-Z][_a-zA-Z0-9-]+$ (FC3 itself is undocumented,
    // the FC2 API allows 128: the strictest known rule keeps a name valid on every path).
    layerName: Object.freeze({
      min: 1,
      max: 64,
      pattern: /^[a-zA-Z][_a-zA-Z0-9-]+$/,
      description: '1-64 characters, starting with a letter, then at least one letter, digit, hyphen or underscore',
    }),
    // FC2 API Description: max 256.
    maxDescriptionLength: 256,
    // FC3 License: free text.
    maxLicenseLength: undefined,
    // ROS ALIYUN::FC3::LayerVersion CompatibleRuntime: list of 0-20 strings.
    maxCompatibleRuntimes: 20,
    // FC layers have no architecture field (x86_64 only).
    maxArchitectures: 0,
    codeStorageBytes: undefined,
  }),
  unconfirmed: Object.freeze(['maxUnzippedBytes', 'codeStorageBytes'] as const),
  functionCodeDir: '/code',
  layerMountDir: '/opt',
  supportedArchitectures: Object.freeze(['x86_64'] as const),
  // FC: code.checksum is the CRC-64/XZ of the ZIP as an unsigned decimal string.
  checksum: Object.freeze({ kind: 'crc64xz-decimal', field: 'code.checksum' }),
  // FC: ACL is per layer (0 private, 1 public); no per-account sharing.
  sharing: 'layer-acl',
  arnFormat: 'acs:fc:<region>:<account|official>:layers/<name>/versions/<version>',
}) as PlatformProfile;

const PROFILES: Readonly<Record<PlatformId, PlatformProfile>> = { aws: AWS_LAMBDA, alicloud: ALIBABA_FC };

/** Limits an app may override (the unconfirmed or account-specific ones). */
export const OVERRIDABLE_LIMITS: readonly (keyof PlatformLimitOverrides)[] = ['maxLayersPerFunction', 'maxUnzippedBytes', 'maxInlineZipBytes'];

/** The platform ids layersmith knows. */
export const PLATFORM_IDS: readonly PlatformId[] = ['aws', 'alicloud'];

/**
 * The profile of a platform, with per-app overrides of its configurable limits applied.
 * Throws for an unknown platform id or an override that is not a positive integer.
 */
export function getPlatform(id: PlatformId, overrides?: Partial<PlatformLimitOverrides>): PlatformProfile {
  const base = PROFILES[id];
  if (!base) {
    throw new LayersmithValidationError('UNKNOWN_PLATFORM', `Unknown platform '${String(id)}': layersmith targets `
      + `${PLATFORM_IDS.map((p) => `'${p}'`).join(', ')}.`);
  }
  if (!overrides) return base;
  const applied: Record<string, number> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!OVERRIDABLE_LIMITS.includes(key as keyof PlatformLimitOverrides)) {
      throw new LayersmithValidationError('UNKNOWN_LIMIT_OVERRIDE', `Unknown limit override '${key}' for ${base.displayName}: overridable limits are `
        + 'maxLayersPerFunction, maxUnzippedBytes, maxInlineZipBytes.');
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new LayersmithValidationError('BAD_LIMIT_OVERRIDE', `Limit override ${key}=${String(value)} for ${base.displayName} must be a positive `
        + `integer (the default is ${String((base.limits as unknown as Record<string, unknown>)[key])}).`);
    }
    applied[key] = value;
  }
  if (Object.keys(applied).length === 0) return base;
  return Object.freeze({ ...base, limits: Object.freeze({ ...base.limits, ...applied }) });
}

/** Formats a byte count with thousands separators, e.g. '262,144,000 bytes'. */
export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}
