import type { DeliveryLogEvent } from '@hookline/contracts';
import { type DeliveryState, evolveDelivery } from '@hookline/deliveries-domain';
import {
  inTransaction,
  jsonbSafe,
  LOG_START,
  type LogPosition,
  readLogAfter,
} from '@hookline/shared-event-store';
import type { DataSource, EntityManager } from 'typeorm';
import { idempotencyKey } from './idempotency-key';

/** One row of `delivery_events` as `readAfter` returns it. */
export interface DeliveryLogEntry {
  /** Unique and increasing in insert order, but NOT in commit order: see `readAfter`. */
  readonly globalPosition: bigint;
  /** The id (xid8) of the transaction that appended the event. */
  readonly transactionId: bigint;
  readonly event: DeliveryLogEvent;
}

/** A `deliveries` row as `append` reads it before writing; `created_at` to the microsecond. */
/** A `deliveries` row as {@link DeliveryLogStore.lock} returns it, locked for its transaction. */
export interface KnownDelivery {
  readonly delivery_id: string;
  readonly state: DeliveryState;
  readonly created_at: string;
  readonly test: boolean;
}

export interface DeliveryLogPage {
  readonly entries: DeliveryLogEntry[];
  /** Where the next `readAfter` continues; unchanged when `entries` is empty. */
  readonly position: LogPosition;
}

/**
 * The append-only delivery event log. One `append` is one transaction: the new log rows and the
 * `deliveries` and `webhook_stats` projections. `DeliveryLogRelay` publishes the log to the
 * delivery-log topic by tailing it.
 */
export class DeliveryLogStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends `events` in order; an event already recorded (same idempotency key) is skipped, and
   * only what is new moves the projections (and reaches the delivery-log topic). Returns the new
   * events.
   *
   * `locked`: the rows of the events' deliveries the caller locked with {@link lock} in this
   * transaction (`manager`), so they are not read and locked a second time.
   */
  async append(
    events: readonly DeliveryLogEvent[],
    manager?: EntityManager,
    locked?: readonly KnownDelivery[],
  ): Promise<DeliveryLogEvent[]> {
    if (events.length === 0) return [];
    const run = (m: EntityManager) =>
      this.appendIn(m, events, manager === undefined ? undefined : locked);
    return manager ? run(manager) : inTransaction(this.dataSource, run);
  }

  /** One delivery's log, oldest first. */
  async history(deliveryId: string): Promise<DeliveryLogEvent[]> {
    const rows: Array<{ data: DeliveryLogEvent }> = await this.dataSource.query(
      `SELECT data FROM delivery_events WHERE delivery_id = $1 ORDER BY global_position`,
      [deliveryId],
    );
    return rows.map((row) => row.data);
  }

  /**
   * The log after `after`, in (transaction id, global position) order, for tailing it (a
   * projection, an export) with a stored checkpoint: pass the returned `position` to the next
   * call. Gap-safe, as the event store's `readAll`: it returns only rows of transactions older
   * than the oldest other transaction of this database still running (`tailHorizon`), so a row
   * that commits later can never sort before the returned position. A bare global position
   * cannot be the checkpoint: positions are taken at insert, so a transaction that commits late
   * leaves a lower position behind a higher one already read. The price: a long-running
   * transaction in this database holds the reader back until it ends. Per delivery, this order
   * is the order of its log.
   */
  async readAfter(after: LogPosition = LOG_START, limit = 1000): Promise<DeliveryLogPage> {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError('limit must be an integer >= 1');
    const rows = await readLogAfter<{
      global_position: string;
      transaction_id: string;
      data: DeliveryLogEvent;
    }>(this.dataSource, {
      table: 'delivery_events',
      columns: 'ev.global_position, ev.transaction_id::text AS transaction_id, ev.data',
      after,
      limit,
    });
    const entries = rows.map((row) => ({
      globalPosition: BigInt(row.global_position),
      transactionId: BigInt(row.transaction_id),
      event: row.data,
    }));
    const last = entries.at(-1);
    return {
      entries,
      position: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : after,
    };
  }

  private async appendIn(
    manager: EntityManager,
    events: readonly DeliveryLogEvent[],
    locked: readonly KnownDelivery[] | undefined,
  ) {
    // The deliveries first (locked): each event is placed in its delivery's week, by the
    // delivery's creation time, which is also what makes its idempotency key unique.
    const known =
      locked ??
      (await this.lock(
        manager,
        events.map((e) => e.deliveryId),
      ));
    const added = await this.insertEvents(manager, events, known);
    await this.project(manager, added, known);
    return added;
  }

  /**
   * Inserts `given` in order, in the transaction of `manager` whose deliveries `known` holds
   * (locked); an event already recorded (same idempotency key) is skipped. Returns the new
   * events, as stored: {@link project} moves the projections by them.
   */
  async insertEvents(
    manager: EntityManager,
    given: readonly DeliveryLogEvent[],
    known: readonly KnownDelivery[],
  ): Promise<DeliveryLogEvent[]> {
    if (given.length === 0) return [];
    // What a receiver answered (a NUL byte, a broken surrogate) is stored escaped: jsonb would
    // refuse it, fail the transaction and have the call made again.
    const events = given.map((event) => jsonbSafe(event));
    const keys = events.map(idempotencyKey);
    const createdAt = new Map(known.map((row) => [row.delivery_id, row.created_at]));
    for (const event of events) {
      if (!createdAt.has(event.deliveryId)) createdAt.set(event.deliveryId, event.recordedAt);
    }
    // The rows as one JSON document: pg would escape each event again as an element of an
    // array literal, and the server parse that before parsing each element as JSON.
    const inserted: Array<{ idempotency_key: string }> = await manager.query(
      `INSERT INTO delivery_events
         (idempotency_key, delivery_id, webhook_id, company, type, schema_version, data, recorded_at,
          delivery_created_at)
       SELECT e.key, e.delivery_id, e.webhook_id, e.company, e.type, 1, e.data, e.recorded_at,
              e.delivery_created_at
         FROM jsonb_to_recordset($1::jsonb)
              AS e(n int, key text, delivery_id text, webhook_id text, company text, type text,
                   data jsonb, recorded_at timestamptz, delivery_created_at timestamptz)
        ORDER BY e.n
       ON CONFLICT (idempotency_key, delivery_created_at) DO NOTHING
       RETURNING idempotency_key`,
      [
        JSON.stringify(
          events.map((e, n) => ({
            n,
            key: keys[n],
            delivery_id: e.deliveryId,
            webhook_id: e.webhookId,
            company: e.company,
            type: e.type,
            data: e,
            recorded_at: e.recordedAt,
            delivery_created_at: createdAt.get(e.deliveryId),
          })),
        ),
      ],
    );
    // The first event of each newly inserted key is new; repeats in the batch are not.
    const fresh = new Set(inserted.map((row) => row.idempotency_key));
    return events.filter((_, i) => fresh.delete(keys[i] ?? ''));
  }

  /**
   * Moves the `deliveries` and `webhook_stats` projections by `added` (what
   * {@link insertEvents} returned), in the transaction of `manager`. Both statements are sent at
   * once: a caller that has more to write in the transaction sends it beside this, and the
   * connection runs them back to back instead of a round trip through the event loop each.
   */
  project(
    manager: EntityManager,
    added: readonly DeliveryLogEvent[],
    known: readonly KnownDelivery[],
  ): Promise<unknown> {
    if (added.length === 0) return Promise.resolve();
    const testDeliveries = new Set(known.filter((r) => r.test).map((r) => r.delivery_id));
    const seen = new Set(known.map((r) => r.delivery_id));
    for (const event of added) {
      // A delivery is a test one by its first request; a manual retry later changes the round's
      // trigger in `state`, not what the delivery is.
      if (!seen.has(event.deliveryId) && event.trigger === 'test') {
        testDeliveries.add(event.deliveryId);
      }
      seen.add(event.deliveryId);
    }
    return Promise.all([
      this.projectDeliveries(manager, added, known, testDeliveries),
      this.projectStats(manager, added, testDeliveries),
    ]);
  }

  /**
   * The `deliveries` rows of those deliveries that exist, locked for the transaction of
   * `manager` in id order (two transactions never lock them crosswise).
   */
  async lock(manager: EntityManager, deliveryIds: readonly string[]): Promise<KnownDelivery[]> {
    return manager.query(
      `SELECT delivery_id, state, test,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
         FROM deliveries WHERE delivery_id = ANY($1) ORDER BY delivery_id FOR UPDATE`,
      [[...new Set(deliveryIds)]],
    );
  }

  /** Moves the `deliveries` rows (`tests`: which of the deliveries are test deliveries). */
  private async projectDeliveries(
    manager: EntityManager,
    events: readonly DeliveryLogEvent[],
    rows: readonly KnownDelivery[],
    tests: ReadonlySet<string>,
  ): Promise<void> {
    const ids = [...new Set(events.map((e) => e.deliveryId))];
    const states = new Map(rows.map((r) => [r.delivery_id, r.state]));
    const created = new Map(rows.map((r) => [r.delivery_id, r.created_at]));
    for (const event of events) {
      states.set(event.deliveryId, evolveDelivery(states.get(event.deliveryId), event));
      if (!created.has(event.deliveryId)) created.set(event.deliveryId, event.recordedAt);
    }
    const changed = ids.flatMap((id) => {
      const state = states.get(id);
      return state ? [{ state, createdAt: created.get(id) ?? state.updatedAt }] : [];
    });
    // One statement for the lot (a chunk of intake is hundreds of deliveries), its rows as one
    // JSON document.
    await manager.query(
      `INSERT INTO deliveries (delivery_id, webhook_id, company, event_id, event_type, status, attempts,
                               next_attempt_at, last_status_code, last_error, created_at, updated_at, state,
                               test)
       SELECT d.delivery_id, d.webhook_id, d.company, d.event_id, d.event_type, d.status, d.attempts,
              d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.updated_at, d.state,
              d.test
         FROM jsonb_to_recordset($1::jsonb)
              AS d(delivery_id text, webhook_id text, company text, event_id text, event_type text,
                   status text, attempts int, next_attempt_at timestamptz, last_status_code int,
                   last_error text, created_at timestamptz, updated_at timestamptz, state jsonb,
                   test boolean)
       ON CONFLICT (delivery_id, created_at) DO UPDATE SET
         status = EXCLUDED.status, attempts = EXCLUDED.attempts,
         next_attempt_at = EXCLUDED.next_attempt_at, last_status_code = EXCLUDED.last_status_code,
         last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at, state = EXCLUDED.state`,
      [
        JSON.stringify(
          changed.map(({ state, createdAt }) => ({
            delivery_id: state.deliveryId,
            webhook_id: state.webhookId,
            company: state.company,
            event_id: state.eventId,
            event_type: state.eventType,
            status: state.status,
            attempts: state.attempts,
            next_attempt_at: state.nextAttemptAt,
            last_status_code: state.lastStatusCode,
            last_error: state.lastError,
            created_at: createdAt,
            updated_at: state.updatedAt,
            state,
            test: tests.has(state.deliveryId),
          })),
        ),
      ],
    );
  }

  /**
   * The seed's statistics count calls: every attempt, successful or failed. Test calls (trigger
   * `test`) and any call of a test delivery are an admin's check, not traffic: they are left
   * out, as the worker leaves them out of the failure streak.
   */
  private async projectStats(
    manager: EntityManager,
    events: readonly DeliveryLogEvent[],
    testDeliveries: ReadonlySet<string>,
  ) {
    // Folded per webhook first, so a batch moves each stats row once, in log order.
    const byWebhook = new Map<
      string,
      {
        company: string;
        ok: number;
        failed: number;
        trailing: number;
        last: string;
      }
    >();
    for (const event of events) {
      if (event.type !== 'AttemptSucceeded' && event.type !== 'AttemptFailed') continue;
      if (event.trigger === 'test' || testDeliveries.has(event.deliveryId)) continue;
      const ok = event.type === 'AttemptSucceeded';
      const sum = byWebhook.get(event.webhookId) ?? {
        company: event.company,
        ok: 0,
        failed: 0,
        trailing: 0,
        last: event.recordedAt,
      };
      if (ok) {
        sum.ok += 1;
        sum.trailing = 0;
      } else {
        sum.failed += 1;
        sum.trailing += 1;
      }
      if (event.recordedAt > sum.last) sum.last = event.recordedAt;
      byWebhook.set(event.webhookId, sum);
    }
    if (byWebhook.size === 0) return;
    // One statement, in webhook order: two workers recording at once never lock rows crosswise.
    await manager.query(
      `INSERT INTO webhook_stats AS s (webhook_id, company, total_calls, successful_calls, failed_calls,
                                       consecutive_failures, last_triggered_at)
       SELECT w.webhook_id, w.company, w.ok + w.failed, w.ok, w.failed, w.trailing_failures, w.last
         FROM jsonb_to_recordset($1::jsonb)
              AS w(webhook_id text, company text, ok int, failed int, trailing_failures int,
                   last timestamptz)
        ORDER BY w.webhook_id
       ON CONFLICT (webhook_id) DO UPDATE SET
         total_calls = s.total_calls + EXCLUDED.total_calls,
         successful_calls = s.successful_calls + EXCLUDED.successful_calls,
         failed_calls = s.failed_calls + EXCLUDED.failed_calls,
         -- A success in the batch ends the run: the count is the failures after the last one.
         consecutive_failures = CASE
           WHEN EXCLUDED.successful_calls > 0 THEN EXCLUDED.consecutive_failures
           ELSE s.consecutive_failures + EXCLUDED.consecutive_failures END,
         last_triggered_at = GREATEST(s.last_triggered_at, EXCLUDED.last_triggered_at)`,
      [
        JSON.stringify(
          [...byWebhook]
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([webhookId, sum]) => ({
              webhook_id: webhookId,
              company: sum.company,
              ok: sum.ok,
              failed: sum.failed,
              trailing_failures: sum.trailing,
              last: sum.last,
            })),
        ),
      ],
    );
  }
}
