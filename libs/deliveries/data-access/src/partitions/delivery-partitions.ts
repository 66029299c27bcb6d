import type { DataSource } from 'typeorm';
import {
  beforePartitionName,
  horizon,
  PARTITIONED_TABLES,
  type PartitionedTable,
  type PartitionRange,
  parsePartitionName,
  planRetention,
  retentionCutoff,
  WEEK_MS,
  weekPartitionName,
  weeksBetween,
  weekStart,
} from './partition-plan';

/** Runs one SQL statement: a `DataSource`'s, a `QueryRunner`'s. */
export type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * The advisory lock (two-key form: this class id and key) that one maintenance run across the
 * fleet holds; the intake's per-webhook locks use another class id.
 */
export const MAINTENANCE_LOCK = { classId: 0x686c, key: 1 } as const;

/** What a maintenance run did. */
export interface MaintenanceReport {
  /** False when another process held the maintenance lock: nothing was done. */
  readonly ran: boolean;
  /** Partitions created (ahead, or a catch-all). */
  readonly created: string[];
  /** Partitions detached and dropped by retention. */
  readonly dropped: string[];
  /** What retention did, step by step, when it ran. */
  readonly steps?: RetentionStep[];
  /** How long the cut took: detaches, the new catch-alls, the queue rows deleted. */
  readonly cutMs?: number;
  /** How long dropping the detached tables took after the cut. */
  readonly dropMs?: number;
  /** The creation time before which deliveries are gone, when retention ran. */
  readonly cutoff?: Date;
}

/** One statement of a retention run, timed. */
export interface RetentionStep {
  readonly step: 'finalize' | 'detach' | 'attach' | 'unqueue' | 'drop';
  /** The partition (or table) it acted on. */
  readonly name: string;
  readonly ms: number;
}

export interface RetentionResult {
  readonly dropped: string[];
  readonly created: string[];
  readonly cutoff: Date;
  readonly steps: RetentionStep[];
  readonly cutMs: number;
  readonly dropMs: number;
}

interface Listed {
  readonly weekly: PartitionRange[];
  readonly before?: PartitionRange;
  /** Attached but being detached (a `DETACH ... CONCURRENTLY` that was interrupted). */
  readonly pending: string[];
  /** Our tables left standing outside the partitioned table (a run that stopped midway). */
  readonly loose: PartitionRange[];
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function list(query: Query, table: PartitionedTable): Promise<Listed> {
  const rows = (await query(
    `SELECT c.relname AS name, c.relispartition AS attached,
            COALESCE(i.inhparent = $1::regclass AND i.inhdetachpending, false) AS pending
       FROM pg_class c
       LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
      WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
        AND (c.relname LIKE $2 OR c.relname LIKE $3)`,
    [table, `${table}\\_p%`, `${table}\\_before\\_p%`],
  )) as Array<{ name: string; attached: boolean; pending: boolean }>;
  const weekly: PartitionRange[] = [];
  const loose: PartitionRange[] = [];
  const pending: string[] = [];
  let before: PartitionRange | undefined;
  for (const row of rows) {
    const range = parsePartitionName(table, row.name);
    if (!range) continue;
    if (row.pending) pending.push(row.name);
    else if (!row.attached) loose.push(range);
    else if (range.from === undefined) before = range;
    else weekly.push(range);
  }
  weekly.sort((a, b) => a.to.getTime() - b.to.getTime());
  return { weekly, ...(before ? { before } : {}), pending, loose };
}

async function createPartition(
  query: Query,
  table: PartitionedTable,
  name: string,
  from: Date | undefined,
  to: Date,
) {
  // CREATE TABLE ... PARTITION OF would take an ACCESS EXCLUSIVE lock on the partitioned table;
  // ATTACH takes SHARE UPDATE EXCLUSIVE, which no insert, claim or read waits for.
  await query(
    `CREATE TABLE IF NOT EXISTS ${ident(name)} (LIKE ${ident(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
  );
  const lower = from ? `'${from.toISOString()}'` : 'MINVALUE';
  await query(
    `ALTER TABLE ${ident(table)} ATTACH PARTITION ${ident(name)}
       FOR VALUES FROM (${lower}) TO ('${to.toISOString()}')`,
  );
}

/**
 * Creates what is missing so that an insert never lacks a partition: a catch-all below the
 * oldest week (when there is none), and every week from there to `horizon(now)` (the current
 * week and four ahead).
 * Idempotent; runs inside a transaction (a migration) or outside.
 */
export async function ensurePartitions(
  query: Query,
  now: Date,
  /** Where a new catch-all ends when there is none and no week yet: this time's week. */
  oldest: Date = now,
): Promise<string[]> {
  const created: string[] = [];
  for (const { table } of PARTITIONED_TABLES) {
    const listed = await list(query, table);
    let before = listed.before;
    if (!before) {
      const bound = listed.weekly[0]?.from ?? weekStart(oldest < now ? oldest : now);
      const name = beforePartitionName(table, bound);
      await createPartition(query, table, name, undefined, bound);
      created.push(name);
      before = { name, to: bound };
    }
    const have = new Set(listed.weekly.map((p) => p.from?.getTime()));
    for (const week of weeksBetween(before.to, horizon(now))) {
      if (have.has(week.getTime())) continue;
      const name = weekPartitionName(table, week);
      await createPartition(query, table, name, week, new Date(week.getTime() + WEEK_MS));
      created.push(name);
    }
  }
  return created;
}

/**
 * Drops the weeks wholly older than `days` before `now`, with the catch-all below them, and puts
 * an empty catch-all below the oldest week kept. Two phases (ADR 0011):
 *
 * - **The cut**, the part that touches the partitioned tables: each expired partition leaves by
 *   `DETACH PARTITION ... CONCURRENTLY` (SHARE UPDATE EXCLUSIVE on the partitioned table:
 *   inserts, claims and reads go on; it waits for the transactions that may still read the
 *   partition), the new catch-all is attached, and the queue rows of the deliveries that went are
 *   deleted. From its end no query sees the expired weeks, in any of the three tables.
 * - **The drops** of the detached tables, one statement each. They lock only their own table,
 *   which nothing reads any more; their time is the file system freeing the files.
 *
 * Runs outside a transaction block. Resumes what an interrupted run left: a pending detach is
 * finalized, a detached partition dropped.
 */
export async function dropExpiredPartitions(
  query: Query,
  days: number,
  now: Date,
): Promise<RetentionResult> {
  const cutoff = retentionCutoff(now, days);
  const steps: RetentionStep[] = [];
  const timed = async (step: RetentionStep['step'], name: string, sql: string) => {
    const started = performance.now();
    await query(sql);
    steps.push({ step, name, ms: performance.now() - started });
  };
  const cutStarted = performance.now();
  const leaving: string[] = [];
  const created: string[] = [];
  for (const { table } of PARTITIONED_TABLES) {
    let listed = await list(query, table);
    for (const name of listed.pending) {
      await timed(
        'finalize',
        name,
        `ALTER TABLE ${ident(table)} DETACH PARTITION ${ident(name)} FINALIZE`,
      );
    }
    if (listed.pending.length > 0) listed = await list(query, table);
    for (const range of listed.loose) {
      if (range.to.getTime() <= cutoff.getTime()) leaving.push(range.name);
    }
    const plan = planRetention(listed.weekly, cutoff);
    if (!plan.newBefore) continue;
    for (const partition of [...(listed.before ? [listed.before] : []), ...plan.drop]) {
      await timed(
        'detach',
        partition.name,
        `ALTER TABLE ${ident(table)} DETACH PARTITION ${ident(partition.name)} CONCURRENTLY`,
      );
      leaving.push(partition.name);
    }
    const name = beforePartitionName(table, plan.newBefore);
    const started = performance.now();
    await createPartition(query, table, name, undefined, plan.newBefore);
    steps.push({ step: 'attach', name, ms: performance.now() - started });
    created.push(name);
  }
  if (leaving.length > 0) {
    // Work still queued for a delivery whose week is gone could never be claimed again.
    await timed(
      'unqueue',
      'delivery_queue',
      `DELETE FROM delivery_queue q WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.delivery_id = q.delivery_id)`,
    );
  }
  const cutMs = performance.now() - cutStarted;
  const dropStarted = performance.now();
  for (const name of leaving) await timed('drop', name, `DROP TABLE ${ident(name)}`);
  return {
    dropped: leaving,
    created,
    cutoff,
    steps,
    cutMs,
    dropMs: performance.now() - dropStarted,
  };
}

/**
 * The delivery log's partition maintenance, one process at a time across the fleet (a
 * session-level advisory lock on a connection of its own): partitions created ahead, and, with a
 * retention window, the expired weeks dropped.
 */
export class DeliveryPartitions {
  constructor(private readonly dataSource: DataSource) {}

  async maintain(options: {
    readonly retentionDays?: number;
    readonly now?: Date;
  }): Promise<MaintenanceReport> {
    const now = options.now ?? new Date();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const query: Query = (sql, params) => runner.query(sql, params);
    try {
      const [lock] = (await query(`SELECT pg_try_advisory_lock($1, $2) AS held`, [
        MAINTENANCE_LOCK.classId,
        MAINTENANCE_LOCK.key,
      ])) as Array<{ held: boolean }>;
      if (!lock?.held) return { ran: false, created: [], dropped: [] };
      try {
        // A concurrent detach waits for every transaction that may read the partition (a long
        // export): it may take as long as they do, and must not be cut short.
        await query(`SET statement_timeout = 0`);
        const created = await ensurePartitions(query, now);
        if (options.retentionDays === undefined) return { ran: true, created, dropped: [] };
        const retained = await dropExpiredPartitions(query, options.retentionDays, now);
        return {
          ran: true,
          created: [...created, ...retained.created],
          dropped: retained.dropped,
          steps: retained.steps,
          cutMs: retained.cutMs,
          dropMs: retained.dropMs,
          cutoff: retained.cutoff,
        };
      } finally {
        await query(`RESET statement_timeout`);
        await query(`SELECT pg_advisory_unlock($1, $2)`, [
          MAINTENANCE_LOCK.classId,
          MAINTENANCE_LOCK.key,
        ]);
      }
    } finally {
      await runner.release();
    }
  }
}
