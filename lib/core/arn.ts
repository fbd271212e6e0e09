import { LayersmithValidationError } from './errors';
import type { PlatformId } from './model';

/** A parsed layer version ARN. */
export interface LayerVersionRef {
  /** Platform the ARN belongs to. */
  readonly platform: PlatformId;
  /** AWS partition ('aws', 'aws-cn', 'aws-us-gov', ...); undefined on FC. */
  readonly partition?: string;
  /** Region, e.g. 'us-east-1', 'cn-hangzhou'. */
  readonly region: string;
  /** Owning account: 12 digits on AWS; an Alibaba account id or 'official' on FC. */
  readonly account: string;
  /** Layer name. */
  readonly layerName: string;
  /** Version number (1 or more). */
  readonly version: number;
  /** The ARN without its version: identifies the layer regardless of version. */
  readonly unversionedArn: string;
  /** The full versioned ARN. */
  readonly arn: string;
}

// arn:<partition>:lambda:<region>:<12-digit account>:layer:<name>:<version> (Lambda API LayerVersionArn).
const AWS_LAYER_VERSION_ARN =
  /^arn:(aws(?:-[a-z]+)*):lambda:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):layer:([a-zA-Z0-9_-]{1,140}):([1-9]\d{0,15})$/;
// acs:fc:<region>:<account|official>:layers/<name>/versions/<version> (FC3 layer version ARN).
const FC_LAYER_VERSION_ARN =
  /^acs:fc:([a-z]+(?:-[a-z0-9]+)+):(\d{1,32}|official):layers\/([a-zA-Z0-9_-]{1,128})\/versions\/([1-9]\d{0,15})$/;
// FC2's legacy '<32 hex>#<name>#<version>' form.
const FC2_LEGACY_ARN = /^[0-9a-f]{32}#[^#]+#\d+$/;

const AWS_SHAPE = 'arn:<partition>:lambda:<region>:<12-digit account>:layer:<name>:<version>';
const FC_SHAPE = 'acs:fc:<region>:<account|official>:layers/<name>/versions/<version>';

/**
 * Parses a layer version ARN. With `platform` given, only that platform's form is accepted; without
 * it the platform is inferred from the prefix ('arn:' for AWS, 'acs:' for FC). Throws an Error
 * naming the ARN and the expected shape.
 */
export function parseLayerVersionArn(arn: string, platform?: PlatformId): LayerVersionRef {
  const which = platform ?? (arn.startsWith('acs:') || FC2_LEGACY_ARN.test(arn) ? 'alicloud' : 'aws');
  if (which === 'aws') {
    const m = AWS_LAYER_VERSION_ARN.exec(arn);
    if (!m) {
      throw new LayersmithValidationError('BAD_LAYER_ARN', `Invalid AWS Lambda layer version ARN '${arn}': expected ${AWS_SHAPE}, e.g. `
        + 'arn:aws:lambda:us-east-1:123456789012:layer:my-layer:3.');
    }
    const [, partition, region, account, layerName, version] = m;
    return Object.freeze({
      platform: 'aws',
      partition,
      region,
      account,
      layerName,
      version: Number(version),
      unversionedArn: `arn:${partition}:lambda:${region}:${account}:layer:${layerName}`,
      arn,
    });
  }
  if (which === 'alicloud') {
    if (FC2_LEGACY_ARN.test(arn)) {
      throw new LayersmithValidationError('LEGACY_FC_LAYER_ARN', `Layer reference '${arn}' is the legacy FC2 form '<32 hex>#<name>#<version>': FC3 `
        + `functions need ${FC_SHAPE}; copy the ARN from the FC3 console or API.`);
    }
    const m = FC_LAYER_VERSION_ARN.exec(arn);
    if (!m) {
      throw new LayersmithValidationError('BAD_LAYER_ARN', `Invalid Function Compute layer version ARN '${arn}': expected ${FC_SHAPE}, e.g. `
        + 'acs:fc:cn-hangzhou:1234567890123456:layers/my-layer/versions/3.');
    }
    const [, region, account, layerName, version] = m;
    return Object.freeze({
      platform: 'alicloud',
      region,
      account,
      layerName,
      version: Number(version),
      unversionedArn: `acs:fc:${region}:${account}:layers/${layerName}`,
      arn,
    });
  }
  throw new LayersmithValidationError('UNKNOWN_PLATFORM', `Unknown platform '${String(platform)}' for layer ARN '${arn}': use 'aws' or 'alicloud'.`);
}

/** Formats a layer version ARN from its parts (the inverse of parseLayerVersionArn). */
export function formatLayerVersionArn(ref: Omit<LayerVersionRef, 'arn' | 'unversionedArn'>): string {
  const arn = ref.platform === 'aws'
    ? `arn:${ref.partition ?? 'aws'}:lambda:${ref.region}:${ref.account}:layer:${ref.layerName}:${ref.version}`
    : `acs:fc:${ref.region}:${ref.account}:layers/${ref.layerName}/versions/${ref.version}`;
  // Round-trip through the parser so a bad part fails here with the full ARN in the message.
  return parseLayerVersionArn(arn, ref.platform).arn;
}
