/**
 * Exit codes of the `layersmith` command, stable so CI can branch on them.
 */
export const EXIT_OK = 0;
/** The command ran and found at least one error-severity finding (or --fail-on matched). */
export const EXIT_FINDINGS = 1;
/** The input was bad: unknown flag, missing file, not a ZIP, not a cloud assembly. */
export const EXIT_BAD_INPUT = 2;

// Bad input the user can fix: `main` prints its message as one line and exits with EXIT_BAD_INPUT,
// never with a stack trace. It lives in lib/core, since lib/local throws it too.
export { UsageError } from '../core/errors';

/** Collapse a message to one line so a CI log shows it whole and greppable. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
