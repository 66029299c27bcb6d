import type { DataSource, EntityManager } from 'typeorm';

/** 2^32: a 32-bit transaction id wraps around at it. */
const XID_SPAN = '4294967296';
/** 2^31: a running transaction is less than half the id space behind or ahead of any other. */
const XID_HALF = '2147483648';

/**
 * One statement: the transaction id (xid8, as text) below which every transaction of this
 * database has ended, as seen when the statement started. It is the statement's snapshot's
 * `xmax` (`pg_current_snapshot()` is the snapshot taken as the statement began), lowered to the
 * oldest other transaction of this database still running (`pg_stat_activity.backend_xid`,
 * shown to every role, and prepared transactions), read after that snapshot. The reader's own
 * transaction is left out, as a snapshot's `xmin` leaves it out. The server keeps what
 * `pg_stat_activity` showed for the rest of a transaction: the statement drops that first
 * (`pg_stat_clear_snapshot()`, in the outer side of the lateral join, so before the read).
 *
 * Why not `pg_snapshot_xmin`: that is the oldest transaction running anywhere on the server, in
 * any database. A long transaction of another application on a shared server (or of another
 * test's database) would hold every tail back until it ended, though it can write nothing here.
 *
 * A 32-bit `backend_xid` is widened against the `xmax` beside it: it lies within half the id
 * space of it, behind (began before the snapshot) or ahead (began since).
 */
export const TAIL_HORIZON_SQL = `
  SELECT (s.xmax - GREATEST(0, COALESCE(max(
            CASE WHEN r.d >= ${XID_HALF} THEN r.d - ${XID_SPAN} ELSE r.d END), 0)))::text AS horizon
    FROM (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,
                 pg_stat_clear_snapshot() AS cleared) s
    LEFT JOIN LATERAL (
      SELECT ((s.xmax % ${XID_SPAN}) - x.xid::text::bigint + ${XID_SPAN}) % ${XID_SPAN} AS d
        FROM (SELECT backend_xid AS xid FROM pg_stat_activity
               WHERE datname = current_database() AND backend_xid IS NOT NULL
                 AND pid <> pg_backend_pid()
              UNION ALL
              SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()) x
    ) r ON true
   GROUP BY s.xmax`;

/**
 * The tail horizon ({@link TAIL_HORIZON_SQL}): a log read in (transaction id, position) order may
 * return the rows of transactions below it and move its checkpoint past them, and no row of this
 * database can commit below it later.
 *
 * It must be its own statement, run before the statement that reads the log: a transaction of
 * this database running at the horizon's snapshot and ended before `pg_stat_activity` was read is
 * not counted, and only a later snapshot sees its rows.
 */
export async function tailHorizon(db: DataSource | EntityManager): Promise<string> {
  const [row] = (await db.query(TAIL_HORIZON_SQL)) as Array<{ horizon: string }>;
  if (row === undefined) throw new Error('tailHorizon: the server returned no row');
  return row.horizon;
}

/** A place in a log read in (transaction id, global position) order. */
interface TailPlace {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

/**
 * Up to `limit` rows of the log table `table` (aliased `ev`, with `transaction_id` xid8 and
 * `global_position` columns) after `after`, in (transaction id, global position) order, of
 * transactions below the {@link tailHorizon} only: gap-safe, so a row that commits later can
 * never sort before the last row returned. The horizon's statement runs first, then the read.
 * The order is by the table's own columns (`ev.` qualified), so `columns` may alias them as text.
 */
export async function readLogAfter<Row>(
  db: DataSource | EntityManager,
  read: {
    readonly table: string;
    readonly columns: string;
    readonly after: TailPlace;
    readonly limit: number;
  },
): Promise<Row[]> {
  const horizon = await tailHorizon(db);
  return (await db.query(
    `SELECT ${read.columns} FROM ${read.table} ev
      WHERE (ev.transaction_id, ev.global_position) > ($1::text::xid8, $2::bigint)
        AND ev.transaction_id < $4::text::xid8
      ORDER BY ev.transaction_id, ev.global_position
      LIMIT $3`,
    [
      read.after.transactionId.toString(),
      read.after.globalPosition.toString(),
      read.limit,
      horizon,
    ],
  )) as Row[];
}
