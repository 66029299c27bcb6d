import { createHash } from 'node:crypto';
import {
  API_KEY_PATTERN,
  apiKeyPrefix,
  generateApiKey,
  hashApiKey,
  isApiKeyFormat,
  isApiKeyId,
  newApiKeyId,
} from './api-key';

describe('API keys', () => {
  it('are hk_ + base64url of 32 random bytes', () => {
    const { key } = generateApiKey();
    expect(key).toMatch(API_KEY_PATTERN);
    expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32);
    expect(isApiKeyFormat(key)).toBe(true);
  });

  it('are never the same twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });

  it('are stored as the SHA-256 of their text, which does not contain the key', () => {
    const { key, hash } = generateApiKey();
    expect(hash).toEqual(createHash('sha256').update(key).digest());
    expect(hash).toHaveLength(32);
    expect(hashApiKey(key)).toEqual(hash);
    expect(hash.toString('hex')).not.toContain(Buffer.from(key).toString('hex').slice(0, 16));
  });

  it('hash differently when a single character differs', () => {
    const { key } = generateApiKey();
    const other = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(hashApiKey(other)).not.toEqual(hashApiKey(key));
  });

  it('show a short prefix that is the start of the key', () => {
    const { key, prefix } = generateApiKey();
    expect(prefix).toBe(key.slice(0, 11));
    expect(apiKeyPrefix(key)).toBe(prefix);
    expect(prefix).toMatch(/^hk_[A-Za-z0-9_-]{8}$/);
  });

  it.each([
    ['', false],
    ['hk_', false],
    ['sk_' + 'A'.repeat(43), false],
    ['hk_' + 'A'.repeat(42), false],
    ['hk_' + 'A'.repeat(44), false],
    ['hk_' + 'A'.repeat(42) + '=', false],
    ['hk_' + 'A'.repeat(42) + '+', false],
    [' hk_' + 'A'.repeat(43), false],
    ['hk_' + 'A'.repeat(43), true],
  ])('recognise the key shape: %j → %s', (value, expected) => {
    expect(isApiKeyFormat(value)).toBe(expected);
  });

  it('have ids of the form key_ + 32 hex digits', () => {
    const id = newApiKeyId();
    expect(id).toMatch(/^key_[0-9a-f]{32}$/);
    expect(isApiKeyId(id)).toBe(true);
    expect(isApiKeyId('key_x')).toBe(false);
    expect(newApiKeyId()).not.toBe(id);
  });
});
