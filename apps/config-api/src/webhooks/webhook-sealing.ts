import type { SealedHeader, SealedSecret } from '@hookline/contracts';
import { aadFor, type KeyRing } from '@hookline/shared-crypto';

/**
 * Where a sealed value belongs is bound into its ciphertext (AES-GCM associated data), so a
 * value copied to another webhook or another field does not open. The delivery worker opens
 * them with the same functions.
 */
export const signingSecretAad = (webhookId: string) => aadFor(webhookId, 'signingSecret');
export const headerAad = (webhookId: string, name: string) =>
  aadFor(webhookId, 'header', name.toLowerCase());

export function sealSecret(keyRing: KeyRing, webhookId: string, secret: string): SealedSecret {
  return keyRing.seal(secret, signingSecretAad(webhookId)) as SealedSecret;
}

export function sealHeaders(
  keyRing: KeyRing,
  webhookId: string,
  headers: Readonly<Record<string, string>>,
): SealedHeader[] {
  return Object.entries(headers).map(([name, value]) => ({
    name,
    value: keyRing.seal(value, headerAad(webhookId, name)) as SealedSecret,
  }));
}

export function openSecret(keyRing: KeyRing, webhookId: string, sealed: SealedSecret): string {
  return keyRing.open(sealed, signingSecretAad(webhookId));
}
