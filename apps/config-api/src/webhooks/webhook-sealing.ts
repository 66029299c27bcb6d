import type { SealedHeader, SealedSecret } from '@hookline/contracts';
import {
  type KeyRing,
  openWebhookHeader,
  webhookHeaderAad,
  webhookSecretAad as signingSecretAad,
} from '@hookline/shared-crypto';
import { generateSecret, validateSecret } from '@hookline/shared-signing';
import type { FieldViolation } from '@hookline/webhooks-domain';

// The AAD scheme lives in the crypto lib: the delivery worker opens these with the same one.

export function sealSecret(keyRing: KeyRing, webhookId: string, secret: string): SealedSecret {
  return keyRing.seal(secret, signingSecretAad(webhookId)) as SealedSecret;
}

/** Seals header values for `url`'s origin: the worker opens them for that origin only. */
export function sealHeaders(
  keyRing: KeyRing,
  webhookId: string,
  url: string,
  headers: Readonly<Record<string, string>>,
): SealedHeader[] {
  return Object.entries(headers).map(([name, value]) => ({
    name,
    value: keyRing.seal(value, webhookHeaderAad(webhookId, name, url)) as SealedSecret,
  }));
}

/** The stored header values, opened for `fromUrl` and sealed again for `toUrl`'s origin. */
export function resealHeaders(
  keyRing: KeyRing,
  webhookId: string,
  fromUrl: string,
  toUrl: string,
  headers: readonly SealedHeader[],
): SealedHeader[] {
  return headers.map((header) => ({
    name: header.name,
    value: keyRing.seal(
      openWebhookHeader(keyRing, webhookId, fromUrl, header),
      webhookHeaderAad(webhookId, header.name, toUrl),
    ) as SealedSecret,
  }));
}

export function openSecret(keyRing: KeyRing, webhookId: string, sealed: SealedSecret): string {
  return keyRing.open(sealed, signingSecretAad(webhookId));
}

/**
 * The signing secret a create or update request asks for: the client's own (checked), a
 * generated one, or `undefined` for none. Adds a violation naming `secret` when it is invalid
 * or given together with `generateSecret`.
 */
export function requestedSecret(
  request: { readonly secret?: string; readonly generateSecret?: boolean },
  violations: FieldViolation[],
): string | undefined {
  if (request.secret !== undefined && request.generateSecret === true) {
    violations.push({
      field: 'secret',
      rule: 'invalid_value',
      message: 'give your own secret or set generateSecret, not both',
    });
    return undefined;
  }
  if (request.secret !== undefined) {
    const checked = validateSecret(request.secret);
    if (checked.ok) return request.secret;
    violations.push({ field: 'secret', rule: 'invalid_value', message: checked.problem });
    return undefined;
  }
  return request.generateSecret === true ? generateSecret() : undefined;
}
