/** Stable codes for what can go wrong with master keys and sealed values; callers map codes. */
export type CryptoErrorCode =
  /** `HOOKLINE_MASTER_KEY` (or a key file) is missing, malformed or has a key of the wrong size. */
  | 'INVALID_MASTER_KEY'
  /** The development key file cannot be read, created, or is readable by others. */
  | 'DEV_KEY_FILE'
  /** A sealed value is not `{ alg: 'A256GCM', keyId, ciphertext: base64url(...) }`. */
  | 'MALFORMED_SEALED_VALUE'
  /** A sealed value names a key id this key ring does not hold (removed too early?). */
  | 'UNKNOWN_KEY'
  /** Authentication failed: wrong key, wrong AAD, or the value was changed. */
  | 'DECRYPTION_FAILED';

/**
 * Thrown by the key ring and the master-key parsers. Messages name the setting, the key id or the
 * problem; they never contain a plaintext, a key or a ciphertext.
 */
export class CryptoError extends Error {
  override readonly name = 'CryptoError';

  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}
