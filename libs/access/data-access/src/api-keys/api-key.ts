import { createHash, randomBytes } from 'node:crypto';

/** Every API key starts with this, so secret scanners and people recognise one. */
export const API_KEY_PREFIX = 'hk_';
/** API key ids (not secret) start with this. */
export const API_KEY_ID_PREFIX = 'key_';
/** Random bytes in a key: 256 bits, beyond any guessing or brute force. */
export const API_KEY_RANDOM_BYTES = 32;
/** Characters of the random part kept in the clear prefix, for people to tell keys apart. */
export const API_KEY_PREFIX_CHARS = 8;
export const API_KEY_NAME_MAX_LENGTH = 100;

/** `hk_` + base64url of 32 bytes (43 characters, no padding). */
export const API_KEY_PATTERN = /^hk_[A-Za-z0-9_-]{43}$/;
export const API_KEY_ID_PATTERN = /^key_[0-9a-f]{32}$/;

export interface GeneratedApiKey {
  /** The key itself: show it once, store only `hash`. */
  readonly key: string;
  /** `hk_` + the first 8 characters of the random part: not secret, for display. */
  readonly prefix: string;
  /** SHA-256 of the key's text: what the database keeps and looks keys up by. */
  readonly hash: Buffer;
}

/** A new API key: `hk_` + base64url(32 random bytes), its display prefix and its hash. */
export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(API_KEY_RANDOM_BYTES).toString('base64url')}`;
  return { key, prefix: apiKeyPrefix(key), hash: hashApiKey(key) };
}

/**
 * SHA-256 of the key text. A fast hash is enough here: the key is 256 random bits, so a leaked
 * hash cannot be reversed by guessing, whatever the attacker's speed. Slow KDFs (bcrypt, scrypt,
 * argon2) exist for low-entropy passwords; here they would only slow every request down and rule
 * out looking the key up by its hash.
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The display prefix of a key, e.g. `hk_Ab3dEf9h`: 48 of its 256 random bits, not enough to use. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + API_KEY_PREFIX_CHARS);
}

/** Whether `value` has the shape of an API key (not whether it is a valid one). */
export function isApiKeyFormat(value: unknown): value is string {
  return typeof value === 'string' && API_KEY_PATTERN.test(value);
}

/** A new API key id: `key_` + 32 hex digits. Not secret; it names the key in lists and logs. */
export function newApiKeyId(): string {
  return `${API_KEY_ID_PREFIX}${randomBytes(16).toString('hex')}`;
}

export function isApiKeyId(value: unknown): value is string {
  return typeof value === 'string' && API_KEY_ID_PATTERN.test(value);
}
