import { formatFindings } from '../core';
import type { Finding } from '../core';

/** Where a front-end puts the findings it does not throw: its framework's annotations or diagnostics. */
export interface FindingNotes {
  /** A warning, already formatted; `ruleId` for frameworks that key warnings. */
  warning(text: string, ruleId: string): void;
  /** An info, already formatted. */
  info(text: string): void;
}

/** The error findings, as the one text that fails synth or the program; undefined when there are none. */
export function errorText(path: string, findings: readonly Finding[]): string | undefined {
  const errors = findings.filter((f) => f.severity === 'error');
  return errors.length > 0 ? formatFindings(path, errors) : undefined;
}

/** Warnings and infos as one note each, in lib/core's format; errors are left to {@link errorText}. */
export function noteFindings(path: string, findings: readonly Finding[], notes: FindingNotes): void {
  for (const finding of findings) {
    if (finding.severity === 'warning') notes.warning(formatFindings(path, [finding]), finding.ruleId);
    else if (finding.severity === 'info') notes.info(formatFindings(path, [finding]));
  }
}

/** The findings that do not fail: what records and reports keep. */
export function nonErrors(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== 'error');
}
