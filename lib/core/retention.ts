/**
 * Whether a layer keeps its old versions when a new one replaces it or the layer is removed: the
 * explicit choice when there is one, else yes exactly when the layer is shared, because a consumer
 * may have pinned a version. The CDKs spell the choice `removalPolicy` (RETAIN), Pulumi
 * `retainOldVersions`; both mean this.
 */
export function retainsOldVersions(explicit: boolean | undefined, shared: boolean): boolean {
  return explicit ?? shared;
}
