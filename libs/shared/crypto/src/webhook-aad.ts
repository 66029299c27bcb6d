import { aadFor } from './key-ring';

/**
 * Where a webhook's sealed values belong, bound into their ciphertext (AES-GCM associated data):
 * a value copied to another webhook or another field does not open. The config API seals with
 * these and the delivery worker opens with them, so both sides agree by construction.
 */
export const webhookSecretAad = (webhookId: string): string => aadFor(webhookId, 'signingSecret');

/** Header names are case-insensitive, so the AAD uses the lower-case name. */
export const webhookHeaderAad = (webhookId: string, name: string): string =>
  aadFor(webhookId, 'header', name.toLowerCase());
