/** Stable codes for misuse of the signing API; callers map them, never parse the message. */
export type SigningErrorCode =
  | 'INVALID_VENDOR'
  | 'INVALID_SECRET'
  | 'SECRET_NOT_STANDARD'
  | 'INVALID_MESSAGE_ID'
  | 'INVALID_TIMESTAMP';

/**
 * Thrown for configuration or programming errors (a bad vendor name, secret, message id or
 * timestamp). A signature that does not verify is never an exception: verifiers return a result.
 */
export class SigningError extends Error {
  override readonly name = 'SigningError';

  constructor(
    readonly code: SigningErrorCode,
    message: string,
  ) {
    super(message);
  }
}
