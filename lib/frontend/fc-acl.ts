import { checkFcAclConsistency } from '../core';
import type { LayersmithError } from '../core';
import { withConstructPath } from './errors';

/** One version of an FC layer and the ACL it asks for. */
export interface FcLayerVersionAcl {
  /** How messages name the version (construct path or `RuntimeLayer '<name>'`). */
  readonly version: string;
  readonly acl: 'private' | 'public';
}

/**
 * FC keeps one ACL per layer, not per version: the error when the versions of `layerName` declared
 * in one app or program disagree, raised at `path`; undefined when they agree.
 */
export function fcAclConflict(path: string, layerName: string, versions: readonly FcLayerVersionAcl[]): LayersmithError | undefined {
  try {
    checkFcAclConsistency(versions, `${path} (FC layer '${layerName}')`);
    return undefined;
  } catch (err) {
    return withConstructPath(err, path);
  }
}
