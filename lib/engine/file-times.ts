/**
 * When a file's timestamps can be trusted to move on its next change ("racy git"): a change in
 * the same clock tick as the stamp we keep could leave ctime as it was. How long a tick is
 * depends on the file system: one that keeps whole seconds (or two, FAT) needs seconds; one that
 * keeps sub-second times updates them at least once per kernel tick (at most 10 ms on Linux,
 * about 16 ms on Windows), so a tenth of a second is ample there.
 */

/** Settle time on a file system whose times are whole seconds. */
export const COARSE_SETTLE_MS = 2000;

/** Settle time on a file system whose times have a sub-second part. */
export const FINE_SETTLE_MS = 100;

/** How long after its last change (`ctimeMs`) a stamp of this file is trusted. */
export function settleMs(st: { readonly ctimeMs: number }): number {
  // A fine clock lands on a whole second about once in a million changes: then we wait longer.
  return st.ctimeMs % 1000 !== 0 ? FINE_SETTLE_MS : COARSE_SETTLE_MS;
}

/** True when the file's last change (data or metadata) is old enough for its stamp to be trusted. */
export function isSettled(st: { readonly mtimeMs: number; readonly ctimeMs: number }, now: number): boolean {
  return now - Math.max(st.mtimeMs, st.ctimeMs) >= settleMs(st);
}
