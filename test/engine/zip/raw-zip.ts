// The raw ZIP builder lives in test/helpers (one for every suite); engine tests import it from here.
export { rawZip, writeRawZip } from '../../helpers/raw-zip';
export type { RawEntry } from '../../helpers/raw-zip';
