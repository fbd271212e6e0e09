import type { ArchitectureId, PlatformId } from './model';
import { getPlatform } from './platforms';
import { resolveRuntime } from './runtimes';

/**
 * Validation of single layer properties against a platform's limits. Each function returns a
 * message (what is wrong, the numbers, the fix) or null; front-ends prefix the construct path.
 */

// LayerName may also be a layer ARN on AWS (PublishLayerVersion accepts both).
const AWS_LAYER_ARN_NAME = /^arn:aws(?:-[a-z]+)*:lambda:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:layer:[a-zA-Z0-9_-]{1,140}$/;

/** Checks a layer name. */
export function validateLayerName(platform: PlatformId, name: string): string | null {
  const p = getPlatform(platform);
  const rule = p.limits.layerName;
  if (typeof name !== 'string') return `layerName must be a string, got ${typeof name}.`;
  if (platform === 'aws' && name.startsWith('arn:') && AWS_LAYER_ARN_NAME.test(name)) return null;
  if (name.length < rule.min || name.length > rule.max) {
    return `layerName '${name}' is ${name.length} characters; ${p.displayName} allows ${rule.min}-${rule.max}. Fix: shorten it `
      + `(${rule.description}).`;
  }
  if (!rule.pattern.test(name)) {
    return `layerName '${name}' breaks the ${p.displayName} rule: ${rule.description} (${rule.pattern.source}). Fix: replace the other characters, `
      + `e.g. '${suggestName(name, platform)}'.`;
  }
  return null;
}

function suggestName(name: string, platform: PlatformId): string {
  let s = name.replace(/[^a-zA-Z0-9_-]+/g, '-');
  if (platform === 'alicloud' && !/^[a-zA-Z]/.test(s)) s = `layer-${s}`;
  return s.slice(0, getPlatform(platform).limits.layerName.max);
}

/** Checks a description. */
export function validateDescription(platform: PlatformId, description: string): string | null {
  const p = getPlatform(platform);
  const max = p.limits.maxDescriptionLength;
  if (description.length > max) {
    return `description is ${description.length} characters; ${p.displayName} allows at most ${max}. Fix: shorten it.`;
  }
  return null;
}

/** Checks license text. */
export function validateLicense(platform: PlatformId, license: string): string | null {
  const p = getPlatform(platform);
  const max = p.limits.maxLicenseLength;
  if (max !== undefined && license.length > max) {
    return `license is ${license.length} characters; ${p.displayName} allows at most ${max}. Fix: use an SPDX id or a URL to the license text.`;
  }
  return null;
}

/** Checks a compatible runtimes list: count, duplicates, and (AWS) membership of the Runtime enum. */
export function validateCompatibleRuntimes(platform: PlatformId, runtimes: readonly string[]): string | null {
  const p = getPlatform(platform);
  const max = p.limits.maxCompatibleRuntimes;
  if (runtimes.length > max) {
    return `compatibleRuntimes lists ${runtimes.length} runtimes; ${p.displayName} allows at most ${max}. Fix: split the layer or drop runtimes `
      + 'nobody uses.';
  }
  const seen = new Set<string>();
  for (const id of runtimes) {
    if (seen.has(id)) return `compatibleRuntimes lists '${id}' twice. Fix: list each runtime once.`;
    seen.add(id);
    try {
      resolveRuntime(platform, id);
    } catch (e) {
      return `compatibleRuntimes: ${(e as Error).message}`;
    }
  }
  return null;
}

/** Checks a compatible architectures list. */
export function validateArchitectures(platform: PlatformId, architectures: readonly ArchitectureId[]): string | null {
  const p = getPlatform(platform);
  const seen = new Set<string>();
  for (const a of architectures) {
    if (seen.has(a)) return `compatibleArchitectures lists '${a}' twice. Fix: list each architecture once.`;
    seen.add(a);
    if (!p.supportedArchitectures.includes(a)) {
      return platform === 'alicloud'
        ? `compatibleArchitectures includes '${a}', but ${p.displayName} runs x86_64 only. Fix: build the layer for x86_64.`
        : `compatibleArchitectures includes '${a}'; ${p.displayName} supports ${p.supportedArchitectures.join(', ')}. Fix: use one of those.`;
    }
  }
  if (platform === 'aws' && architectures.length > p.limits.maxArchitectures) {
    return `compatibleArchitectures lists ${architectures.length}; ${p.displayName} allows at most ${p.limits.maxArchitectures}.`;
  }
  return null;
}

/** The layer properties validateLayerProps checks. */
export interface LayerPropsToValidate {
  /** Layer name. @default none (the front-end generates one) */
  readonly layerName?: string;
  /** Description. @default none */
  readonly description?: string;
  /** License text. @default none */
  readonly license?: string;
  /** Runtime identifiers the layer declares. */
  readonly compatibleRuntimes: readonly string[];
  /** Architectures the layer declares. @default none */
  readonly compatibleArchitectures?: readonly ArchitectureId[];
}

/** Every problem with a layer's properties, as messages (empty when valid). */
export function validateLayerProps(platform: PlatformId, props: LayerPropsToValidate): string[] {
  const out: (string | null)[] = [
    props.layerName !== undefined ? validateLayerName(platform, props.layerName) : null,
    props.description !== undefined ? validateDescription(platform, props.description) : null,
    props.license !== undefined ? validateLicense(platform, props.license) : null,
    validateCompatibleRuntimes(platform, props.compatibleRuntimes),
    props.compatibleArchitectures !== undefined ? validateArchitectures(platform, props.compatibleArchitectures) : null,
  ];
  return out.filter((m): m is string => m !== null);
}
