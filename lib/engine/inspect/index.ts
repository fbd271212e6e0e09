export { inspectZip, InspectOptions, DEFAULT_MAX_RATIO, DEFAULT_MAX_UNZIPPED_BYTES } from './inspect';
export { extractZip } from './extract';
export { ZipErrorCode, ZipInspectionError } from './errors';
export { detectNative } from './natives';
