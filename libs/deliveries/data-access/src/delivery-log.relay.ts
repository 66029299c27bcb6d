import { KAFKA_HEADERS, KAFKA_TOPICS } from '@hookline/contracts';
import {
  backoffMs,
  type OutboxProducer,
  type OutboxRelayLogger,
  type PollResult,
  relayProducer,
  rowFault,
  splitByBytes,
  readLogAfter,
  TAIL_HORIZON_SQL,
} from '@hookline/shared-event-store';
import type { Kafka, Message } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';

interface DeliveryLogRelayBaseOptions {
  readonly dataSource: DataSource;
  readonly logger: OutboxRelayLogger;
  /** The delivery-log topic of the catalog (`HOOKLINE_DELIVERY_LOG_TOPIC`). */
  readonly topic?: string;
  /** Events read per poll (one transaction); default 1000. */
  readonly batchSize?: number;
  /**
   * Wait between polls when nothing told this process of new events; default 2000 ms. Events
   * this process appends wake it at once ({@link DeliveryLogRelay.notify}), so the poll only
   * picks up what another process's relay left (it died, or lost the race for the lock).
   */
  readonly pollIntervalMs?: number;
  /**
   * The least time from one poll's start to the next when told of new events; default 100 ms.
   * A busy worker commits an intake or an outcome batch every few milliseconds and tells the
   * relay of each: a poll per commit was a database transaction of four statements and a Kafka
   * transaction of three requests for a handful of events. Told again within this time, the relay
   * waits out the rest and takes everything committed meanwhile in one poll. An idle relay told
   * of one commit still polls at once.
   */
  readonly minPollGapMs?: number;
  /** Backoff after a failed poll: doubles from `retryInitialMs` (200) up to `retryMaxMs` (5000). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** The advisory lock id shared by every relay of the delivery log (per database). */
  readonly lockId?: bigint;
  /** Bytes of message values and keys per `sendBatch`; default 512 KiB. */
  readonly maxBatchBytes?: number;
  /** Tries of an event the broker refuses for a reason of its own before it is dead-lettered; default 3. */
  readonly maxRowTries?: number;
  /** Told of each event dead-lettered (for a metric). */
  readonly onDeadLetter?: (row: { topic: string; reason: string }) => void;
}

export type DeliveryLogRelayOptions = DeliveryLogRelayBaseOptions &
  (
    | { readonly kafka: Kafka; readonly producer?: never }
    | { readonly producer: OutboxProducer; readonly kafka?: never }
  );

/** Where the tail stands: two bigints, compared in this order. */
interface TailPosition {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

interface LogRow {
  readonly transaction_id: string;
  readonly global_position: string;
  readonly delivery_id: string;
  readonly message_key: string;
  readonly value: string;
  readonly schema_version: number;
  readonly correlation_id: string | null;
}

/** 'hooklog!' in ASCII: the default advisory lock id of the delivery-log relay. */
export const DEFAULT_DELIVERY_LOG_LOCK_ID = 0x686f6f6b6c6f6721n;

const positionOf = (row: LogRow): TailPosition => ({
  transactionId: BigInt(row.transaction_id),
  globalPosition: BigInt(row.global_position),
});

const after = (a: TailPosition, b: TailPosition) =>
  a.transactionId > b.transactionId ||
  (a.transactionId === b.transactionId && a.globalPosition > b.globalPosition);

/**
 * The checkpoint as a row of two values computed once per statement, so that the comparison with
 * it is a range condition on `delivery_events_transaction_position_idx` (a join to the checkpoint
 * table would compare row by row).
 */
const CHECKPOINT = `((SELECT transaction_id FROM delivery_log_relay WHERE id = 1),
                     (SELECT global_position FROM delivery_log_relay WHERE id = 1))`;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Publishes the delivery log to the delivery-log topic by tailing `delivery_events` (ADR 0014),
 * keyed by webhook id, so in log order per delivery; at least once.
 *
 * Each poll is one transaction: `pg_try_advisory_xact_lock` (one relay of the fleet publishes at
 * a time; the others skip the poll), the checkpoint, up to `batchSize` events after it in
 * (transaction id, global position) order of transactions older than any of this database still
 * running (`tailHorizon`: an event that commits late is never passed over), sent in runs
 * with an idempotent producer, then the checkpoint moved past what was sent, commit. A relay
 * that dies after the broker acknowledged but before the commit leaves the checkpoint behind:
 * the next poll, by any relay, sends those events again (a duplicate, never a loss).
 *
 * A checkpoint cannot skip an event and come back to it: an event the broker refuses for a
 * reason of its own holds the events behind it for `maxRowTries` polls, then is dead-lettered
 * (`delivery_log_dead_letters`, with the reason) and the tail goes on.
 */
export class DeliveryLogRelay {
  private readonly dataSource: DataSource;
  private readonly logger: OutboxRelayLogger;
  private readonly producer: OutboxProducer;
  private readonly topic: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly minPollGapMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly lockId: string;
  private readonly maxBatchBytes: number;
  private readonly maxRowTries: number;
  private readonly onDeadLetter: DeliveryLogRelayBaseOptions['onDeadLetter'];
  /** Tries of the event the broker refused at the head of the tail. */
  private refused: { position: TailPosition; tries: number } | undefined;
  /** Events up to this position are sent one at a time: a run of them failed, one may be at fault. */
  private isolateThrough: TailPosition | undefined;

  private connecting: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private running = false;
  private woken = false;
  private wake: (() => void) | undefined;
  /** When the last poll of the loop started (this process's clock). */
  private lastPollAt = Number.NEGATIVE_INFINITY;

  constructor(options: DeliveryLogRelayOptions) {
    this.dataSource = options.dataSource;
    this.logger = options.logger;
    this.producer =
      options.producer ??
      relayProducer(options.kafka, (message, fields) => this.logger.warn(message, fields));
    this.topic = options.topic ?? KAFKA_TOPICS.webhooksDeliveryLog;
    this.batchSize = options.batchSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.minPollGapMs = options.minPollGapMs ?? 100;
    this.retryInitialMs = options.retryInitialMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    this.lockId = (options.lockId ?? DEFAULT_DELIVERY_LOG_LOCK_ID).toString();
    this.maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
    this.maxRowTries = options.maxRowTries ?? 3;
    this.onDeadLetter = options.onDeadLetter;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new TypeError('DeliveryLogRelay: batchSize must be an integer >= 1');
    }
  }

  /** Connects the producer and starts tailing in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.connect();
    this.running = true;
    this.loop = this.run();
  }

  /** Polls now: events were just appended (their transaction committed). */
  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Stops after the poll in hand (published and checkpointed, or rolled back), then disconnects. */
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
   * Resolves once every event committed when it was called has been published (by this relay or
   * another one holding the lock). Retries failures with backoff; rejects after `timeoutMs`.
   * Connects the producer if needed: call `stop()` afterwards to disconnect it.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    await this.connect();
    const [last] = (await this.dataSource.query(
      `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position
         FROM delivery_events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    )) as LogRow[];
    if (last === undefined) return;
    const target = positionOf(last);
    let failures = 0;
    while (after(target, await this.checkpoint(this.dataSource.manager))) {
      if (Date.now() > deadline) {
        throw new Error('DeliveryLogRelay.drain: the log is still not published after the timeout');
      }
      try {
        const result = await this.pollOnce();
        failures = 0;
        if (!result.locked || result.read === 0) await delay(50);
      } catch (error) {
        failures += 1;
        this.report(error, failures);
        await delay(backoffMs(failures, this.retryInitialMs, this.retryMaxMs));
      }
    }
  }

  /** One poll, if this relay gets the lock (see the class). */
  async pollOnce(): Promise<PollResult> {
    const { dead, ...result } = await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(
        `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
        [this.lockId],
      )) as [{ locked: boolean }];
      if (!locked) return { locked: false, published: 0, deadLettered: 0, read: 0, dead: [] };
      const rows = await readLogAfter<LogRow>(manager, {
        table: 'delivery_events',
        columns: `ev.transaction_id::text AS transaction_id, ev.global_position::text AS global_position,
                  ev.delivery_id, ev.webhook_id AS message_key, ev.data::text AS value,
                  ev.schema_version, ev.data->>'correlationId' AS correlation_id`,
        after: await this.checkpoint(manager),
        limit: this.batchSize,
      });
      if (rows.length === 0)
        return { locked: true, published: 0, deadLettered: 0, read: 0, dead: [] };

      const isolate = this.isolateThrough;
      const runs =
        isolate === undefined
          ? splitByBytes(rows, this.maxBatchBytes)
          : [
              ...rows.filter((row) => !after(positionOf(row), isolate)).map((row) => [row]),
              ...splitByBytes(
                rows.filter((row) => after(positionOf(row), isolate)),
                this.maxBatchBytes,
              ),
            ];
      let published = 0;
      let last: LogRow | undefined;
      const dead: Array<{ row: LogRow; reason: string; tries: number }> = [];
      let failure: unknown;
      for (const run of runs) {
        try {
          await this.producer.sendBatch({
            acks: -1,
            topicMessages: [{ topic: this.topic, messages: run.map(toMessage) }],
          });
          published += run.length;
          last = run.at(-1);
          this.refused = undefined;
          continue;
        } catch (error) {
          const fault = rowFault(error);
          const [only] = run;
          failure = error;
          if (fault === undefined || only === undefined) break;
          if (run.length > 1) {
            // One of these events is at fault: send them one at a time from now on.
            const tail = run.at(-1);
            if (tail) this.isolateThrough = positionOf(tail);
            break;
          }
          const reason = `${fault}: ${error instanceof Error ? error.message : String(error)}`;
          const position = positionOf(only);
          const seen = this.refused;
          const tries =
            seen !== undefined && !after(position, seen.position) && !after(seen.position, position)
              ? seen.tries + 1
              : 1;
          this.refused = { position, tries };
          if (tries < this.maxRowTries) {
            this.logger.warn('delivery-log relay: the broker refused an event; trying it again', {
              deliveryId: only.delivery_id,
              tries,
              reason,
            });
            break;
          }
          dead.push({ row: only, reason, tries });
          last = only;
          this.refused = undefined;
          failure = undefined;
        }
      }

      if (dead.length > 0) {
        await manager.query(
          `INSERT INTO delivery_log_dead_letters
             (transaction_id, global_position, delivery_id, topic, reason, attempts)
           SELECT t::xid8, p, d, $4, r, a
             FROM unnest($1::text[], $2::bigint[], $3::text[], $5::text[], $6::int[]) AS x(t, p, d, r, a)
           ON CONFLICT DO NOTHING`,
          [
            dead.map((d) => d.row.transaction_id),
            dead.map((d) => d.row.global_position),
            dead.map((d) => d.row.delivery_id),
            this.topic,
            dead.map((d) => d.reason),
            dead.map((d) => d.tries),
          ],
        );
      }
      if (last !== undefined) {
        await manager.query(
          `UPDATE delivery_log_relay
              SET transaction_id = $1::text::xid8, global_position = $2::bigint, updated_at = now()
            WHERE id = 1`,
          [last.transaction_id, last.global_position],
        );
      }
      const tail = rows.at(-1);
      if (failure === undefined && this.isolateThrough !== undefined && tail) {
        if (!after(this.isolateThrough, positionOf(tail))) this.isolateThrough = undefined;
      }
      // Nothing moved: the caller backs off. Something did: it is committed, the rest waits.
      if (failure !== undefined && last === undefined) throw failure;
      return {
        locked: true,
        published,
        deadLettered: dead.length,
        read: rows.length,
        dead: dead.map((d) => ({ deliveryId: d.row.delivery_id, reason: d.reason })),
      };
    });
    // Told once the move is committed.
    for (const row of dead) {
      this.logger.error('delivery-log relay: event dead-lettered', {
        table: 'delivery_log_dead_letters',
        topic: this.topic,
        ...row,
      });
      this.onDeadLetter?.({ topic: this.topic, reason: row.reason });
    }
    return result;
  }

  /**
   * Whether an event after the checkpoint could be published now. One statement, so its horizon
   * may miss a transaction that ended while it ran: a hint for the next poll, which reads safely.
   */
  private async anyWaiting(): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT EXISTS (
         SELECT 1 FROM delivery_events ev
          WHERE (ev.transaction_id, ev.global_position) > ${CHECKPOINT}
            AND ev.transaction_id < (${TAIL_HORIZON_SQL})::xid8
          ORDER BY ev.transaction_id, ev.global_position LIMIT 1) AS waiting`,
    )) as [{ waiting: boolean }];
    return row.waiting;
  }

  /** Seconds since the oldest event not yet published was recorded; 0 when none waits. */
  async lagSeconds(): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(ev.recorded_at)), 0)::float8 AS lag
         FROM (SELECT ev.recorded_at FROM delivery_events ev
                WHERE (ev.transaction_id, ev.global_position) > ${CHECKPOINT}
                ORDER BY ev.transaction_id, ev.global_position LIMIT 1) ev`,
    )) as [{ lag: number }];
    return Math.max(0, row.lag);
  }

  private async checkpoint(manager: EntityManager): Promise<TailPosition> {
    const [row] = (await manager.query(
      `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position
         FROM delivery_log_relay WHERE id = 1`,
    )) as LogRow[];
    if (row === undefined) throw new Error('delivery_log_relay has no checkpoint row');
    return positionOf(row);
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
      // Told soon after the last poll: what commits in the rest of the gap joins this poll.
      const gap = this.lastPollAt + this.minPollGapMs - Date.now();
      if (this.woken && gap > 0) {
        await this.sleep(gap, false);
        if (!this.running) break;
      }
      const told = this.woken;
      this.woken = false;
      let poll: PollResult;
      try {
        // Untold, an idle relay looks first, in one statement, rather than open a poll's
        // transaction every interval for nothing.
        if (!told && failures === 0 && !(await this.anyWaiting())) {
          await this.sleep(this.pollIntervalMs, true);
          continue;
        }
        this.lastPollAt = Date.now();
        poll = await this.pollOnce();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.report(error, failures);
        await this.sleep(backoffMs(failures, this.retryInitialMs, this.retryMaxMs), false);
        continue;
      }
      // A full batch means more may be waiting: poll again at once. Told of new events while
      // another relay held the lock: that relay may have read before they committed, so soon.
      if (poll.read === this.batchSize && poll.published + poll.deadLettered > 0) continue;
      if (!poll.locked && told) await this.sleep(50, false);
      else await this.sleep(this.pollIntervalMs, true);
    }
  }

  /** Waits `ms`; `stop()` always cuts it short, `notify()` only when `wakeable`. */
  private async sleep(ms: number, wakeable: boolean): Promise<void> {
    if (!this.running || (wakeable && this.woken)) return;
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
  }

  private report(error: unknown, failures: number): void {
    const fields = { topic: this.topic, failures, error: String(error) };
    // The first failure and then every tenth: a broker away for minutes is one line a minute.
    if (failures === 1 || failures % 10 === 0) {
      this.logger.warn('delivery-log relay: poll failed; retrying', fields);
    }
  }
}

function toMessage(row: LogRow): Message {
  return {
    key: row.message_key,
    value: row.value,
    headers: {
      [KAFKA_HEADERS.messageType]: 'DeliveryLogEvent',
      [KAFKA_HEADERS.schemaVersion]: String(row.schema_version),
      ...(row.correlation_id === null ? {} : { [KAFKA_HEADERS.correlationId]: row.correlation_id }),
    },
  };
}
