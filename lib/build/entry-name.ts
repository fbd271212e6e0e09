/**
 * The one rule for a path inside a layer ZIP, shared by the writer (packDirectory) and the
 * reader (inspectZip, extractZip) so neither can produce or accept what the other refuses.
 *
 * A valid name is relative, uses forward slashes, has no `..`, `.` or empty segment and no NUL
 * byte. A directory name may end with a single '/'.
 */

/** Which rule a name breaks, for callers that map it onto their own error codes. */
export type EntryNameProblem = 'EMPTY' | 'NUL_BYTE' | 'BACKSLASH' | 'ABSOLUTE_PATH' | 'DOT_DOT' | 'EMPTY_SEGMENT';

/** Classifies a name: the rule it breaks, or null when it is valid. */
export function entryNameProblem(name: string): EntryNameProblem | null {
  if (name.length === 0) return 'EMPTY';
  if (name.includes('\0')) return 'NUL_BYTE';
  if (name.includes('\\')) return 'BACKSLASH';
  // A drive letter is absolute on Windows extractors even without a leading slash.
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'ABSOLUTE_PATH';
  const body = name.endsWith('/') ? name.slice(0, -1) : name;
  const segments = body.split('/');
  if (segments.includes('..')) return 'DOT_DOT';
  if (segments.some((s) => s === '' || s === '.')) return 'EMPTY_SEGMENT';
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
