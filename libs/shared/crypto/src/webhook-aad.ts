import { CryptoError } from './crypto.error';
import { aadFor, type KeyRing } from './key-ring';
import type { SealedValue } from './sealed-value';

/**
 * Where a webhook's sealed values belong, bound into their ciphertext (AES-GCM associated data):
 * a value copied to another webhook or another field does not open. The config API seals with
 * these and the delivery worker opens with them, so both sides agree by construction.
 */
export const webhookSecretAad = (webhookId: string): string => aadFor(webhookId, 'signingSecret');

/**
 * A custom header value is bound to the origin (scheme, host, port) of the URL it was saved
 * for: opened for a URL of another origin it does not authenticate, so it can never be sent
 * there. Header names are case-insensitive, so the AAD uses the lower-case name.
 *
 * @throws TypeError when `url` is not an absolute URL.
 */
export const webhookHeaderAad = (webhookId: string, name: string, url: string): string =>
  aadFor(webhookId, 'header', name.toLowerCase(), new URL(url).origin);

/**
 * The AAD of header values sealed before they were bound to an origin. They still open, for the
 * URL they were stored with, until `keys:reseal` binds them.
 */
export const legacyWebhookHeaderAad = (webhookId: string, name: string): string =>
  aadFor(webhookId, 'header', name.toLowerCase());

/**
 * Opens a webhook's header value for `url`'s origin, or, for a value stored before values were
 * bound to an origin (until `keys:reseal` binds it), with {@link legacyWebhookHeaderAad}.
 * @throws CryptoError when it opens under neither: another webhook, name or origin, or an
 *   unknown key.
 */
export function openWebhookHeader(
  keyRing: KeyRing,
  webhookId: string,
  url: string,
  header: { readonly name: string; readonly value: SealedValue },
): string {
  try {
    return keyRing.open(header.value, webhookHeaderAad(webhookId, header.name, url));
  } catch (error) {
    if (!(error instanceof CryptoError) || error.code !== 'DECRYPTION_FAILED') throw error;
    return keyRing.open(header.value, legacyWebhookHeaderAad(webhookId, header.name));
  }
}
