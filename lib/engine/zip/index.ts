export { packDirectory, PackOptions, PackResult, PackErrorCode, ZipPackError } from './pack';
export { DEFAULT_EXCLUDES, ExcludeMatcher } from './excludes';
export { FIXED_DOS_DATE, FIXED_DOS_TIME } from './zip-writer';
export { validateEntryName } from '../entry-name';
export { compareEntryNames } from '../entry-name';
