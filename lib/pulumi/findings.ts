import * as pulumi from '@pulumi/pulumi';
import { formatFindings } from '../core';
import type { Finding } from '../core';

/** Warnings and infos become Pulumi diagnostics on the resource, in the one text every front-end uses. */
export function logFindings(subject: string, findings: readonly Finding[], resource: pulumi.Resource): void {
  const warnings = findings.filter((f) => f.severity === 'warning');
  const infos = findings.filter((f) => f.severity === 'info');
  if (warnings.length > 0) void pulumi.log.warn(formatFindings(subject, warnings), resource);
  if (infos.length > 0) void pulumi.log.info(formatFindings(subject, infos), resource);
}

/** The error that fails the program with every error finding, stack hidden (the text says it all). */
export function findingsError(subject: string, errors: readonly Finding[], resource: pulumi.Resource): pulumi.ResourceError {
  return new pulumi.ResourceError(formatFindings(subject, errors), resource, true);
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
