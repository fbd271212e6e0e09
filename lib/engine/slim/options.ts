import { LayersmithValidationError } from '../../core/errors';

/** How to slim a layer: the default profile, adjusted. */
export interface SlimOptions {
  /**
   * Globs of layer paths never removed or stripped, whatever a rule says (a pattern without '/'
   * matches a file or directory name at any depth; 'dir/**' is the directory and everything below).
   * @default - none
   */
  readonly keep?: string[];
  /**
   * Globs of layer paths removed on top of the default profile (same syntax as `keep`; `keep`
   * wins). The removal is verified like the profile's: a module that stops importing fails the build.
   * @default - none
   */
  readonly remove?: string[];
  /**
   * Strip debug information and symbol tables from ELF shared objects where it is safe (never
   * vendored libraries in *.libs/ or .dylibs/, never a file whose program headers would move,
   * never a package on the deny-list).
   * @default true
   */
  readonly strip?: boolean;
}

/** The normalised, JSON-serialisable slim settings that go into the source spec and the cache key. */
export interface SlimSpec {
  readonly keep: readonly string[];
  readonly remove: readonly string[];
  readonly strip: boolean;
}

const KNOWN = new Set(['keep', 'remove', 'strip']);

/**
 * `slim: true` -> the default profile; an object -> the profile with its adjustments; false or
 * undefined -> no slimming. Unknown properties and empty patterns fail loudly.
 */
export function slimSpec(value: boolean | SlimOptions | undefined, where: string): SlimSpec | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { keep: [], remove: [], strip: true };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LayersmithValidationError('INVALID_PROPS', `${where}: slim must be true, false or { keep, remove, strip }, got `
      + `${JSON.stringify(value)}.`);
  }
  const unknown = Object.keys(value).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new LayersmithValidationError('INVALID_PROPS', `${where}: slim has unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')}. Fix: use `
      + 'keep, remove or strip.');
  }
  const globs = (name: 'keep' | 'remove'): string[] => {
    const list = value[name] ?? [];
    if (!Array.isArray(list)) {
      throw new LayersmithValidationError('INVALID_PROPS', `${where}: slim.${name} must be an array of glob patterns, got ${JSON.stringify(list)}.`);
    }
    for (const g of list) {
      if (typeof g !== 'string' || g.trim() === '') {
        throw new LayersmithValidationError('INVALID_PROPS', `${where}: slim.${name} holds an empty or non-string pattern (${JSON.stringify(g)}). `
          + 'Fix: remove it.');
      }
    }
    return list.map((g) => g.trim());
  };
  if (value.strip !== undefined && typeof value.strip !== 'boolean') {
    throw new LayersmithValidationError('INVALID_PROPS', `${where}: slim.strip must be a boolean, got ${JSON.stringify(value.strip)}.`);
  }
  return { keep: globs('keep'), remove: globs('remove'), strip: value.strip ?? true };
}
