/** Why a ZIP was refused. */
export type ZipErrorCode =
  | 'NOT_A_ZIP'
  | 'TRUNCATED'
  | 'ABSOLUTE_PATH'
  | 'DOT_DOT'
  | 'BACKSLASH'
  | 'NUL_BYTE'
  | 'NAME_NOT_UTF8'
  | 'EMPTY_SEGMENT'
  | 'DUPLICATE_ENTRY'
  | 'SYMLINK_ESCAPE'
  | 'ZIP_BOMB_RATIO'
  | 'ZIP_BOMB_TOTAL'
  | 'ENCRYPTED'
  | 'UNSUPPORTED_METHOD'
  | 'BAD_CRC'
  | 'DESTINATION_NOT_EMPTY';

import { LayersmithInspectError } from '../../core/errors';

/** A ZIP that cannot be used as a layer as it is. The message names the file, the entry and the fix. */
export class ZipInspectionError extends LayersmithInspectError {
  constructor(
    /** Which rule the ZIP broke. */
    public override readonly code: ZipErrorCode,
    /** The ZIP file. */
    public readonly file: string,
    message: string,
    /** The entry at fault, when there is one. */
    public readonly entry?: string,
  ) {
    super(code, message, { path: file });
  }
}
