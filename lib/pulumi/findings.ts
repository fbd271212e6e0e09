import * as pulumi from '@pulumi/pulumi';
import { LayersmithError, LayersmithValidationError } from '../core';
import type { Finding } from '../core';
import { RULE_FAILED, errorText, noteFindings, withConstructPath } from '../frontend';

/** Warnings and infos become Pulumi diagnostics on the resource, one per finding, in the one text every front-end uses. */
export function logFindings(subject: string, findings: readonly Finding[], resource: pulumi.Resource): void {
  noteFindings(subject, findings, {
    warning: (text) => void pulumi.log.warn(text, resource),
    info: (text) => void pulumi.log.info(text, resource),
  });
}

/**
 * A layersmith error as Pulumi reports a resource's error: on the resource, without a stack (the
 * text says it all). It stays a LayersmithError with its code; Pulumi recognises resource errors
 * by a marker field, not by class, which is how both can hold.
 */
export function onResource<E extends LayersmithError>(err: E, resource: pulumi.Resource): E {
  return Object.assign(err, { __pulumResourceError: true, resource, hideStack: true });
}

/** The error that fails the program with every error finding; undefined when there is none. */
export function findingsError(subject: string, findings: readonly Finding[], resource: pulumi.Resource): LayersmithError | undefined {
  const text = errorText(subject, findings);
  return text ? onResource(new LayersmithValidationError(RULE_FAILED, text, { constructPath: subject }), resource) : undefined;
}

/**
 * Any error of a component's async work, as a layersmith error on the component. An error that
 * already says where it happened (a layer's, passed on to its functions) is kept as it is, so
 * Pulumi reports it once.
 */
export function componentError(err: unknown, subject: string, resource: pulumi.Resource, what?: string): LayersmithError {
  if (err instanceof LayersmithError && err.constructPath !== undefined) return err;
  return onResource(withConstructPath(err, subject, what, 'build'), resource);
}

/**
 * Makes a failed declaration fail the program. Pulumi's language host fails the program on an
 * unhandled rejection and reports each error object once, so exactly this one chain is left
 * unhandled; outputs registered with the engine are given a chain that never rejects, or the
 * engine would report the same error again wrapped in "error serializing property".
 */
export function failProgramOnError(work: Promise<unknown>): void {
  void work.then(() => undefined);
}
