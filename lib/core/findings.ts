import type { Finding, Severity } from './model';

/** Severity order for sorting: errors first. */
export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/** Sorts findings errors first, keeping the original order within a severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => [f, i] as const)
    .sort((a, b) => SEVERITY_ORDER[a[0].severity] - SEVERITY_ORDER[b[0].severity] || a[1] - b[1])
    .map(([f]) => f);
}

/**
 * The one text every front-end throws or annotates: one line per finding (errors first) with the
 * subject (construct path), the severity, the rule id, the message with its numbers, and the fix.
 * Empty string for no findings.
 */
export function formatFindings(subject: string, findings: readonly Finding[]): string {
  return sortFindings(findings).map((f) => formatFinding(subject, f)).join('\n');
}

/**
 * One finding as one line: `[error] <subject> LS-RULE: message Fix: fix`. A finding about another
 * layer than the subject names it (`<subject> (layer <layer>)`); a layer's own finding does not
 * repeat its name.
 */
export function formatFinding(subject: string, f: Finding): string {
  const where = f.layer && f.layer !== subject ? `${subject} (layer ${f.layer})` : subject;
  const fix = f.fix ? ` Fix: ${f.fix}` : '';
  return `[${f.severity}] ${where} ${f.ruleId}: ${f.message}${fix}`;
}

/** Lists up to `max` items, then '(+N more)'. */
export function sample(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}
