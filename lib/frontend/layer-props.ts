import { getPlatform, planGrants, validateLayerProps } from '../core';
import type { ArchitectureId, LayerGrant, PlatformId, PlatformLimitOverrides } from '../core';
import { atPath, invalidLayerProps, validationError } from './errors';
import { LayerSource } from '../engine/source';

/** A RuntimeLayer declaration as every front-end sees it once its SDK types are mapped to plain values. */
export interface LayerDeclaration {
  /** What the layer is built from. */
  readonly source: unknown;
  /** Runtime ids as the platform spells them. */
  readonly compatibleRuntimes: readonly string[] | undefined;
  /** Architectures; undefined means the default (x86_64). */
  readonly compatibleArchitectures?: readonly ArchitectureId[];
  /** Name, description and license when known at declaration (tokens are left to the platform). */
  readonly layerName?: string;
  readonly description?: string;
  readonly license?: string;
  /** Limit overrides. */
  readonly limits?: Partial<PlatformLimitOverrides>;
  /** Grants given with the layer. */
  readonly grants?: readonly LayerGrant[];
}

/**
 * Every check of a RuntimeLayer's props, before anything is built, with the same text in every
 * front-end: a missing source, runtime or architecture first (one line each), then every
 * problem lib/core finds under one heading, then the limits and the grants the platform refuses.
 */
export function checkLayerDeclaration(path: string, platform: PlatformId, props: LayerDeclaration): void {
  if (!(props.source instanceof LayerSource)) {
    throw validationError(path, "'source' must be a LayerSource (e.g. LayerSource.fromDirectory('layers/tools')).", 'MISSING_SOURCE');
  }
  if (!Array.isArray(props.compatibleRuntimes) || props.compatibleRuntimes.length === 0) {
    throw validationError(path, 'RuntimeLayer needs at least one compatible runtime. '
      + "Fix: set compatibleRuntimes, e.g. ['python3.12'] (lambda.Runtime.PYTHON_3_12 in AWS CDK).", 'MISSING_RUNTIME');
  }
  if (props.compatibleArchitectures !== undefined && props.compatibleArchitectures.length === 0) {
    throw validationError(path, 'compatibleArchitectures is empty. '
      + "Fix: leave it out for x86_64, or list the architectures, e.g. ['arm64'] (lambda.Architecture.ARM_64 in AWS CDK).");
  }
  const problems = validateLayerProps(platform, {
    layerName: props.layerName,
    description: props.description,
    license: props.license,
    compatibleRuntimes: props.compatibleRuntimes,
    compatibleArchitectures: props.compatibleArchitectures,
  });
  if (problems.length > 0) throw invalidLayerProps(path, problems);
  atPath(path, () => getPlatform(platform, props.limits));
  // Refusals (e.g. an account grant on FC) surface here, before anything is built.
  atPath(path, () => planGrants(platform, props.grants ?? [], path));
}
