/**
 * The errors layersmith throws for bad input, failed builds and refused ZIPs. Each carries a
 * stable `code` that callers can branch on (`err instanceof LayersmithError && err.code === ...`).
 * The message names where (construct path or file), the rule, the numbers and the fix.
 */

/** What part of layersmith refused: props, a build, packing a directory, or reading a ZIP. */
export type LayersmithErrorKind = 'validation' | 'build' | 'pack' | 'inspect';

/** Optional details every layersmith error may carry. */
export interface LayersmithErrorDetails {
  /** The construct path the error belongs to, when a front-end raised or rethrew it. */
  readonly constructPath?: string;
  /** The file or directory at fault (absolute), when there is one. */
  readonly path?: string;
}

/** Base class of every error layersmith throws on purpose. */
export class LayersmithError extends Error {
  /** Which family of error this is; set by each subclass. */
  public readonly kind: LayersmithErrorKind = 'validation';
  /** The construct path, when known. */
  public readonly constructPath?: string;
  /** The file at fault, when known. */
  public readonly path?: string;

  constructor(
    /** Stable, upper-case identifier of the rule broken (e.g. 'INVALID_PROPS', 'SYMLINK_ESCAPE'). */
    public readonly code: string,
    message: string,
    details: LayersmithErrorDetails = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.constructPath = details.constructPath;
    this.path = details.path;
  }
}

/** A prop or declaration is invalid (thrown at construct time or by validation). */
export class LayersmithValidationError extends LayersmithError {
  public override readonly kind: LayersmithErrorKind = 'validation';
}

/** A layer build failed: a package manager, a missing tool, a command that wrote nothing. */
export class LayersmithBuildError extends LayersmithError {
  public override readonly kind: LayersmithErrorKind = 'build';
}

/** A directory could not be packed into a layer ZIP as it is. */
export class LayersmithPackError extends LayersmithError {
  public override readonly kind: LayersmithErrorKind = 'pack';
}

/** A ZIP was refused on reading (bad paths, zip bombs, CRCs, encryption). */
export class LayersmithInspectError extends LayersmithError {
  public override readonly kind: LayersmithErrorKind = 'inspect';
}

/**
 * Bad input to the `layersmith` command or a local run (a flag, a file, an assembly) that the
 * user can fix. The CLI prints its message as one line and exits with code 2, without a stack.
 */
export class UsageError extends LayersmithValidationError {
  constructor(message: string, code = 'BAD_INPUT', details: LayersmithErrorDetails = {}) {
    super(code, message, details);
  }
}

/** The JSON form of an error, as it crosses a process boundary (the sync build child). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly kind?: LayersmithErrorKind;
  readonly constructPath?: string;
  readonly path?: string;
  readonly stack?: string;
}

/** Turn any thrown value into plain JSON, keeping a layersmith error's code, kind and paths. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof LayersmithError) {
    const { name, message, code, kind, constructPath, path, stack } = err;
    return { name, message, code, kind, constructPath, path, stack };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

const CLASS_BY_KIND: Record<LayersmithErrorKind, new (code: string, message: string, details?: LayersmithErrorDetails) => LayersmithError> = {
  validation: LayersmithValidationError,
  build: LayersmithBuildError,
  pack: LayersmithPackError,
  inspect: LayersmithInspectError,
};

/**
 * Rebuild an error from its JSON form: a layersmith error becomes an instance of the class of its
 * kind, with the same code, message and paths, so `instanceof` and `code` work in the caller.
 */
export function deserializeError(data: SerializedError): Error {
  if (data.code && data.kind && CLASS_BY_KIND[data.kind]) {
    const err = new CLASS_BY_KIND[data.kind](data.code, data.message, { constructPath: data.constructPath, path: data.path });
    err.name = data.name;
    return err;
  }
  const err = new Error(data.message);
  err.name = data.name;
  return err;
}
