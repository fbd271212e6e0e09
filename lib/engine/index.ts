// The build engine: sources, builders, the reproducible ZIP writer, the inspector and the cache.
export * from './api';
export { copyFileAtomic, makeStagingDir, STALE_TEMP_MS, sweepStagingDirs, sweepStaleTemps, tempPath, writeFileAtomic } from './atomic';
export * from './source';
export { BUILDER_FORMAT, BUILDER_ID, LAYERSMITH_VERSION, artifactPaths, computeInputKey, defaultCacheDir, readArtifact } from './cache';
export { buildLayer } from './engine';
export { placeArtifact, type PlacementMethod } from './place';
export { buildLayerSync } from './sync';
export { findTool, hasTool, requireTool, MissingToolError } from './tools';
export { BuildCommandError, OUTPUT_TAIL_LINES } from './builders';
export { anchorDirectory } from './sources';
export { pythonInstallRequest } from './sources/python';
export { pipInstallArgv, type PipInstallRequest } from './python/install';
export { pipTargetArgs, wheelTarget, type WheelTarget } from './python/tags';
export { findProjectFile, readLockfile, PROJECT_FILES, type LockedPackage, type LockSelection, type ProjectFile } from './python/lockfiles';
export { evaluateMarker, targetEnvironment, type MarkerEnvironment } from './python/markers';
export { npmCiArgs } from './sources/node';
export { mavenCopyArgs } from './sources/java';
export { COMPOSER_INSTALL_ARGS } from './sources/php';
export { OUTPUT_PLACEHOLDER } from './sources/command';
export * from './zip';
export * from './inspect';
export {
  DEFAULT_PROFILE, DEFAULT_RULE_IDS, STRIP_DENY_LIST, slimLayer, slimSpec, type SlimContext, type SlimOptions, type SlimRule, type SlimSpec,
} from './slim';
