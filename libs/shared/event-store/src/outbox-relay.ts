import { RenewingProducer, splitBySize } from '@hookline/shared-kafka';
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { outboxChannel } from './outbox';
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
  /**
   * Idle wait between polls while the relay cannot listen for writes; default 200 ms.
   * `notify()` cuts it short.
   */
  readonly pollIntervalMs?: number;
  /**
   * Idle wait between polls while the relay listens on the outbox's channel (`writeOutbox`
   * notifies it), for rows written without a notification; default 5000 ms.
   */
  readonly listeningPollIntervalMs?: number;
  /** Backoff after a failed poll: doubles from `retryInitialMs` (200) up to `retryMaxMs` (5000). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** The advisory lock id shared by every relay of this outbox (per database). */
  readonly lockId?: bigint;
  /**
   * Bytes of message values and keys per `sendBatch`, default 512 KiB: well below a broker's
   * default 1 MiB limit on a request's record batch. A larger single row is sent alone.
   */
  readonly maxBatchBytes?: number;
  /** Tries of a row the broker refuses for a reason of its own before it is dead-lettered; default 3. */
  readonly maxRowTries?: number;
  /** Told of each row moved to the dead-letter table (for a metric). */
  readonly onDeadLetter?: (row: { topic: string; reason: string }) => void;
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
  /** Rows moved to the dead-letter table by this poll. */
  readonly deadLettered: number;
  /** Rows read (published, dead-lettered or left for a later try). */
  readonly read: number;
}

/** What an operator and a metric see of the outbox. */
export interface OutboxBacklog {
  readonly rows: number;
  /** Age of the oldest row waiting, in seconds; 0 when empty. */
  readonly oldestAgeSeconds: number;
  readonly deadLetters: number;
}

interface OutboxRow {
  id: string;
  created_at: string;
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

/**
 * Rows in order, cut into runs whose keys and values add up to at most `maxBytes` (a row larger
 * than that makes a run of its own), so no request exceeds what a broker accepts.
 */
export function splitByBytes<T extends Pick<OutboxRow, 'message_key' | 'value'>>(
  rows: readonly T[],
  maxBytes: number,
): T[][] {
  return splitBySize(
    rows,
    maxBytes,
    (row) => Buffer.byteLength(row.message_key) + Buffer.byteLength(row.value ?? '') + 64,
  );
}

/**
 * Broker errors about the message or its topic, not the broker's health: retrying cannot fix
 * them (or, for a topic that does not exist, only an operator can). kafkajs wraps the broker's
 * error in the error of its last retry, so the cause is looked for down the chain.
 */
const ROW_FAULTS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'TOPIC_AUTHORIZATION_FAILED',
  'POLICY_VIOLATION',
  'INVALID_REQUIRED_ACKS',
]);

export function rowFault(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && ROW_FAULTS.has(type)) return type;
    const next =
      (current as { originalError?: unknown }).originalError ??
      (current as { cause?: unknown }).cause;
    current = next;
  }
  return undefined;
}

/** Exponential backoff with up to 20% jitter. */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + Math.random() * 0.2));
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A relay's own idempotent producer. A relay marks rows published once a send resolves, so it
 * resolves only with every partition written (partitions kafkajs skips when a leader moves are
 * sent again), and a session lost with a broker (its sequence numbers out of step with a new
 * leader) is replaced rather than left failing every poll.
 */
export function relayProducer(
  kafka: Kafka,
  warn: (message: string, fields: Record<string, unknown>) => void,
): OutboxProducer {
  return new RenewingProducer(
    (createPartitioner) =>
      kafka.producer({
        createPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // A relay retries whole polls with its own backoff: a request that fails (a topic that
        // does not exist) fails in about a second, not after kafkajs's long retry chain.
        retry: { retries: 2, initialRetryTime: 200 },
      }),
    warn,
  );
}

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
  private readonly listeningPollIntervalMs: number;
  /** The connection held for LISTEN, while it works. */
  private listener: PoolClient | undefined;
  private relistenTimer: NodeJS.Timeout | undefined;
  /** Set once a failure to listen was reported, until listening works again. */
  private listenFailing = false;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly lockId: string;
  private readonly deadLetterTable: string;
  private readonly maxBatchBytes: number;
  private readonly maxRowTries: number;
  private readonly onDeadLetter: OutboxRelayBaseOptions['onDeadLetter'];
  /** Tries of rows the broker refused for their own reason, by outbox id. */
  private readonly rowTries = new Map<string, { tries: number; reason: string }>();
  /** Rows up to this id are sent one at a time: a run of them failed, one may be at fault. */
  private isolateThrough: bigint | undefined;

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
      relayProducer(options.kafka, (message, fields) => this.logger.warn(message, fields));
    this.table = validateTableName(options.table ?? 'outbox');
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.listeningPollIntervalMs = options.listeningPollIntervalMs ?? 5_000;
    this.retryInitialMs = options.retryInitialMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    this.lockId = (options.lockId ?? DEFAULT_OUTBOX_LOCK_ID).toString();
    this.deadLetterTable = validateTableName(`${this.table}_dead_letters`);
    this.maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
    this.maxRowTries = options.maxRowTries ?? 3;
    this.onDeadLetter = options.onDeadLetter;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new TypeError('OutboxRelay: batchSize must be an integer >= 1');
    }
  }

  /**
   * Connects the producer, listens for writes to the outbox (a poll at once for each, the
   * listening interval as a fallback) and starts polling in the background.
   */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.connect();
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  /** Whether the relay is told of writes (else it polls every `pollIntervalMs`). */
  get isListening(): boolean {
    return this.listener !== undefined;
  }

  /**
   * Holds one connection of the pool for `LISTEN`. A connection that fails is dropped and the
   * relay polls at its short interval until a new one listens (tried again after a second).
   */
  private async listen(): Promise<void> {
    if (!this.running || this.listener) return;
    let client: PoolClient | undefined;
    try {
      const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
      client = await pool.connect();
      const held = client;
      held.on('notification', () => this.notify());
      held.on('error', (error: Error) => this.unlisten(held, error));
      await held.query(`LISTEN "${outboxChannel(this.table)}"`);
      this.listener = held;
      this.listenFailing = false;
      // Rows written while no one listened are polled now.
      this.notify();
    } catch (error) {
      if (client) this.unlisten(client, error);
      else this.scheduleListen(error);
    }
  }

  private unlisten(client: PoolClient, error: unknown): void {
    if (this.listener === client) this.listener = undefined;
    client.removeAllListeners('notification');
    try {
      client.release(error instanceof Error ? error : true);
    } catch {
      // Released already.
    }
    this.scheduleListen(error);
  }

  private scheduleListen(error: unknown): void {
    if (!this.running || this.relistenTimer) return;
    if (!this.listenFailing) {
      this.listenFailing = true;
      this.logger.warn('outbox relay cannot listen for writes; polling until it can', {
        table: this.table,
        error: String(error),
      });
    }
    this.relistenTimer = setTimeout(() => {
      this.relistenTimer = undefined;
      void this.listen();
    }, 1_000);
  }

  /** Wakes the polling loop now, e.g. right after a transaction that wrote the outbox committed. */
  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Stops polling after the in-flight batch (published and deleted, or rolled back), then disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.relistenTimer);
    this.relistenTimer = undefined;
    this.notify();
    await this.loop;
    this.loop = undefined;
    const listener = this.listener;
    this.listener = undefined;
    // Closed rather than handed back: the LISTEN ends with its connection, and a database that
    // does not answer cannot hold up the shutdown.
    if (listener) {
      listener.removeAllListeners('notification');
      listener.release(true);
    }
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

  /**
   * One poll, if this relay gets the lock: up to `batchSize` rows in id order, sent in runs of at
   * most `maxBatchBytes`, then deleted. A run that fails stops the poll (the rows behind it wait,
   * in order) and is sent row by row next time, so a row the broker refuses for a reason of its
   * own is found: after `maxRowTries` it moves to the dead-letter table with the reason and the
   * rows behind it go on. A failure of the broker itself (unreachable, no leader) dead-letters
   * nothing: the rows wait and the poll is retried.
   */
  async pollOnce(): Promise<PollResult> {
    const { deadRows, ...result } = await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(
        `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
        [this.lockId],
      )) as [{ locked: boolean }];
      if (!locked) return { locked: false, published: 0, deadLettered: 0, read: 0, deadRows: [] };
      const rows = (await manager.query(
        `SELECT o.id::text AS id, o.topic, o.message_key, o.value, o.headers, o.created_at
           FROM ${this.table} o ORDER BY o.id LIMIT $1`,
        [this.batchSize],
      )) as OutboxRow[];
      if (rows.length === 0)
        return { locked: true, published: 0, deadLettered: 0, read: 0, deadRows: [] };

      const isolate = this.isolateThrough;
      const runs =
        isolate === undefined
          ? splitByBytes(rows, this.maxBatchBytes)
          : [
              ...rows.filter((row) => BigInt(row.id) <= isolate).map((row) => [row]),
              ...splitByBytes(
                rows.filter((row) => BigInt(row.id) > isolate),
                this.maxBatchBytes,
              ),
            ];
      const sent: string[] = [];
      const dead: Array<{ row: OutboxRow; reason: string; tries: number }> = [];
      let failure: unknown;
      for (const run of runs) {
        try {
          await this.producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(run) });
          for (const row of run) {
            sent.push(row.id);
            this.rowTries.delete(row.id);
          }
          continue;
        } catch (error) {
          const fault = rowFault(error);
          const [only] = run;
          if (fault === undefined) {
            failure = error;
            break;
          }
          if (run.length > 1 || only === undefined) {
            // One of these rows is at fault: send them one at a time from now on.
            this.isolateThrough = BigInt(run.at(-1)?.id ?? '0');
            failure = error;
            break;
          }
          const reason = `${fault}: ${error instanceof Error ? error.message : String(error)}`;
          const tries = (this.rowTries.get(only.id)?.tries ?? 0) + 1;
          this.rowTries.set(only.id, { tries, reason });
          if (tries >= this.maxRowTries) {
            dead.push({ row: only, reason, tries });
            this.rowTries.delete(only.id);
            continue;
          }
          // Left in place for its next try; the rows behind it go on meanwhile.
          this.logger.warn('outbox relay: the broker refused a row; trying it again later', {
            table: this.table,
            id: only.id,
            topic: only.topic,
            tries,
            reason,
          });
        }
      }

      if (dead.length > 0) {
        await manager.query(
          `INSERT INTO ${this.deadLetterTable}
             (id, topic, message_key, value, headers, created_at, reason, attempts)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::jsonb[],
                                $6::timestamptz[], $7::text[], $8::int[])
           ON CONFLICT (id) DO NOTHING`,
          [
            dead.map((d) => d.row.id),
            dead.map((d) => d.row.topic),
            dead.map((d) => d.row.message_key),
            dead.map((d) => d.row.value),
            dead.map((d) => JSON.stringify(d.row.headers ?? {})),
            dead.map((d) => d.row.created_at),
            dead.map((d) => d.reason),
            dead.map((d) => d.tries),
          ],
        );
      }
      const gone = [...sent, ...dead.map((d) => d.row.id)];
      if (gone.length > 0) {
        await manager.query(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [gone]);
      }
      const last = rows.at(-1);
      if (failure === undefined && this.isolateThrough !== undefined && last) {
        if (BigInt(last.id) >= this.isolateThrough) this.isolateThrough = undefined;
      }
      // Nothing moved: the caller backs off. Something did: it is committed, the rest waits.
      if (failure !== undefined && gone.length === 0) throw failure;
      return {
        locked: true,
        published: sent.length,
        deadLettered: dead.length,
        read: rows.length,
        deadRows: dead.map((d) => ({ id: d.row.id, topic: d.row.topic, reason: d.reason })),
      };
    });
    // Told once the move is committed.
    for (const row of deadRows) {
      this.logger.error('outbox relay: row dead-lettered', { table: this.deadLetterTable, ...row });
      this.onDeadLetter?.(row);
    }
    return result;
  }

  /** Rows waiting, the oldest one's age, and rows dead-lettered so far. */
  async backlog(): Promise<OutboxBacklog> {
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT count(*) FROM ${this.table})::int AS rows,
              COALESCE(EXTRACT(EPOCH FROM now() - (SELECT min(created_at) FROM ${this.table})), 0)::float8 AS age,
              (SELECT count(*) FROM ${this.deadLetterTable})::int AS dead`,
    )) as [{ rows: number; age: number; dead: number }];
    return { rows: row.rows, oldestAgeSeconds: row.age, deadLetters: row.dead };
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
        const poll = await this.pollOnce();
        full = poll.read === this.batchSize && poll.published + poll.deadLettered > 0;
        failures = 0;
      } catch (error) {
        failures += 1;
        this.report(error, failures);
        await this.sleep(backoffMs(failures, this.retryInitialMs, this.retryMaxMs), false);
        continue;
      }
      // A full batch means more may be waiting: poll again at once.
      if (!full) {
        await this.sleep(this.listener ? this.listeningPollIntervalMs : this.pollIntervalMs, true);
      }
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
