import type { DeliveryLogEvent, DeliveryRequested, EventType } from '@hookline/contracts';
import type { DeliveryStatus } from '@hookline/deliveries-domain';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { pipeline, type Readable, Transform } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import {
  ACTIVITY_MAX_HOURS,
  type ActivityBucket,
  type ActivityWindow,
  type DeliveryAttempt,
  type DeliveryDetail,
  type DeliveryReads,
  type DeliverySummary,
  type ExportRow,
  HISTORY_STATUS_MAP,
  HISTORY_STATUSES,
  type HistoryFilter,
  type HistoryPage,
  type HistoryPageRequest,
  type HistoryStatus,
  type ReplayPage,
  type ReplayPageQuery,
  type WebhookStats,
} from './delivery-queries';
import { decodeCursor, encodeCursor } from './history-cursor';
import { webhookStats } from './recompute-stats';

/** The largest history page. */
export const HISTORY_MAX_LIMIT = 200;

/** Rows the export fetches from its cursor per round trip. */
const EXPORT_BATCH_ROWS = 500;

const ATTEMPT_TYPES = ['AttemptSucceeded', 'AttemptFailed'] as const;

const STATUS_OF: ReadonlyMap<string, HistoryStatus> = new Map(
  HISTORY_STATUSES.flatMap((status) =>
    HISTORY_STATUS_MAP[status].map((stored) => [stored, status] as const),
  ),
);

interface DeliveryRow {
  delivery_id: string;
  webhook_id: string;
  event_id: string;
  event_type: EventType;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  test: boolean;
  /** `created_at` with its microseconds, for the cursor. */
  cursor_at: string;
}

interface ExportSqlRow {
  delivery_id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  type: string;
  attempt: number;
  trigger: string;
  at: string;
  url: string | null;
  status_code: number | null;
  failure_class: string | null;
  error: string | null;
  duration_ms: number | null;
}

const SUMMARY_COLUMNS = `d.delivery_id, d.webhook_id, d.event_id, d.event_type, d.status, d.attempts,
  d.last_status_code, d.last_error, d.next_attempt_at, d.created_at, d.updated_at, d.test,
  to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

/** The WHERE conditions of a history filter on `deliveries d`; pushes their parameters. */
function filterConditions(filter: HistoryFilter, params: unknown[]): string[] {
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = [`d.company = ${param(filter.company)}`];
  if (filter.webhookId !== undefined) conditions.push(`d.webhook_id = ${param(filter.webhookId)}`);
  if (filter.eventType !== undefined) conditions.push(`d.event_type = ${param(filter.eventType)}`);
  if (filter.status !== undefined) {
    const statuses = HISTORY_STATUS_MAP[filter.status];
    if (!statuses) throw new RangeError(`status must be one of ${HISTORY_STATUSES.join(', ')}`);
    conditions.push(`d.status = ANY(${param(statuses)}::text[])`);
  }
  if (filter.from !== undefined) {
    conditions.push(`d.created_at >= ${param(isoDate(filter.from, 'from'))}::timestamptz`);
  }
  if (filter.to !== undefined) {
    conditions.push(`d.created_at < ${param(isoDate(filter.to, 'to'))}::timestamptz`);
  }
  return conditions;
}

function isoDate(date: Date, name: string): string {
  if (Number.isNaN(date.getTime())) throw new RangeError(`${name} is not a valid date`);
  return date.toISOString();
}

function toSummary(row: DeliveryRow): DeliverySummary {
  const status = STATUS_OF.get(row.status);
  if (!status) throw new Error(`delivery ${row.delivery_id} has an unknown status ${row.status}`);
  return {
    id: row.delivery_id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status,
    attemptCount: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    test: row.test,
  };
}

function toAttempt(event: DeliveryLogEvent): DeliveryAttempt {
  return {
    attempt: event.attempt ?? 0,
    trigger: event.trigger,
    at: event.recordedAt,
    url: event.url ?? null,
    requestHeaders: event.requestHeaders ?? null,
    requestBody: event.requestBody ?? null,
    statusCode: event.statusCode,
    responseHeaders: event.responseHeaders ?? null,
    responseBody: event.responseBody ?? null,
    responseTruncated: event.responseTruncated ?? null,
    failureClass: event.failureClass ?? null,
    error: event.error,
    durationMs: event.durationMs,
  };
}

function toExportRow(row: ExportSqlRow): ExportRow {
  return {
    deliveryId: row.delivery_id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    attempt: row.attempt,
    trigger: row.trigger,
    at: row.at,
    url: row.url,
    statusCode: row.status_code,
    outcome: row.type === 'AttemptSucceeded' ? 'succeeded' : 'failed',
    failureClass: row.failure_class,
    error: row.error,
    durationMs: row.duration_ms,
  };
}

/**
 * The read side of the delivery log (see the README's "Reading the history"): history pages,
 * one delivery with its attempts, statistics, the CSV export's rows, and what a replay sends.
 * Every query is scoped to one company.
 */
export class DeliveryQueries implements DeliveryReads {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A page of the history, newest first by (created at, delivery id). The cursor is the last
   * row's key, so deliveries that arrive between pages (newer than any cursor) never shift a
   * page: no gaps, no repeats.
   *
   * @throws InvalidCursorError when `cursor` is not one a page returned.
   * @throws RangeError when `limit` is not an integer in 1..200.
   */
  async list(request: HistoryPageRequest): Promise<HistoryPage> {
    const { limit } = request;
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_MAX_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${HISTORY_MAX_LIMIT}`);
    }
    const params: unknown[] = [];
    // The status goes in per branch below, not as `status = ANY(…)`.
    const conditions = filterConditions({ ...request, status: undefined }, params);
    if (request.cursor !== undefined) {
      const after = decodeCursor(request.cursor);
      params.push(after.createdAt, after.deliveryId);
      conditions.push(
        `(d.created_at, d.delivery_id) < ($${params.length - 1}::timestamptz, $${params.length})`,
      );
    }
    params.push(limit + 1);
    const take = `$${params.length}`;
    const page = (extra: string[]) =>
      `SELECT ${SUMMARY_COLUMNS} FROM deliveries d
        WHERE ${[...conditions, ...extra].join(' AND ')}
        ORDER BY d.created_at DESC, d.delivery_id DESC LIMIT ${take}`;
    let sql = page([]);
    if (request.status !== undefined) {
      const statuses = HISTORY_STATUS_MAP[request.status];
      if (!statuses) throw new RangeError(`status must be one of ${HISTORY_STATUSES.join(', ')}`);
      // One ordered index range per stored status, merged: `status = ANY(…)` of two statuses
      // cannot read (company, status, created_at) in order and would scan the whole company.
      const branches = statuses.map((status) => {
        params.push(status);
        return `(${page([`d.status = $${params.length}`])})`;
      });
      sql =
        branches.length === 1
          ? (branches[0] ?? '')
          : `SELECT * FROM (${branches.join(' UNION ALL ')}) AS d
              ORDER BY d.created_at DESC, d.delivery_id DESC LIMIT ${take}`;
    }
    const rows: DeliveryRow[] = await this.dataSource.query(sql, params);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(toSummary),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ createdAt: last.cursor_at, deliveryId: last.delivery_id })
          : null,
    };
  }

  async get(company: string, deliveryId: string): Promise<DeliveryDetail | undefined> {
    const [row]: DeliveryRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM deliveries d WHERE d.company = $1 AND d.delivery_id = $2`,
      [company, deliveryId],
    );
    if (!row) return undefined;
    const [attempts, requests]: [
      Array<{ data: DeliveryLogEvent }>,
      Array<{ request: DeliveryRequested }>,
    ] = await Promise.all([
      this.dataSource.query(
        // The delivery's creation time names the one week its events are in.
        `SELECT data FROM delivery_events
          WHERE delivery_id = $1 AND company = $2 AND type = ANY($3::text[])
            AND delivery_created_at = $4::timestamptz
          ORDER BY global_position`,
        [deliveryId, company, ATTEMPT_TYPES, row.cursor_at],
      ),
      // The request as accepted at intake; a delivery only ever re-opened by hand has none.
      this.dataSource.query(
        `SELECT request FROM (
           SELECT request, 1 AS preference FROM delivery_requests
            WHERE delivery_id = $1 AND company = $2 AND recorded_at = $3::timestamptz
           UNION ALL
           SELECT request, 2 FROM delivery_queue WHERE delivery_id = $1 AND request IS NOT NULL
         ) AS r ORDER BY preference LIMIT 1`,
        [deliveryId, company, row.cursor_at],
      ),
    ]);
    const request = requests[0]?.request;
    if (!request) {
      throw new Error(`delivery ${deliveryId} has no accepted request: it was not taken in`);
    }
    return {
      ...toSummary(row),
      attempts: attempts.map((a) => toAttempt(a.data)),
      request,
    };
  }

  /**
   * Per webhook: calls from `webhook_stats`, deliveries counted from `deliveries`. Test
   * deliveries and test calls are left out of both. A webhook of another company, or without
   * any delivery, gets zeros.
   */
  async stats(company: string, webhookIds: readonly string[]): Promise<Map<string, WebhookStats>> {
    const ids = [...new Set(webhookIds)];
    if (ids.length === 0) return new Map();
    const [calls, counts]: [
      Array<{
        webhook_id: string;
        total_calls: string;
        successful_calls: string;
        failed_calls: string;
        consecutive_failures: number;
        last_triggered_at: Date | null;
      }>,
      Array<{ webhook_id: string; total: string; succeeded: string; failed: string }>,
    ] = await Promise.all([
      this.dataSource.query(
        `SELECT webhook_id, total_calls, successful_calls, failed_calls, consecutive_failures,
                last_triggered_at
           FROM webhook_stats WHERE company = $1 AND webhook_id = ANY($2::text[])`,
        [company, ids],
      ),
      this.dataSource.query(
        `SELECT webhook_id, count(*) AS total,
                count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                count(*) FILTER (WHERE status = 'failed') AS failed
           FROM deliveries
          WHERE company = $1 AND webhook_id = ANY($2::text[]) AND NOT test
          GROUP BY webhook_id`,
        [company, ids],
      ),
    ]);
    const callsOf = new Map(calls.map((row) => [row.webhook_id, row]));
    const countsOf = new Map(counts.map((row) => [row.webhook_id, row]));
    return new Map(
      ids.map((webhookId) => {
        const call = callsOf.get(webhookId);
        const count = countsOf.get(webhookId);
        return [
          webhookId,
          webhookStats(
            webhookId,
            {
              calls: Number(call?.total_calls ?? 0),
              successfulCalls: Number(call?.successful_calls ?? 0),
              failedCalls: Number(call?.failed_calls ?? 0),
              consecutiveFailures: call?.consecutive_failures ?? 0,
              lastTriggeredAt: call?.last_triggered_at?.toISOString() ?? null,
            },
            {
              totalDeliveries: Number(count?.total ?? 0),
              successfulDeliveries: Number(count?.succeeded ?? 0),
              failedDeliveries: Number(count?.failed ?? 0),
            },
          ),
        ];
      }),
    );
  }

  /**
   * Counts from `deliveries` by (webhook, hour of created_at in UTC, status), read through the
   * (company, created_at) history index.
   *
   * @throws RangeError when the window is empty, reversed or over ACTIVITY_MAX_HOURS.
   */
  async activity(window: ActivityWindow): Promise<ActivityBucket[]> {
    const from = isoDate(window.from, 'from');
    const to = isoDate(window.to, 'to');
    const hours = (window.to.getTime() - window.from.getTime()) / 3_600_000;
    if (!(hours > 0 && hours <= ACTIVITY_MAX_HOURS)) {
      throw new RangeError(
        `the window must be more than 0 and at most ${ACTIVITY_MAX_HOURS} hours`,
      );
    }
    const params: unknown[] = [window.company, from, to];
    let byWebhook = '';
    if (window.webhookId !== undefined) {
      params.push(window.webhookId);
      byWebhook = `AND d.webhook_id = $${params.length}`;
    }
    const rows: Array<{
      webhook_id: string;
      start: string;
      delivered: string;
      failed: string;
      pending: string;
      skipped: string;
    }> = await this.dataSource.query(
      `SELECT d.webhook_id,
              to_char(date_trunc('hour', d.created_at AT TIME ZONE 'UTC'),
                      'YYYY-MM-DD"T"HH24:MI:SS".000Z"') AS start,
              count(*) FILTER (WHERE d.status = ANY($${params.length + 1}::text[])) AS delivered,
              count(*) FILTER (WHERE d.status = ANY($${params.length + 2}::text[])) AS failed,
              count(*) FILTER (WHERE d.status = ANY($${params.length + 3}::text[])) AS pending,
              count(*) FILTER (WHERE d.status = ANY($${params.length + 4}::text[])) AS skipped
         FROM deliveries d
        WHERE d.company = $1
          AND d.created_at >= date_trunc('hour', $2::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
          AND d.created_at < $3::timestamptz
          AND NOT d.test ${byWebhook}
        GROUP BY 1, 2
        ORDER BY 2, 1`,
      [
        ...params,
        HISTORY_STATUS_MAP.delivered,
        HISTORY_STATUS_MAP.failed,
        HISTORY_STATUS_MAP.pending,
        HISTORY_STATUS_MAP.skipped,
      ],
    );
    return rows.map((row) => ({
      webhookId: row.webhook_id,
      start: row.start,
      delivered: Number(row.delivered),
      failed: Number(row.failed),
      pending: Number(row.pending),
      skipped: Number(row.skipped),
    }));
  }

  /**
   * One row per attempt of the deliveries `filter` matches, newest delivery first, a delivery's
   * attempts oldest first. Rows come from a server-side cursor on a connection of its own,
   * fetched as the stream is read; the connection goes back to the pool when the stream ends,
   * and is closed when it fails or is destroyed early.
   */
  async exportAttempts(filter: HistoryFilter): Promise<Readable> {
    const params: unknown[] = [];
    const conditions = filterConditions(filter, params);
    // The same time range on the events' partition key, so both sides skip the weeks outside it.
    const eventRange = conditions
      .filter((c) => c.startsWith('d.created_at'))
      .map((c) => c.replace('d.created_at', 'e.delivery_created_at'));
    params.push(ATTEMPT_TYPES);
    const sql = `SELECT d.delivery_id, d.webhook_id, d.event_id, d.event_type, e.type,
                        (e.data->>'attempt')::int AS attempt, e.data->>'trigger' AS trigger,
                        e.data->>'recordedAt' AS at, e.data->>'url' AS url,
                        (e.data->>'statusCode')::int AS status_code,
                        e.data->>'failureClass' AS failure_class, e.data->>'error' AS error,
                        (e.data->>'durationMs')::float8 AS duration_ms
                   FROM deliveries d
                   JOIN delivery_events e ON e.delivery_id = d.delivery_id AND e.company = d.company
                                         AND e.delivery_created_at = d.created_at
                  WHERE ${[...conditions, ...eventRange].join(' AND ')}
                    AND e.type = ANY($${params.length}::text[])
                  ORDER BY d.created_at DESC, d.delivery_id DESC, e.global_position`;

    const driver = this.dataSource.driver as PostgresDriver;
    const [client, release] = (await driver.obtainMasterConnection()) as [
      PoolClient,
      (error?: Error | boolean) => void,
    ];
    if (
      (client as PoolClient & { connectionParameters?: { query_timeout?: number } })
        .connectionParameters?.query_timeout
    ) {
      release();
      throw new Error(
        'exports need a pool without a client-side query timeout (createDataSource({ clientQueryTimeout: false })): pg never clears it for a cursor',
      );
    }
    let released = false;
    // An error (or an early destroy) may leave the cursor's portal open: the connection is
    // closed then, never handed back to the pool.
    const releaseOnce = (error?: Error | null) => {
      if (released) return;
      released = true;
      release(error ?? undefined);
    };
    let rows: QueryStream;
    try {
      // Each fetch of the cursor is bounded by the server's statement_timeout, which PostgreSQL
      // applies per Execute message; the pool must not arm pg's client-side query timer
      // (`clientQueryTimeout: false`), which a cursor never clears.
      rows = client.query(new QueryStream(sql, params, { batchSize: EXPORT_BATCH_ROWS }));
    } catch (error) {
      releaseOnce(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    const out = new Transform({
      objectMode: true,
      transform(row: ExportSqlRow, _encoding, callback) {
        callback(null, toExportRow(row));
      },
    });
    pipeline(rows, out, (error) => releaseOnce(error));
    return out;
  }

  /**
   * One page of the requests as accepted at intake (from `delivery_requests`) of `webhookId`'s
   * deliveries in `statuses`, created at or after `since` and before `until`, oldest first: what
   * a replay or a recovery sends again, a page at a time. Test deliveries are never replayed.
   */
  async replayPage(query: ReplayPageQuery): Promise<ReplayPage> {
    if (query.statuses.length === 0) return { requests: [] };
    if (!Number.isInteger(query.limit) || query.limit < 1)
      throw new TypeError('limit must be an integer >= 1');
    const rows: Array<{ request: DeliveryRequested; created_at: string; position: string }> =
      await this.dataSource.query(
        // Deliveries taken in one intake transaction share created_at: their place in the log
        // orders them within it. A page takes the next `limit` by time through the index, plus
        // the cursor's own ties, and looks up the log position of those alone. The creation time
        // travels as text, to the microsecond.
        `WITH candidates AS (
           (SELECT d.delivery_id, d.created_at FROM deliveries d
             WHERE d.company = $1 AND d.webhook_id = $2 AND d.status = ANY($3::text[]) AND NOT d.test
               AND ($4::timestamptz IS NULL OR d.created_at >= $4::timestamptz)
               AND ($5::timestamptz IS NULL OR d.created_at < $5::timestamptz)
               AND ($6::timestamptz IS NULL OR d.created_at > $6::timestamptz)
             ORDER BY d.created_at LIMIT $8)
           UNION ALL
           (SELECT d.delivery_id, d.created_at FROM deliveries d
             WHERE $6::timestamptz IS NOT NULL AND d.created_at = $6::timestamptz
               AND d.company = $1 AND d.webhook_id = $2 AND d.status = ANY($3::text[]) AND NOT d.test)
         )
         SELECT r.request, c.created_at::text AS created_at, first.position::text AS position
           FROM candidates c
           JOIN delivery_requests r ON r.delivery_id = c.delivery_id AND r.recorded_at = c.created_at
           CROSS JOIN LATERAL (
             SELECT min(e.global_position) AS position FROM delivery_events e
              WHERE e.delivery_id = c.delivery_id AND e.delivery_created_at = c.created_at
                AND e.type = 'DeliveryRequested') first
          WHERE $6::timestamptz IS NULL
             OR (c.created_at, first.position) > ($6::timestamptz, $7::bigint)
          ORDER BY c.created_at, first.position
          LIMIT $8`,
        [
          query.company,
          query.webhookId,
          query.statuses,
          query.since ? isoDate(query.since, 'since') : null,
          query.until ? isoDate(query.until, 'until') : null,
          query.after?.createdAt ?? null,
          query.after?.position ?? null,
          query.limit,
        ],
      );
    const last = rows.at(-1);
    return {
      requests: rows.map((row) => row.request),
      ...(last && rows.length === query.limit
        ? { next: { createdAt: last.created_at, position: last.position } }
        : {}),
    };
  }
}
