import type { SealedHeader, SealedSecret } from '@hookline/contracts';
import {
  type KeyRing,
  webhookHeaderAad as headerAad,
  webhookSecretAad as signingSecretAad,
} from '@hookline/shared-crypto';

// The AAD scheme lives in the crypto lib: the delivery worker opens these with the same one.

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
