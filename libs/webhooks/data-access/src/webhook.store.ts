import {
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  type EventType,
  type WebhookStatus,
} from '@hookline/contracts';
import {
  type EventMetadata,
  inTransaction,
  LOG_START,
  type PostgresEventStore,
  type StoredEvent,
  writeOutbox,
} from '@hookline/shared-event-store';
import {
  decide,
  evolve,
  rehydrate,
  toConfigRecord,
  type Webhook,
  type WebhookCommand,
  type WebhookEvent,
  WebhookDomainError,
} from '@hookline/webhooks-domain';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeCursor, encodeCursor } from './webhook-cursor';
import { projectWebhook } from './webhooks.projection';

export interface WebhookListQuery {
  readonly company: string;
  readonly status?: WebhookStatus;
  readonly eventType?: EventType;
  /** Webhooks that receive this project's events: those naming it and those with no filter. */
  readonly projectId?: string;
  readonly limit: number;
  /** From the previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface WebhookStoreLimits {
  /** Webhooks one company may have at once; a create beyond is `quota_exceeded`. */
  readonly webhooksPerCompany?: number;
}

export interface WebhookPage {
  readonly items: Webhook[];
  readonly nextCursor: string | null;
}

/** Told of a webhook's state after each change, inside the change's transaction. */
export type WebhookChangeListener = (manager: EntityManager, webhook: Webhook) => Promise<void>;

const toDomainEvent = (event: StoredEvent): WebhookEvent =>
  ({ type: event.type, schemaVersion: event.schemaVersion, data: event.data }) as WebhookEvent;

/**
 * The Webhook aggregate's persistence: every command loads the stream, decides, and in one
 * transaction appends the events, updates the `webhooks` read model and writes the webhook's new
 * state (or a tombstone) to the outbox for `webhooks.config`.
 */
export class WebhookStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: PostgresEventStore,
    private readonly limits: WebhookStoreLimits = {},
    /**
     * Run in the transaction of every change, after the projection: other contexts' tables
     * that must agree with the aggregate at commit (the delivery worker's `webhook_status`).
     */
    private readonly onChange: readonly WebhookChangeListener[] = [],
    /** Where the webhook's state goes: `HOOKLINE_CONFIG_TOPIC`, from the topic catalog. */
    private readonly configTopic: string = KAFKA_TOPICS.webhooksConfig,
  ) {}

  /**
   * Runs one command. A concurrent change of the same webhook makes the append fail with the
   * event store's ConcurrencyConflictError: nothing is written, no update is lost. Returns the
   * webhook after the command (`undefined` once deleted) and the events it produced.
   */
  async execute(
    command: WebhookCommand,
    metadata: EventMetadata = {},
  ): Promise<{ webhook: Webhook | undefined; events: WebhookEvent[] }> {
    return inTransaction(this.dataSource, async (manager) => {
      if (command.type === 'CreateWebhook') await this.checkRoomFor(manager, command.company);
      const stored = await this.events.readStream(command.webhookId, { manager });
      const before = rehydrate(stored.map(toDomainEvent));
      const events = decide(command, before);
      if (events.length === 0) return { webhook: before, events };

      await this.events.append(
        command.webhookId,
        before?.version ?? 0,
        events.map((event) => ({ ...event, metadata })),
        { manager },
      );
      const after = events.reduce<Webhook | undefined>(evolve, before);
      if (!after)
        throw new Error(`webhook ${command.webhookId} has no state after ${events[0]?.type}`);
      await projectWebhook(manager, after);
      for (const listener of this.onChange) await listener(manager, after);
      await writeOutbox(manager, [
        {
          topic: this.configTopic,
          key: after.id,
          value: after.deleted ? null : JSON.stringify(toConfigRecord(after)),
          headers: {
            [KAFKA_HEADERS.messageType]: after.deleted ? 'WebhookConfigDeleted' : 'WebhookConfig',
            [KAFKA_HEADERS.schemaVersion]: '1',
            ...(metadata.correlationId
              ? { [KAFKA_HEADERS.correlationId]: metadata.correlationId }
              : {}),
            ...(metadata.causationId ? { [KAFKA_HEADERS.causationId]: metadata.causationId } : {}),
          },
        },
      ]);
      return { webhook: after.deleted ? undefined : after, events };
    });
  }

  /**
   * Refuses a create beyond the company's quota. Creates of one company are serialised by a
   * transaction-scoped advisory lock, so two at once cannot both take the last place.
   */
  private async checkRoomFor(manager: EntityManager, company: string): Promise<void> {
    const max = this.limits.webhooksPerCompany;
    if (max === undefined) return;
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `hookline:webhooks:${company}`,
    ]);
    const [row]: Array<{ count: number }> = await manager.query(
      `SELECT count(*)::int AS count FROM webhooks WHERE company = $1`,
      [company],
    );
    if ((row?.count ?? 0) >= max) {
      throw new WebhookDomainError(
        'quota_exceeded',
        `company ${company} has ${row?.count ?? 0} webhooks, the most allowed is ${max}: delete one first`,
      );
    }
  }

  /** One company's webhook from the read model; another company's is `undefined`. */
  async get(company: string, id: string): Promise<Webhook | undefined> {
    const rows: Array<{ state: Webhook }> = await this.dataSource.query(
      `SELECT state FROM webhooks WHERE id = $1 AND company = $2`,
      [id, company],
    );
    return rows[0]?.state;
  }

  /** One page of a company's webhooks, newest first. */
  async list(query: WebhookListQuery): Promise<WebhookPage> {
    const where = ['company = $1'];
    const params: unknown[] = [query.company];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.status) where.push(`status = ${param(query.status)}`);
    if (query.eventType) where.push(`events @> ARRAY[${param(query.eventType)}]::text[]`);
    if (query.projectId) {
      where.push(`(project_ids = '{}' OR project_ids @> ARRAY[${param(query.projectId)}]::text[])`);
    }
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor);
      where.push(`(created_at, id) < (${param(createdAt)}::timestamptz, ${param(id)})`);
    }
    const rows: Array<{ state: Webhook }> = await this.dataSource.query(
      `SELECT state FROM webhooks WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, query.limit).map((row) => row.state);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }
}

/**
 * Drops every row of the `webhooks` read model and folds `webhook_events` again from the start,
 * in one transaction: readers see the old rows or the new ones, never a half-built table.
 */
export async function rebuildWebhooksProjection(
  dataSource: DataSource,
  events: PostgresEventStore,
): Promise<number> {
  return inTransaction(dataSource, async (manager: EntityManager) => {
    await manager.query(`DELETE FROM webhooks`);
    const states = new Map<string, Webhook | undefined>();
    let position = LOG_START;
    for (;;) {
      const page = await events.readAll({ after: position, limit: 1000, manager });
      if (page.events.length === 0) break;
      for (const event of page.events) {
        states.set(event.streamId, evolve(states.get(event.streamId), toDomainEvent(event)));
      }
      position = page.position;
    }
    let rows = 0;
    for (const webhook of states.values()) {
      if (!webhook || webhook.deleted) continue;
      await projectWebhook(manager, webhook);
      rows += 1;
    }
    return rows;
  });
}
