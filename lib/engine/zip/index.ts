export { packDirectory, PackOptions, PackResult, PackErrorCode, PackReuse, ZipPackError } from './pack';
export { ReuseRecorder, ReuseSource, reuseRecordPath, type ReusedEntry } from './reuse';
export { DEFAULT_EXCLUDES, ExcludeMatcher } from './excludes';
export { FIXED_DOS_DATE, FIXED_DOS_TIME } from './zip-writer';
export { validateEntryName } from '../entry-name';
export { compareEntryNames } from '../entry-name';
