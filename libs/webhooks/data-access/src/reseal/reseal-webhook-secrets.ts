import type { SealedHeader, SealedSecret } from '@hookline/contracts';
import {
  CryptoError,
  type KeyRing,
  legacyWebhookHeaderAad,
  webhookHeaderAad,
  webhookSecretAad,
} from '@hookline/shared-crypto';
import { ConcurrencyConflictError } from '@hookline/shared-event-store';
import { type Webhook, WebhookDomainError } from '@hookline/webhooks-domain';
import type { DataSource } from 'typeorm';
import type { WebhookStore } from '../webhook.store';

/** What a reseal did, and what still holds the keys it was meant to retire. */
export interface ResealReport {
  readonly activeKeyId: string;
  /** Live webhooks looked at. */
  readonly webhooks: number;
  /** Webhooks that got a `WebhookSecretsResealed` event. */
  readonly resealed: number;
  /** Sealed values written again (secrets and header values). */
  readonly values: number;
  /** Webhooks whose values could not be opened: they still need a key the ring lacks. */
  readonly failures: ReadonlyArray<{ webhookId: string; company: string; reason: string }>;
  /**
   * Live sealed values, after the pass, per master key other than the active one. Empty means
   * every live value opens with the active key alone: the others can be removed.
   */
  readonly liveValuesByOldKey: Readonly<Record<string, number>>;
  /**
   * Stored events (history, never opened again) holding values under another key, per key.
   * They stop opening once the key is removed, which is what retiring it means.
   */
  readonly historicEventsByOldKey: Readonly<Record<string, number>>;
  /** `webhooks.config` outbox rows not yet published: wait for them before removing a key. */
  readonly outboxPending: number;
}

export interface ResealOptions {
  readonly correlationId: string;
  /** Live webhooks read per page. */
  readonly pageSize?: number;
  /** Attempts per webhook when a concurrent change wins the race. */
  readonly attempts?: number;
}

interface Resealed {
  readonly secret: SealedSecret | null;
  readonly previousSecret: SealedSecret | null;
  readonly headers: SealedHeader[];
  readonly values: number;
}

/**
 * Seals every live webhook's signing secrets and header values again under the ring's active
 * master key (header values bound to their URL's origin as well), each webhook as one
 * `WebhookSecretsResealed` appended to its stream, so the projection and `webhooks.config` carry
 * the new values. Values already under the active key (and bound) are left as they are, so a
 * second run does nothing. Then reports what still needs an older key.
 */
export async function resealWebhookSecrets(
  dataSource: DataSource,
  store: WebhookStore,
  keyRing: KeyRing,
  options: ResealOptions,
): Promise<ResealReport> {
  const pageSize = options.pageSize ?? 200;
  let after = '';
  let webhooks = 0;
  let resealed = 0;
  let values = 0;
  const failures: Array<{ webhookId: string; company: string; reason: string }> = [];
  for (;;) {
    const page: Array<{ id: string; company: string }> = await dataSource.query(
      `SELECT id, company FROM webhooks WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, pageSize],
    );
    for (const { id, company } of page) {
      webhooks += 1;
      try {
        const written = await resealOne(store, keyRing, company, id, options);
        if (written > 0) {
          resealed += 1;
          values += written;
        }
      } catch (error) {
        if (!(error instanceof CryptoError)) throw error;
        failures.push({ webhookId: id, company, reason: `${error.code}: ${error.message}` });
      }
    }
    const last = page.at(-1);
    if (!last || page.length < pageSize) break;
    after = last.id;
  }
  return {
    activeKeyId: keyRing.activeKeyId,
    webhooks,
    resealed,
    values,
    failures,
    liveValuesByOldKey: await countByKey(
      dataSource,
      `SELECT k.key_id, count(*)::int AS count
         FROM webhooks w, jsonb_path_query(w.state, 'strict $.**.keyId') AS j,
              LATERAL (SELECT j #>> '{}' AS key_id) AS k
        WHERE k.key_id <> $1 GROUP BY k.key_id`,
      keyRing.activeKeyId,
    ),
    historicEventsByOldKey: await countByKey(
      dataSource,
      `SELECT k.key_id, count(DISTINCT e.global_position)::int AS count
         FROM webhook_events e, jsonb_path_query(e.data, 'strict $.**.keyId') AS j,
              LATERAL (SELECT j #>> '{}' AS key_id) AS k
        WHERE k.key_id <> $1 GROUP BY k.key_id`,
      keyRing.activeKeyId,
    ),
    outboxPending: Number(
      (
        await dataSource.query(
          `SELECT count(*)::int AS count FROM outbox WHERE topic = 'webhooks.config'`,
        )
      )[0]?.count ?? 0,
    ),
  };
}

/** Returns how many values it wrote again (0: nothing to do). */
async function resealOne(
  store: WebhookStore,
  keyRing: KeyRing,
  company: string,
  webhookId: string,
  options: ResealOptions,
): Promise<number> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt += 1) {
    const webhook = await store.get(company, webhookId);
    if (!webhook || webhook.deleted) return 0;
    const next = resealedValues(keyRing, webhook);
    if (next.values === 0) return 0;
    try {
      await store.execute(
        {
          type: 'ResealWebhookSecrets',
          webhookId,
          company,
          now: new Date().toISOString(),
          expectedVersion: webhook.version,
          secret: next.secret,
          previousSecret: next.previousSecret,
          headers: next.headers,
        },
        { correlationId: options.correlationId, causationId: options.correlationId },
      );
      return next.values;
    } catch (error) {
      const raced =
        error instanceof ConcurrencyConflictError ||
        (error instanceof WebhookDomainError && error.code === 'conflict');
      if (!raced || attempt >= attempts) throw error;
    }
  }
}

function resealedValues(keyRing: KeyRing, webhook: Webhook): Resealed {
  let values = 0;
  const secretAad = webhookSecretAad(webhook.id);
  const again = (sealed: SealedSecret | null): SealedSecret | null => {
    if (sealed === null || !keyRing.needsResealing(sealed)) return sealed;
    values += 1;
    return keyRing.reseal(sealed, secretAad) as SealedSecret;
  };
  const secret = again(webhook.secret);
  const previousSecret = again(webhook.previousSecret?.value ?? null);
  const headers = webhook.headers.map((header) => {
    const bound = webhookHeaderAad(webhook.id, header.name, webhook.url);
    let plain: string;
    try {
      plain = keyRing.open(header.value, bound);
      if (!keyRing.needsResealing(header.value)) return header;
    } catch (error) {
      if (!(error instanceof CryptoError) || error.code !== 'DECRYPTION_FAILED') throw error;
      // Stored before values were bound to an origin: bound now, to the URL it is sent to.
      plain = keyRing.open(header.value, legacyWebhookHeaderAad(webhook.id, header.name));
    }
    values += 1;
    return { name: header.name, value: keyRing.seal(plain, bound) as SealedSecret };
  });
  return { secret, previousSecret, headers, values };
}

async function countByKey(
  dataSource: DataSource,
  sql: string,
  activeKeyId: string,
): Promise<Record<string, number>> {
  const rows: Array<{ key_id: string; count: number }> = await dataSource.query(sql, [activeKeyId]);
  return Object.fromEntries(rows.map((row) => [row.key_id, row.count]));
}
