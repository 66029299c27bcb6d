/** The only algorithm a sealed value uses today: AES-256-GCM, 96-bit nonce, 128-bit tag. */
export const SEALED_VALUE_ALG = 'A256GCM';

/**
 * A secret encrypted by a {@link KeyRing}: AES-256-GCM under the master key `keyId`, with
 * `ciphertext` = base64url without padding of (12-byte nonce ‖ encrypted UTF-8 ‖ 16-byte tag).
 *
 * Structurally identical to `SealedSecret` of `@hookline/contracts` (a util lib may not import
 * contracts): each is assignable to the other, and a spec pins the byte layout.
 */
export interface SealedValue {
  alg: typeof SEALED_VALUE_ALG;
  keyId: string;
  ciphertext: string;
}
