/**
 * The one error the MAT reader throws for a file it cannot read. `code` says what kind of
 * problem it is, `offset` where (bytes from the start of the file, or of the inflated element
 * the message names), so a caller can report it and classify it as bad input (non-retryable).
 */
export type MatErrorCode =
  | 'NotMatFile'
  | 'BadHeader'
  | 'Truncated'
  | 'LengthPastEnd'
  | 'BadElement'
  | 'BadDimensions'
  | 'Unsupported'
  | 'InflateFailed'
  | 'InflateCap'
  | 'TooDeep'
  | 'TooManyElements'
  | 'Hdf5Error';

export class MatFormatError extends Error {
  override readonly name = 'MatFormatError';
  constructor(
    readonly code: MatErrorCode,
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? `${code}: ${message}` : `${code} at byte ${offset}: ${message}`);
  }
}

export function isMatFormatError(e: unknown): e is MatFormatError {
  return e instanceof MatFormatError;
}
