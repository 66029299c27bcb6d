import { parseWebhookConfigRecord, type WebhookConfigRecord } from '@hookline/contracts';

/**
 * The part of a `webhooks.config` record a call needs: where it goes, how its body and headers
 * are made and signed, and whether it may go. Subscriptions (events, projects, status filter)
 * are the matcher's and the name is the API's: a worker holds every webhook of every company,
 * so it keeps no more of each than this.
 */
export type DeliveryTarget = Readonly<
  Pick<
    WebhookConfigRecord,
    | 'webhookId'
    | 'url'
    | 'type'
    | 'bodyTemplate'
    | 'signingSecret'
    | 'previousSigningSecret'
    | 'headers'
    | 'status'
    | 'version'
  >
>;

/** The {@link DeliveryTarget} of a record: a copy sharing nothing else with it. */
export function deliveryTargetOf(record: WebhookConfigRecord): DeliveryTarget {
  return Object.freeze({
    webhookId: record.webhookId,
    url: record.url,
    type: record.type,
    bodyTemplate: record.bodyTemplate,
    signingSecret: record.signingSecret,
    previousSigningSecret: record.previousSigningSecret ?? null,
    headers: record.headers,
    status: record.status,
    version: record.version,
  });
}

/** What the worker knows of one webhook. */
export type WebhookLookup =
  | { readonly kind: 'known'; readonly record: DeliveryTarget }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'unknown' };

/**
 * The worker's view of `webhooks.config`: the latest record of each webhook, and which were
 * deleted (tombstones). A record older than the one held (a replay of the compacted topic that
 * raced a newer one) is ignored. Plain data; the app feeds it from a topic follower.
 */
export class WebhookDirectory {
  private readonly records = new Map<string, DeliveryTarget | null>();

  /**
   * Applies one `webhooks.config` record (`value` null: a tombstone). Returns a problem to log
   * for a record that cannot be used, or `undefined`.
   */
  apply(key: string | undefined, value: Buffer | string | null): string | undefined {
    if (!key) return 'record without a key ignored';
    if (value === null) {
      this.records.set(key, null);
      return undefined;
    }
    const parsed = parseWebhookConfigRecord(value);
    if (!parsed.ok) {
      return `invalid record ignored: ${parsed.errors.map((e) => `${e.path} ${e.rule}`).join(', ')}`;
    }
    if (parsed.value.webhookId !== key)
      return 'record whose webhookId differs from its key ignored';
    const held = this.records.get(key);
    // Deletion is final (webhook ids are never reused); an older version changes nothing.
    if (held === null || (held && held.version > parsed.value.version)) return undefined;
    this.records.set(key, deliveryTargetOf(parsed.value));
    return undefined;
  }

  lookup(webhookId: string): WebhookLookup {
    const record = this.records.get(webhookId);
    if (record === undefined) return { kind: 'unknown' };
    if (record === null) return { kind: 'deleted' };
    return { kind: 'known', record };
  }

  /** Webhooks whose latest record says paused. */
  pausedCount(): number {
    let paused = 0;
    for (const record of this.records.values()) if (record?.status === 'paused') paused += 1;
    return paused;
  }

  get size(): number {
    return this.records.size;
  }
}
