/**
 * Precedes the JSON result the build child writes to its stdout; anything else a library might
 * print to stdout before it is ignored.
 */
export const RESULT_MARKER = '\n@@layersmith-build-result@@\n';
