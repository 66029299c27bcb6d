/** Stable codes of the access lib's errors; the HTTP layer maps them (400 and 404). */
export type AccessErrorCode = 'INVALID_API_KEY_REQUEST' | 'API_KEY_NOT_FOUND';

/** Thrown for a request the key store refuses. Messages never contain a key or its hash. */
export class AccessError extends Error {
  override readonly name = 'AccessError';

  constructor(
    readonly code: AccessErrorCode,
    message: string,
  ) {
    super(message);
  }
}
