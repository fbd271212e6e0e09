// The build engine: sources, builders, the reproducible ZIP writer, the inspector and the cache.
export * from './api';
export * from './source';
export { BUILDER_FORMAT, BUILDER_ID, LAYERSMITH_VERSION, artifactPaths, computeInputKey, defaultCacheDir, readArtifact } from './cache';
export { buildLayer } from './engine';
export { buildLayerSync } from './sync';
export { findTool, hasTool, requireTool, MissingToolError } from './tools';
export { BuildCommandError, OUTPUT_TAIL_LINES, pipInstallArgs, pipPlatformTags, npmCiArgs, mavenCopyArgs, COMPOSER_INSTALL_ARGS, OUTPUT_PLACEHOLDER } from './builders';
export * from './zip';
export * from './inspect';
