import type { DataSource, EntityManager } from 'typeorm';
import { ConcurrencyConflictError, translateAppendError } from './concurrency-conflict.error';
import { validateTableName } from './table-name';
import { readLogAfter } from './tail-horizon';

export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly [key: string]: unknown;
}

/** An event to append; `type` names never change once released, `schemaVersion` evolves. */
export interface NewEvent<Data = unknown> {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Data;
  readonly metadata?: EventMetadata;
}

export interface StoredEvent<Data = unknown> extends NewEvent<Data> {
  readonly streamId: string;
  /** 1-based position inside the stream; the stream's version after this event. */
  readonly streamPosition: number;
  /** Unique and increasing in insert order, but NOT in commit order: see `readAll`. */
  readonly globalPosition: bigint;
  /** The id (xid8) of the transaction that appended the event. */
  readonly transactionId: bigint;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

/** A point in the whole log, as `readAll` orders it: (transaction id, global position). */
export interface LogPosition {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

/** Before the first event. */
export const LOG_START: LogPosition = Object.freeze({ transactionId: 0n, globalPosition: 0n });

export interface AppendResult {
  /** The stream's version after the append: pass it as the next `expectedVersion`. */
  readonly nextVersion: number;
  /** Global positions of the appended events, in the order given. */
  readonly globalPositions: bigint[];
}

export interface ReadAllResult {
  readonly events: StoredEvent[];
  /** Where the next `readAll` continues; unchanged when `events` is empty. */
  readonly position: LogPosition;
}

export interface PostgresEventStoreOptions {
  /** Default `webhook_events`. Must match /^[a-z_][a-z0-9_]*$/. */
  readonly table?: string;
  /** The unique (stream_id, stream_position) constraint; default `<table>_stream_position_key`. */
  readonly streamPositionConstraint?: string;
}

interface EventRow {
  stream_id: string;
  stream_position: string;
  global_position: string;
  transaction_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

// Qualified, so ORDER BY ev.transaction_id sorts the xid8 column, not this text alias.
const COLUMNS = `ev.stream_id, ev.stream_position, ev.global_position,
  ev.transaction_id::text AS transaction_id, ev.type, ev.schema_version, ev.data, ev.metadata,
  ev.recorded_at`;

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    streamId: row.stream_id,
    streamPosition: Number(row.stream_position),
    globalPosition: BigInt(row.global_position),
    transactionId: BigInt(row.transaction_id),
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

function assertNewEvent(event: NewEvent, index: number): void {
  if (typeof event.type !== 'string' || event.type.length === 0) {
    throw new TypeError(`events[${index}].type must be a non-empty string`);
  }
  if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1) {
    throw new TypeError(`events[${index}].schemaVersion must be an integer >= 1`);
  }
  if (event.data === undefined) throw new TypeError(`events[${index}].data is required`);
}

/**
 * An append-only PostgreSQL event store over one events table (the columns of
 * `webhook_events` after the event store's migrations). Streams are guarded by optimistic
 * concurrency: `append` states the version it decided on, and loses to any writer that got there
 * first with a `ConcurrencyConflictError`, never silently.
 */
export class PostgresEventStore {
  readonly table: string;
  private readonly constraint: string;

  constructor(
    private readonly dataSource: DataSource,
    options: PostgresEventStoreOptions = {},
  ) {
    this.table = validateTableName(options.table ?? 'webhook_events');
    this.constraint = options.streamPositionConstraint ?? `${this.table}_stream_position_key`;
  }

  /** Every event of the stream, oldest first; empty for a stream that does not exist. */
  async readStream(
    streamId: string,
    options: { manager?: EntityManager } = {},
  ): Promise<StoredEvent[]> {
    const manager = options.manager ?? this.dataSource.manager;
    const rows: EventRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM ${this.table} ev WHERE ev.stream_id = $1 ORDER BY ev.stream_position`,
      [streamId],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * Appends `events` after version `expectedVersion` (0: the stream must not exist yet), inside
   * the caller's transaction. Throws `ConcurrencyConflictError` when the stream's version is not
   * `expectedVersion` — or becomes something else because a concurrent transaction commits an
   * append first. After a conflict the caller's transaction is aborted: roll it back and retry.
   */
  async append(
    streamId: string,
    expectedVersion: number,
    events: readonly NewEvent[],
    options: { manager: EntityManager },
  ): Promise<AppendResult> {
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw new TypeError('expectedVersion must be an integer >= 0');
    }
    if (events.length === 0) return { nextVersion: expectedVersion, globalPositions: [] };
    events.forEach(assertNewEvent);

    // The head check makes "stream is behind expectedVersion" a conflict (the unique constraint
    // only catches "ahead"). It also refuses to append after a head whose transaction id is
    // higher than ours: that happens only when our transaction took its id before the head's
    // writer committed; appending anyway would put stream order against readAll's order.
    let rows: Array<{ stream_position: string; global_position: string }>;
    try {
      rows = await options.manager.query(
        `INSERT INTO ${this.table} (stream_id, stream_position, type, schema_version, data, metadata)
         SELECT $1, $2::bigint + e.ord, e.type, e.schema_version, e.data, e.metadata
           FROM unnest($3::text[], $4::int[], $5::jsonb[], $6::jsonb[])
                WITH ORDINALITY AS e(type, schema_version, data, metadata, ord)
          WHERE $2::bigint = 0
             OR EXISTS (SELECT 1 FROM ${this.table} head
                         WHERE head.stream_id = $1 AND head.stream_position = $2::bigint
                           AND head.transaction_id <= pg_current_xact_id())
          ORDER BY e.ord
         RETURNING stream_position, global_position`,
        [
          streamId,
          expectedVersion,
          events.map((e) => e.type),
          events.map((e) => e.schemaVersion),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata ?? {})),
        ],
      );
    } catch (error) {
      throw translateAppendError(error, streamId, expectedVersion, this.constraint);
    }
    if (rows.length !== events.length) {
      throw new ConcurrencyConflictError(streamId, expectedVersion);
    }
    const sorted = [...rows].sort((a, b) => Number(a.stream_position) - Number(b.stream_position));
    return {
      nextVersion: expectedVersion + events.length,
      globalPositions: sorted.map((row) => BigInt(row.global_position)),
    };
  }

  /**
   * The whole log after `after`, in (transaction id, global position) order, for rebuilding or
   * tailing projections. Gap-safe: it returns only events of transactions older than the oldest
   * other transaction of this database still running (`tailHorizon`), so an event that
   * commits later can never sort before the returned position. The price: a long-running
   * transaction in this database holds readAll back until it ends. Per stream, this order is
   * stream order.
   */
  async readAll(
    options: { after?: LogPosition; limit?: number; manager?: EntityManager } = {},
  ): Promise<ReadAllResult> {
    const after = options.after ?? LOG_START;
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError('limit must be an integer >= 1');
    const manager = options.manager ?? this.dataSource.manager;
    const rows = await readLogAfter<EventRow>(manager, {
      table: this.table,
      columns: COLUMNS,
      after,
      limit,
    });
    const events = rows.map(toStoredEvent);
    const last = events[events.length - 1];
    return {
      events,
      position: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : after,
    };
  }
}
