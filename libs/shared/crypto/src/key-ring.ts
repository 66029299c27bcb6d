import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CryptoError } from './crypto.error';
import { SEALED_VALUE_ALG, type SealedValue } from './sealed-value';

/** One master key: a short non-secret id, stored with every value it seals, and 32 key bytes. */
export interface MasterKey {
  readonly id: string;
  readonly key: Uint8Array;
}

/** Letters, digits, `.`, `_`, `-`; 1–64 characters, starting with a letter or digit. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MASTER_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Seals and opens secrets with AES-256-GCM under a set of master keys. The first key is active:
 * every new value is sealed with it. All keys open the values sealed with them, so a master key
 * is rotated by putting a new key first, re-sealing (see {@link KeyRing.needsResealing}), and
 * removing the old key only once nothing sealed with it remains.
 *
 * The key bytes are held privately: they never appear in `util.inspect`, `JSON.stringify` or an
 * error message.
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #activeKeyId: string;

  /** @param keys the active key first; ids unique; each key exactly 32 bytes. */
  constructor(keys: readonly MasterKey[]) {
    const first = keys[0];
    if (!first) throw new CryptoError('INVALID_MASTER_KEY', 'A key ring needs at least one key');
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
        throw new CryptoError(
          'INVALID_MASTER_KEY',
          'A master key id must be 1-64 letters, digits, ".", "_" or "-"',
        );
      }
      if (map.has(id)) {
        throw new CryptoError('INVALID_MASTER_KEY', `Master key id "${id}" appears twice`);
      }
      if (!(key instanceof Uint8Array) || key.length !== MASTER_KEY_BYTES) {
        throw new CryptoError(
          'INVALID_MASTER_KEY',
          `Master key "${id}" must be exactly ${MASTER_KEY_BYTES} bytes`,
        );
      }
      map.set(id, Buffer.from(key)); // a private copy: the caller may wipe or reuse theirs
    }
    this.#keys = map;
    this.#activeKeyId = first.id;
  }

  /** The id of the key new values are sealed with. */
  get activeKeyId(): string {
    return this.#activeKeyId;
  }

  /** Every key id this ring can open, the active one first. */
  get keyIds(): readonly string[] {
    return [...this.#keys.keys()];
  }

  /**
   * Encrypts `plaintext` (as UTF-8) under the active key with a fresh random 96-bit nonce.
   *
   * @param aad additional authenticated data, not stored: the value opens only with the same
   *   `aad`. Bind each secret to where it belongs (see {@link aadFor}) so a sealed value copied
   *   to another webhook or field does not open there.
   */
  seal(plaintext: string, aad?: string): SealedValue {
    assertWellFormed(plaintext, 'plaintext');
    if (aad !== undefined) assertWellFormed(aad, 'aad');
    const key = this.#keys.get(this.#activeKeyId) as Buffer;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
    if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
    const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      alg: SEALED_VALUE_ALG,
      keyId: this.#activeKeyId,
      ciphertext: Buffer.concat([nonce, encrypted, cipher.getAuthTag()]).toString('base64url'),
    };
  }

  /**
   * Decrypts a value sealed by a ring holding its key, with the same `aad`.
   *
   * @throws CryptoError `MALFORMED_SEALED_VALUE`, `UNKNOWN_KEY`, or `DECRYPTION_FAILED` (wrong
   *   key bytes under that id, wrong `aad`, or a changed value).
   */
  open(sealed: SealedValue, aad?: string): string {
    if (aad !== undefined) assertWellFormed(aad, 'aad');
    const bytes = decodeSealed(sealed);
    const key = this.#keys.get(sealed.keyId);
    if (!key) {
      throw new CryptoError(
        'UNKNOWN_KEY',
        `The value was sealed with master key "${sealed.keyId}", which this key ring does not ` +
          `hold (it holds: ${this.keyIds.join(', ')})`,
      );
    }
    const nonce = bytes.subarray(0, NONCE_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const encrypted = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
      if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(plain);
    } catch {
      // OpenSSL's own message says nothing useful and the cause is deliberately not told apart.
      throw new CryptoError(
        'DECRYPTION_FAILED',
        `A value sealed with master key "${sealed.keyId}" did not authenticate: wrong key, ` +
          'wrong associated data, or the value was changed',
      );
    }
  }

  /** True when `sealed` is under an older key: open and seal it again before retiring that key. */
  needsResealing(sealed: SealedValue): boolean {
    return sealed.keyId !== this.#activeKeyId;
  }

  /** Opens `sealed` and seals the plaintext again under the active key, with the same `aad`. */
  reseal(sealed: SealedValue, aad?: string): SealedValue {
    return this.seal(this.open(sealed, aad), aad);
  }

  toJSON(): { activeKeyId: string; keyIds: readonly string[] } {
    return { activeKeyId: this.#activeKeyId, keyIds: this.keyIds };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyRing { activeKeyId: '${this.#activeKeyId}', keyIds: [${this.keyIds
      .map((id) => `'${id}'`)
      .join(', ')}] }`;
  }
}

/**
 * Associated data that binds a sealed value to its place, e.g. `aadFor(webhookId,
 * 'signingSecret')` or `aadFor(webhookId, 'header', name.toLowerCase())`. The parts are encoded
 * as a JSON array, so no two different lists of parts give the same AAD.
 */
export function aadFor(...parts: string[]): string {
  return JSON.stringify(parts);
}

function decodeSealed(sealed: SealedValue): Buffer {
  const malformed = (problem: string) =>
    new CryptoError('MALFORMED_SEALED_VALUE', `Not a sealed value: ${problem}`);
  if (typeof sealed !== 'object' || sealed === null) throw malformed('not an object');
  if (sealed.alg !== SEALED_VALUE_ALG) throw malformed(`alg must be "${SEALED_VALUE_ALG}"`);
  if (typeof sealed.keyId !== 'string' || !KEY_ID_PATTERN.test(sealed.keyId)) {
    throw malformed('keyId must be a master key id');
  }
  const text = sealed.ciphertext;
  if (typeof text !== 'string' || !BASE64URL.test(text)) {
    throw malformed('ciphertext must be base64url text without padding');
  }
  const bytes = Buffer.from(text, 'base64url');
  // Buffer's decoder ignores stray trailing bits; only the canonical spelling is accepted.
  if (bytes.toString('base64url') !== text)
    throw malformed('ciphertext is not canonical base64url');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) throw malformed('ciphertext is too short');
  return bytes;
}

function assertWellFormed(value: string, what: string): void {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  // UTF-8 would turn a lone surrogate into U+FFFD: the value opened would not be the one sealed.
  if (LONE_SURROGATE.test(value)) {
    throw new TypeError(`${what} is not well-formed text (it holds a lone UTF-16 surrogate)`);
  }
}
