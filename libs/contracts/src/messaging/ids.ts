import { createHash, randomUUID } from 'node:crypto';
import {
  DELIVERY_ID_PATTERN,
  UUID_PATTERN,
  WEBHOOK_ID_PATTERN,
} from '../json-schema/common.schema';
import {
  ContractValidationError,
  violation,
  type ContractViolation,
} from '../validation/contract-violation';

export const WEBHOOK_ID_PREFIX = 'wh_';
export const DELIVERY_ID_PREFIX = 'dlv_';

/**
 * UUIDv5 namespace of delivery ids. Fixed forever: changing it changes every delivery id, and
 * with it the idempotency of delivery records.
 */
export const DELIVERY_ID_NAMESPACE = '4d1f0b8e-6a52-4c1e-9a37-2f1b5e0c7d93';

const webhookIdRe = new RegExp(WEBHOOK_ID_PATTERN);
const deliveryIdRe = new RegExp(DELIVERY_ID_PATTERN);
const uuidRe = new RegExp(UUID_PATTERN);

export function isWebhookId(value: unknown): value is string {
  return typeof value === 'string' && webhookIdRe.test(value);
}

export function isDeliveryId(value: unknown): value is string {
  return typeof value === 'string' && deliveryIdRe.test(value);
}

/** A new random webhook id: `wh_` and 32 hex digits. */
export function newWebhookId(): string {
  return `${WEBHOOK_ID_PREFIX}${randomUUID().replace(/-/g, '')}`;
}

/**
 * The delivery id of one event to one webhook: `dlv_` + UUIDv5(DELIVERY_ID_NAMESPACE,
 * `<event id, lowercased>:<webhook id>`). Deterministic, so a redelivered event (at-least-once)
 * maps to the same delivery and its records stay idempotent. The UUID part alone is a valid
 * UUID for receivers that expect one in a delivery header.
 *
 * @throws ContractValidationError when `eventId` is not a UUID or `webhookId` not a webhook id.
 */
export function deliveryIdFor(eventId: string, webhookId: string): string {
  const errors: ContractViolation[] = [];
  if (!uuidRe.test(eventId)) errors.push(violation('/eventId', 'pattern', 'must be a UUID'));
  if (!isWebhookId(webhookId)) {
    errors.push(violation('/webhookId', 'pattern', 'must be a webhook id (wh_…)'));
  }
  if (errors.length > 0) throw new ContractValidationError('cannot derive a delivery id', errors);
  return `${DELIVERY_ID_PREFIX}${uuidV5(`${eventId.toLowerCase()}:${webhookId}`, DELIVERY_ID_NAMESPACE)}`;
}

/**
 * The UUID of a `dlv_<uuid>` delivery id: what `X-<Vendor>-Delivery` and `webhook-id` carry, the
 * same on every attempt. Any other id is returned as it is.
 */
export function deliveryUuid(deliveryId: string): string {
  return isDeliveryId(deliveryId) ? deliveryId.slice(DELIVERY_ID_PREFIX.length) : deliveryId;
}

/** RFC 9562 §5.5 name-based UUID (SHA-1). */
export function uuidV5(name: string, namespace: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
