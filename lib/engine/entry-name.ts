/**
 * The one rule for a path inside a layer ZIP, shared by the writer (packDirectory) and the
 * reader (inspectZip, extractZip) so neither can produce or accept what the other refuses.
 *
 * A valid name is relative, uses forward slashes, has no `..`, `.` or empty segment and no NUL
 * byte. A directory name may end with a single '/'.
 */

/** Which rule a name breaks, for callers that map it onto their own error codes. */
export type EntryNameProblem = 'EMPTY' | 'NUL_BYTE' | 'BACKSLASH' | 'ABSOLUTE_PATH' | 'DOT_DOT' | 'EMPTY_SEGMENT';

/**
 * Matches every name one of the checks below could refuse (and some they accept); a name it does
 * not match is valid after a single scan, which is the case for nearly every entry.
 */
const MAYBE_BAD = /^$|[\0\\]|^\/|^[A-Za-z]:|(^|\/)\.\.?(\/|$)|\/\//;

/** Classifies a name: the rule it breaks, or null when it is valid. */
export function entryNameProblem(name: string): EntryNameProblem | null {
  if (!MAYBE_BAD.test(name)) return null;
  if (name.length === 0) return 'EMPTY';
  if (name.includes('\0')) return 'NUL_BYTE';
  if (name.includes('\\')) return 'BACKSLASH';
  // A drive letter is absolute on Windows extractors even without a leading slash.
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'ABSOLUTE_PATH';
  // Segment checks with native substring searches, no allocation beyond the trailing-slash
  // slice (this runs for every entry of every ZIP read or written).
  const body = name.endsWith('/') ? name.slice(0, -1) : name;
  if (body === '..' || body.startsWith('../') || body.endsWith('/..') || body.includes('/../')) return 'DOT_DOT';
  if (body === '' || body === '.' || body.startsWith('./') || body.endsWith('/.') || body.includes('/./') || body.includes('//')) {
    return 'EMPTY_SEGMENT';
  }
  return null;
}

/**
 * Checks one entry name.
 *
 * @returns a message saying what is wrong, or null when the name is valid.
 */
export function validateEntryName(name: string): string | null {
  const problem = entryNameProblem(name);
  const shown = JSON.stringify(name);
  switch (problem) {
    case null: return null;
    case 'EMPTY': return 'empty entry name';
    case 'NUL_BYTE': return `entry name ${shown} contains a NUL byte`;
    case 'BACKSLASH': return `entry name ${shown} contains a backslash; ZIP paths use '/' only`;
    case 'ABSOLUTE_PATH': return `entry name ${shown} is an absolute path; layer paths are relative to the layer root (/opt)`;
    case 'DOT_DOT': return `entry name ${shown} has a '..' segment that would leave the layer root`;
    case 'EMPTY_SEGMENT': return `entry name ${shown} has an empty or '.' segment`;
  }
}

/**
 * Orders entry names by their UTF-8 bytes, the order layer ZIPs are written in. JavaScript
 * compares UTF-16 code units, which agrees with UTF-8 byte order except around surrogates, so
 * only names that differ at or past U+D800 take the slow path.
 */
export function compareEntryNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca < 0xD800 && cb < 0xD800) return ca - cb;
      return Buffer.compare(Buffer.from(a.slice(i)), Buffer.from(b.slice(i)));
    }
  }
  return a.length - b.length;
}

const BEYOND_BMP_LOW = /[\uD800-\uFFFF]/;

/**
 * Sorts items in place by a name, in UTF-8 byte order (see compareEntryNames), using the
 * engine's native string comparison when no name holds a character at or past U+D800.
 */
export function sortByEntryName<T>(items: T[], name: (item: T) => string): T[] {
  if (items.some((i) => BEYOND_BMP_LOW.test(name(i)))) {
    return items.sort((a, b) => compareEntryNames(name(a), name(b)));
  }
  return items.sort((a, b) => {
    const x = name(a);
    const y = name(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
