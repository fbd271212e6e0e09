import { LayersmithBuildError, LayersmithError, LayersmithValidationError } from '../core';

/**
 * The error a front-end throws for a bad declaration: `<path>: <message>`, a
 * LayersmithValidationError carrying the construct path.
 */
export function validationError(path: string, message: string, code = 'INVALID_PROPS'): LayersmithValidationError {
  return new LayersmithValidationError(code, `${path}: ${message}`, { constructPath: path });
}

/** Every problem with a RuntimeLayer's props under one heading, one problem a line. */
export function invalidLayerProps(path: string, problems: readonly string[]): LayersmithValidationError {
  return validationError(path, `invalid RuntimeLayer props:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/**
 * The same error with the construct path in front of its message (once) and in `constructPath`:
 * a layersmith error keeps its class, code and file; anything else becomes `fallback`'s class.
 * `what` says which step failed (e.g. 'building the node layer failed').
 */
export function withConstructPath(err: unknown, path: string, what?: string, fallback: 'validation' | 'build' = 'validation'): LayersmithError {
  const original = err instanceof Error ? err.message : String(err);
  const bare = original.startsWith(`${path}: `) ? original.slice(path.length + 2) : original;
  const message = `${path}: ${what ? `${what}: ` : ''}${bare}`;
  if (err instanceof LayersmithError) {
    // A copy of the same class with every field (subclasses add their own, e.g. a command's
    // output), so `instanceof`, `code` and `kind` keep working; only the message and path change.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(err)) as LayersmithError, err);
    Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true });
    Object.defineProperty(copy, 'constructPath', { value: path, writable: false, enumerable: true, configurable: true });
    const frames = err.stack?.split('\n').slice(1).join('\n');
    Object.defineProperty(copy, 'stack', { value: `${err.name}: ${message}${frames ? `\n${frames}` : ''}`, writable: true, configurable: true });
    return copy;
  }
  return fallback === 'build'
    ? new LayersmithBuildError('BUILD_FAILED', message, { constructPath: path })
    : new LayersmithValidationError('INVALID_PROPS', message, { constructPath: path });
}

/** Runs a core check, rethrowing what it throws as a validation error at `path`. */
export function atPath<T>(path: string, check: () => T, what?: string): T {
  try {
    return check();
  } catch (err) {
    throw withConstructPath(err, path, what);
  }
}
