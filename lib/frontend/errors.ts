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

/**
 * The code of the error a front-end fails with when layersmith's rules find errors in a layer or
 * a function's stack; the same on every front-end, so callers branch on it once.
 */
export const RULE_FAILED = 'RULE_FAILED';

/** One construct's validation messages, as a CDK framework collects them. */
export interface ConstructValidation {
  readonly path: string;
  readonly messages: readonly string[];
}

/** How to walk a construct tree the way its CDK framework validates it. */
export interface ValidationTree<C> {
  children(construct: C): readonly C[];
  /** A nested stage validates in its own synth, so the walk skips it. */
  isStage(construct: C): boolean;
  path(construct: C): string;
}

/** `root` and the constructs under it, pre-order without nested stages: the order CDK and ROS CDK validate them in. */
export function stageConstructs<C>(root: C, tree: Pick<ValidationTree<C>, 'children' | 'isStage'>): C[] {
  const out: C[] = [];
  const visit = (construct: C): void => {
    out.push(construct);
    for (const child of tree.children(construct)) {
      if (!tree.isStage(child)) visit(child);
    }
  };
  visit(root);
  return out;
}

/**
 * The rule check of one stage. `rules(c)` gives a construct's layersmith rule errors (undefined
 * for constructs layersmith does not check); when any construct has some, the error listing every
 * construct's problems (`others(c)` for the rest of its validation messages, first), else
 * undefined.
 */
export function stageRuleFailure<C>(
  stage: C,
  tree: ValidationTree<C>,
  rules: (construct: C) => readonly string[] | undefined,
  others: (construct: C) => readonly string[],
): LayersmithValidationError | undefined {
  const constructs = stageConstructs(stage, tree);
  const failing = new Map<C, readonly string[]>();
  for (const construct of constructs) {
    const errors = rules(construct);
    if (errors && errors.length > 0) failing.set(construct, errors);
  }
  const [first] = failing.keys();
  if (first === undefined) return undefined;
  const validations = constructs
    .map((c) => ({ path: tree.path(c), messages: [...others(c), ...(failing.get(c) ?? [])] }))
    .filter((v) => v.messages.length > 0);
  return stackRulesError(validations, tree.path(first));
}

/**
 * What a CDK synth throws when layersmith's rules fail for one or more layers or functions: the framework's
 * own text (every construct's problems, one `[path] message` line each, in tree order, so nothing is
 * lost and the text stays what CDK printed), as a LayersmithValidationError at the first failing
 * construct.
 */
export function stackRulesError(validations: readonly ConstructValidation[], constructPath: string): LayersmithValidationError {
  const lines = validations.flatMap((v) => v.messages.map((m) => `[${v.path}] ${m}`));
  const message = `Validation failed with the following errors:\n  ${lines.join('\n  ')}`;
  return new LayersmithValidationError(RULE_FAILED, message, { constructPath });
}
