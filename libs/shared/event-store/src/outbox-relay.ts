import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { validateTableName } from './table-name';

/** Where the relay reports failures it is retrying; apps pass their structured logger. */
export interface OutboxRelayLogger {
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** What the relay needs of a kafkajs producer; a test may wrap a real one to inject faults. */
export type OutboxProducer = Pick<Producer, 'connect' | 'disconnect' | 'sendBatch'>;

interface OutboxRelayBaseOptions {
  readonly dataSource: DataSource;
  readonly logger: OutboxRelayLogger;
  /** Default `outbox`. */
  readonly table?: string;
  /** Rows published per poll (one transaction, one sendBatch); default 500. */
  readonly batchSize?: number;
  /** Idle wait between polls; default 200 ms. `notify()` cuts it short. */
  readonly pollIntervalMs?: number;
  /** Backoff after a failed poll: doubles from `retryInitialMs` (200) up to `retryMaxMs` (5000). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** The advisory lock id shared by every relay of this outbox (per database). */
  readonly lockId?: bigint;
}

export type OutboxRelayOptions = OutboxRelayBaseOptions &
  (
    | { readonly kafka: Kafka; readonly producer?: never }
    | { readonly producer: OutboxProducer; readonly kafka?: never }
  );

export interface PollResult {
  /** false when another relay held the lock: nothing was read. */
  readonly locked: boolean;
  readonly published: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  value: string | null;
  headers: Record<string, string> | null;
}

/** 'hookline' in ASCII: the default advisory lock id of the outbox relay. */
export const DEFAULT_OUTBOX_LOCK_ID = 0x686f6f6b6c696e65n;

/** Groups rows by topic, keeping their id order inside each topic (and so inside each partition). */
export function toTopicMessages(
  rows: ReadonlyArray<Pick<OutboxRow, 'topic' | 'message_key' | 'value' | 'headers'>>,
): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    let messages = byTopic.get(row.topic);
    if (!messages) byTopic.set(row.topic, (messages = []));
    messages.push({ key: row.message_key, value: row.value, headers: { ...(row.headers ?? {}) } });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** Exponential backoff with up to 20% jitter. */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + Math.random() * 0.2));
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Publishes outbox rows to Kafka in id order, then deletes them (at least once, in order per key).
 *
 * Each poll is one transaction: `pg_try_advisory_xact_lock` (so one relay publishes at a time
 * across processes; the others skip the poll), read up to `batchSize` rows in id order, send them
 * with an idempotent producer (acks = all, one request in flight), delete them, commit. The lock
 * ends with the transaction, so a crashed relay's lock is released by PostgreSQL with its
 * connection, and a relay that dies after the broker acked but before the commit leaves its rows
 * in place: the next poll, by any relay, publishes them again (a duplicate, never a loss).
 */
export class OutboxRelay {
  private readonly dataSource: DataSource;
  private readonly logger: OutboxRelayLogger;
  private readonly producer: OutboxProducer;
  private readonly table: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly lockId: string;

  private connecting: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private running = false;
  private woken = false;
  private wake: (() => void) | undefined;

  constructor(options: OutboxRelayOptions) {
    this.dataSource = options.dataSource;
    this.logger = options.logger;
    this.producer =
      options.producer ??
      options.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
    this.table = validateTableName(options.table ?? 'outbox');
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.retryInitialMs = options.retryInitialMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    this.lockId = (options.lockId ?? DEFAULT_OUTBOX_LOCK_ID).toString();
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new TypeError('OutboxRelay: batchSize must be an integer >= 1');
    }
  }

  /** Connects the producer and starts polling in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.connect();
    this.running = true;
    this.loop = this.run();
  }

  /** Wakes the polling loop now, e.g. right after a transaction that wrote the outbox committed. */
  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Stops polling after the in-flight batch (published and deleted, or rolled back), then disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    this.loop = undefined;
    if (this.connecting) {
      this.connecting = undefined;
      await this.producer.disconnect();
    }
  }

  /**
   * Resolves once every row present when it was called has been published (by this relay or by
   * another one holding the lock). Retries failures with backoff; rejects after `timeoutMs`.
   * Connects the producer if needed: call `stop()` afterwards to disconnect it.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    await this.connect();
    const [{ max }] = (await this.dataSource.query(
      `SELECT max(id)::text AS max FROM ${this.table}`,
    )) as [{ max: string | null }];
    if (max === null) return;
    let failures = 0;
    for (;;) {
      const [{ pending }] = (await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM ${this.table} WHERE id <= $1::bigint) AS pending`,
        [max],
      )) as [{ pending: boolean }];
      if (!pending) return;
      if (Date.now() > deadline) {
        throw new Error(
          `OutboxRelay.drain: rows up to id ${max} are still pending after the timeout`,
        );
      }
      try {
        const result = await this.pollOnce();
        failures = 0;
        if (!result.locked) await delay(Math.min(50, this.pollIntervalMs));
      } catch (error) {
        failures += 1;
        this.report(error, failures);
        await delay(backoffMs(failures, this.retryInitialMs, this.retryMaxMs));
      }
    }
  }

  /** One poll: publish and delete up to `batchSize` rows if this relay gets the lock. */
  async pollOnce(): Promise<PollResult> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(
        `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
        [this.lockId],
      )) as [{ locked: boolean }];
      if (!locked) return { locked: false, published: 0 };
      const rows = (await manager.query(
        `SELECT o.id::text AS id, o.topic, o.message_key, o.value, o.headers
           FROM ${this.table} o ORDER BY o.id LIMIT $1`,
        [this.batchSize],
      )) as OutboxRow[];
      if (rows.length === 0) return { locked: true, published: 0 };
      await this.producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(rows) });
      await manager.query(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      return { locked: true, published: rows.length };
    });
  }

  private connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let full = false;
      try {
        full = (await this.pollOnce()).published === this.batchSize;
        failures = 0;
      } catch (error) {
        failures += 1;
        this.report(error, failures);
        await this.sleep(backoffMs(failures, this.retryInitialMs, this.retryMaxMs), false);
        continue;
      }
      // A full batch means more may be waiting: poll again at once.
      if (!full) await this.sleep(this.pollIntervalMs, true);
    }
  }

  /** Waits `ms`; `stop()` always cuts it short, `notify()` only when `wakeable`. */
  private async sleep(ms: number, wakeable: boolean): Promise<void> {
    if (!this.running || (wakeable && this.woken)) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        if (wakeable || !this.running) done();
      };
    });
    this.wake = undefined;
    this.woken = false;
  }

  private report(error: unknown, failures: number): void {
    const fields = {
      table: this.table,
      failures,
      error: error instanceof Error ? error.message : String(error),
    };
    // The rows stay in the outbox and the poll is retried; escalate when it keeps failing.
    if (failures >= 5)
      this.logger.error('outbox relay: publishing keeps failing; retrying', fields);
    else this.logger.warn('outbox relay: publishing failed; retrying', fields);
  }
}
