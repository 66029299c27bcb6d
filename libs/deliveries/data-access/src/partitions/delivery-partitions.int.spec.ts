import { type DeliveryRequested, newWebhookId, SAMPLE_ENVELOPES } from '@hookline/contracts';
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  recordAttempt,
} from '@hookline/deliveries-domain';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import {
  createTestDatabase,
  sampleDeliveryRequest,
  type TestDatabase,
} from '@hookline/shared-testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { DeliveryQueries } from '../delivery-queries.store';
import { DeliveryWorkStore } from '../delivery-work.store';
import { DELIVERIES_MIGRATIONS } from '../migrations';
import { PartitionDeliveryLogByWeek1764900000000 } from '../migrations/1764900000000-partition-delivery-log-by-week';
import { DeliveryPartitions } from './delivery-partitions';
import {
  horizon,
  PARTITIONED_TABLES,
  retentionCutoff,
  weeksBetween,
  weekStart,
} from './partition-plan';

const DAY_MS = 86_400_000;
const DELIVERIES = 3000;
const SUCCEEDED: AttemptOutcome = { ok: true, statusCode: 200, durationMs: 5 };

// The old layout filled as the stores wrote it: deliveries created over the last 140 days, their
// first requests (a few deliveries have none), one to four log events each (every tenth has a
// manual retry recorded 30 days after it was created), log events of a delivery without a row,
// and queue rows of open deliveries.
const FILL_OLD_LAYOUT = [
  `INSERT INTO deliveries (delivery_id, webhook_id, company, event_id, event_type, status, attempts,
                           next_attempt_at, last_status_code, last_error, created_at, updated_at,
                           state, test)
   SELECT 'dlv_m' || i, 'wh_m' || (i % 7), 'acme', md5('e' || i)::uuid::text, 'scan.completed',
          (ARRAY['succeeded', 'failed', 'retry_scheduled', 'skipped_while_paused'])[1 + i % 4], 1 + i % 3,
          CASE WHEN i % 4 = 2 THEN now() + interval '1 hour' END, 200, NULL,
          now() - (i % 140) * interval '1 day' - (i % 977) * interval '1 second' - (i % 7) * interval '1 microsecond',
          now() - (i % 140) * interval '1 day', jsonb_build_object('deliveryId', 'dlv_m' || i), i % 11 = 0
     FROM generate_series(1, $1::int) AS i`,
  `INSERT INTO delivery_requests (delivery_id, webhook_id, company, request, recorded_at)
   SELECT delivery_id, webhook_id, company,
          json_build_object('deliveryId', delivery_id, 'webhookId', webhook_id, 'n', 1), created_at
     FROM deliveries WHERE delivery_id NOT LIKE '%50'`,
  `INSERT INTO delivery_events (idempotency_key, delivery_id, webhook_id, company, type, data, recorded_at)
   SELECT d.delivery_id || ':' || s.n, d.delivery_id, d.webhook_id, d.company,
          (ARRAY['DeliveryRequested', 'AttemptFailed', 'RetryScheduled', 'AttemptSucceeded'])[s.n],
          jsonb_build_object('deliveryId', d.delivery_id, 'n', s.n), d.created_at + s.n * interval '1 second'
     FROM deliveries d CROSS JOIN generate_series(1, 4) AS s(n)
    WHERE s.n <= 1 + length(d.delivery_id) % 4
    ORDER BY d.created_at, s.n`,
  `INSERT INTO delivery_events (idempotency_key, delivery_id, webhook_id, company, type, data, recorded_at)
   SELECT d.delivery_id || ':manual', d.delivery_id, d.webhook_id, d.company, 'ManualRetryRequested',
          jsonb_build_object('deliveryId', d.delivery_id), d.created_at + interval '30 days'
     FROM deliveries d WHERE d.delivery_id LIKE '%0' AND d.created_at < now() - interval '31 days'`,
  `INSERT INTO delivery_events (idempotency_key, delivery_id, webhook_id, company, type, data, recorded_at)
   SELECT 'dlv_loose' || i || ':1', 'dlv_loose' || i, 'wh_m1', 'acme', 'DeliveryRequested', '{}', now() - i * interval '1 day'
     FROM generate_series(1, 5) AS i`,
  `INSERT INTO delivery_queue (delivery_id, webhook_id, due_at, enqueued_at)
   SELECT delivery_id, webhook_id, next_attempt_at, created_at FROM deliveries WHERE status = 'retry_scheduled'`,
];

/** Per table: its row count and a digest of every row (the columns both layouts have). */
const DIGESTS = {
  deliveries: `SELECT count(*)::int AS n, md5(string_agg((delivery_id, webhook_id, company, event_id,
                 event_type, status, attempts, next_attempt_at, last_status_code, last_error, created_at,
                 updated_at, state, test)::text, '|' ORDER BY delivery_id)) AS digest FROM deliveries`,
  delivery_requests: `SELECT count(*)::int AS n, md5(string_agg((delivery_id, webhook_id, company,
                 request::text, recorded_at)::text, '|' ORDER BY delivery_id)) AS digest FROM delivery_requests`,
  delivery_events: `SELECT count(*)::int AS n, md5(string_agg((global_position, transaction_id,
                 idempotency_key, delivery_id, webhook_id, company, type, schema_version, data,
                 recorded_at)::text, '|' ORDER BY global_position)) AS digest FROM delivery_events`,
  delivery_queue: `SELECT count(*)::int AS n, md5(string_agg(delivery_id, '|' ORDER BY delivery_id)) AS digest
                     FROM delivery_queue`,
} as const;

/** A first delivery request of the sample company's `scan.completed` to the webhook. */
function request(webhookId: string): DeliveryRequested {
  return sampleDeliveryRequest({
    id: webhookId,
    company: SAMPLE_ENVELOPES['scan.completed'].data.company,
  });
}

describe('the delivery log in weekly partitions, against the real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let before: Record<string, { n: number; digest: string }>;
  let oldMaxPosition: number;
  const migrations = [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS];

  const digests = async () => {
    const out: Record<string, { n: number; digest: string }> = {};
    for (const [table, sql] of Object.entries(DIGESTS)) {
      const [row] = await dataSource.query(sql);
      out[table] = row;
    }
    return out;
  };
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await dataSource.query(sql, params))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('delivery_partitions');
    // The layout before partitioning (every migration older than it), filled with rows.
    const partitioning = migrations.indexOf(PartitionDeliveryLogByWeek1764900000000);
    expect(partitioning).toBeGreaterThan(0);
    await runMigrations({ url: db.url, migrations: migrations.slice(0, partitioning) });
    dataSource = await createDataSource({ url: db.url, migrations }).initialize();
    for (const sql of FILL_OLD_LAYOUT) {
      await dataSource.query(sql, sql.includes('$1') ? [DELIVERIES] : []);
    }
    before = await digests();
    oldMaxPosition = await count(`SELECT max(global_position) AS n FROM delivery_events`);
    expect(
      await count(
        `SELECT count(*) AS n FROM pg_partitioned_table WHERE partrelid = 'deliveries'::regclass`,
      ),
    ).toBe(0);
    await runMigrations({ url: db.url, migrations });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  describe('the migration to partitions', () => {
    it('keeps every row of the three tables (and the queue), column for column', async () => {
      const after = await digests();
      expect(before.deliveries?.n).toBe(DELIVERIES);
      expect(before.delivery_events?.n).toBeGreaterThan(DELIVERIES);
      expect(after).toEqual(before);
    });

    it('partitions the three tables by week, each row in its delivery’s week', async () => {
      for (const { table } of PARTITIONED_TABLES) {
        expect(
          await count(
            `SELECT count(*) AS n FROM pg_partitioned_table WHERE partrelid = $1::regclass`,
            [table],
          ),
        ).toBe(1);
      }
      // The catch-all, then every week from the oldest row’s to four ahead of this one. The
      // oldest row is 139 days and some minutes old: 20 or 21 weeks to this one by the weekday.
      const partitions = await count(
        `SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'deliveries'::regclass`,
      );
      const [oldest]: Array<{ at: Date }> = await dataSource.query(
        `SELECT min(created_at) AS at FROM deliveries`,
      );
      const weeks = weeksBetween(oldest?.at ?? new Date(), horizon(new Date())).length;
      expect(weeks).toBeGreaterThanOrEqual(20 + 4);
      expect(partitions).toBe(1 + weeks);
      // A manual retry recorded 30 days after its delivery's creation is in the delivery's week.
      expect(
        await count(`SELECT count(*) AS n FROM delivery_events e JOIN deliveries d USING (delivery_id)
                      WHERE e.delivery_created_at <> d.created_at OR e.tableoid::regclass::text
                            <> replace(d.tableoid::regclass::text, 'deliveries', 'delivery_events')`),
      ).toBe(0);
      expect(
        await count(`SELECT count(*) AS n FROM delivery_events
                      WHERE type = 'ManualRetryRequested' AND recorded_at - delivery_created_at = interval '30 days'`),
      ).toBeGreaterThan(0);
    });

    it('goes on from the highest log position, and the stores work on migrated rows', async () => {
      const work = new DeliveryWorkStore(dataSource);
      const fresh = request(newWebhookId());
      expect(await work.intake([fresh], new Date())).toEqual({ recorded: 1, queued: 1 });
      expect(
        await count(
          `SELECT min(global_position) AS n FROM delivery_events WHERE delivery_id = $1`,
          [fresh.deliveryId],
        ),
      ).toBeGreaterThan(oldMaxPosition);
      const [migrated]: Array<{ delivery_id: string }> = await dataSource.query(
        `SELECT delivery_id FROM deliveries d WHERE company = 'acme'
            AND EXISTS (SELECT 1 FROM delivery_requests r WHERE r.delivery_id = d.delivery_id)
          ORDER BY created_at LIMIT 1`,
      );
      const detail = await new DeliveryQueries(dataSource).get('acme', migrated?.delivery_id ?? '');
      expect(detail?.request).toMatchObject({ deliveryId: migrated?.delivery_id, n: 1 });
    });
  });

  it('migrates back to one table each and forth again, every row kept', async () => {
    const migration = new PartitionDeliveryLogByWeek1764900000000();
    const expected = await digests();
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await migration.down(runner);
      await runner.commitTransaction();
      expect(
        await count(
          `SELECT count(*) AS n FROM pg_partitioned_table WHERE partrelid = 'deliveries'::regclass`,
        ),
      ).toBe(0);
      expect(await digests()).toEqual(expected);
      await runner.startTransaction();
      await migration.up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await digests()).toEqual(expected);
  });

  describe('retention', () => {
    it('drops whole weeks older than the window from the three tables, and nothing younger', async () => {
      const now = new Date();
      const cutoff = retentionCutoff(now, 90);
      // The oldest week kept is the one the cutoff falls in.
      const keptFrom = weekStart(cutoff);
      const expected = {
        deliveries: await count(`SELECT count(*) AS n FROM deliveries WHERE created_at >= $1`, [
          keptFrom,
        ]),
        events: await count(
          `SELECT count(*) AS n FROM delivery_events WHERE delivery_created_at >= $1`,
          [keptFrom],
        ),
        requests: await count(
          `SELECT count(*) AS n FROM delivery_requests WHERE recorded_at >= $1`,
          [keptFrom],
        ),
        queue: await count(
          `SELECT count(*) AS n FROM delivery_queue q JOIN deliveries d USING (delivery_id)
            WHERE d.created_at >= $1`,
          [keptFrom],
        ),
      };
      expect(
        await count(`SELECT count(*) AS n FROM deliveries WHERE created_at < $1`, [keptFrom]),
      ).toBeGreaterThan(0);

      // An expired week a stopped run detached but did not drop: this run drops it.
      const stamp = (date: Date) => date.toISOString().slice(0, 10).replaceAll('-', '');
      const [loose]: Array<{ name: string }> = await dataSource.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'deliveries'::regclass AND c.relname LIKE 'deliveries\\_p%'
            AND c.relname < $1
          ORDER BY c.relname DESC LIMIT 1`,
        [`deliveries_p${stamp(keptFrom)}`],
      );
      if (!loose) throw new Error('no expired week to detach');
      await dataSource.query(`ALTER TABLE deliveries DETACH PARTITION ${loose.name}`);

      const report = await new DeliveryPartitions(dataSource).maintain({ retentionDays: 90, now });

      expect(report.ran).toBe(true);
      expect(report.dropped.length).toBeGreaterThan(3);
      expect(report.dropped).toContain(loose.name);
      // The cut first, in all three tables, then the drops: each table that left, dropped.
      const steps = (report.steps ?? []).map((step) => step.step);
      expect(steps.lastIndexOf('detach')).toBeLessThan(steps.indexOf('drop'));
      expect(steps.lastIndexOf('unqueue')).toBeLessThan(steps.indexOf('drop'));
      expect(
        (report.steps ?? [])
          .filter((step) => step.step === 'drop')
          .map((step) => step.name)
          .sort(),
      ).toEqual([...report.dropped].sort());
      expect(
        await count(`SELECT count(*) AS n FROM pg_class WHERE relname = ANY($1)`, [report.dropped]),
      ).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM deliveries`)).toBe(expected.deliveries);
      expect(await count(`SELECT count(*) AS n FROM delivery_events`)).toBe(expected.events);
      expect(await count(`SELECT count(*) AS n FROM delivery_requests`)).toBe(expected.requests);
      // Queued work of a delivery that is gone could never be claimed: it goes with it.
      expect(await count(`SELECT count(*) AS n FROM delivery_queue`)).toBe(expected.queue);
      expect(
        await count(`SELECT count(*) AS n FROM deliveries WHERE created_at < $1`, [cutoff]),
      ).toBeLessThan(expected.deliveries);
      // The ranges stay contiguous: an empty catch-all below the oldest week kept.
      const [catchAll]: Array<{ name: string; bound: string; rows: number }> =
        await dataSource.query(
          `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'deliveries'::regclass AND c.relname LIKE 'deliveries\\_before%'`,
        );
      expect(catchAll?.bound).toContain('MINVALUE');
      expect(catchAll?.name).toBe(
        `deliveries_before_p${keptFrom.toISOString().slice(0, 10).replaceAll('-', '')}`,
      );
      // A second run finds nothing more to drop.
      expect(
        (await new DeliveryPartitions(dataSource).maintain({ retentionDays: 90, now })).dropped,
      ).toEqual([]);
    });

    it('runs in one process at a time: a second one finds the lock held and does nothing', async () => {
      const holder = new Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query(`SELECT pg_advisory_lock(26732, 1)`);
        expect(await new DeliveryPartitions(dataSource).maintain({ retentionDays: 90 })).toEqual({
          ran: false,
          created: [],
          dropped: [],
        });
      } finally {
        await holder.end();
      }
    });

    it('never blocks delivery: intake, claims and outcomes go on while a detach waits, under SHARE UPDATE EXCLUSIVE only', async () => {
      const work = new DeliveryWorkStore(dataSource);
      const webhooks = [newWebhookId(), newWebhookId(), newWebhookId()];
      // A reader that started before the run (a long export): a concurrent detach waits for it.
      const reader = new Client({ connectionString: db.url });
      await reader.connect();
      await reader.query(`BEGIN`);
      await reader.query(`SELECT count(*) FROM deliveries`);
      // A week later, the oldest week kept falls out of the window.
      const run = new DeliveryPartitions(dataSource).maintain({
        retentionDays: 90,
        now: new Date(Date.now() + 7 * DAY_MS),
      });
      let delivered = 0;
      let waiting: Array<{ pid: number }> = [];
      const locks: Array<{
        locktype: string;
        relation: string | null;
        mode: string;
        granted: boolean;
      }> = [];
      try {
        // Until the detach is seen waiting on the reader.
        for (let i = 0; i < 200 && waiting.length === 0; i++) {
          waiting = await dataSource.query(
            `SELECT pid FROM pg_stat_activity
              WHERE query LIKE '%DETACH PARTITION%CONCURRENTLY%' AND wait_event_type = 'Lock'`,
          );
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(waiting).toHaveLength(1);
        locks.push(
          ...(await dataSource.query(
            `SELECT l.locktype, l.relation::regclass::text AS relation, l.mode, l.granted
               FROM pg_locks l WHERE l.pid = $1`,
            [waiting[0]?.pid],
          )),
        );
        // Meanwhile deliveries are taken in, claimed and recorded as usual.
        for (let i = 0; i < 20; i++) {
          const r = request(webhooks[i % 3] ?? '');
          await work.intake([r], new Date());
          const [claim] = await work.claim({
            limit: 1,
            perWebhookLimit: 1,
            skipWebhooks: [],
            leaseMs: 60_000,
          });
          if (!claim) throw new Error('nothing to claim');
          const result = await work.finish(claim, (state) =>
            recordAttempt(state, SUCCEEDED, DEFAULT_RETRY_POLICY, new Date()),
          );
          if (result.state.status === 'succeeded') delivered += 1;
        }
        // The detach is still waiting: all of that happened while it held its lock.
        expect(
          await count(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
            [waiting[0]?.pid],
          ),
        ).toBe(1);
      } finally {
        await reader.query(`COMMIT`);
        await reader.end();
      }
      const report = await run;
      expect(delivered).toBe(20);
      // While it waits, the detach holds no lock on any table (the partition is marked as
      // being detached, which new queries leave out): it only waits for the reader to end.
      // Its two short steps take SHARE UPDATE EXCLUSIVE on the partitioned table, which no
      // insert (ROW EXCLUSIVE), claim (ROW SHARE) or read (ACCESS SHARE) conflicts with.
      expect(locks.filter((l) => l.locktype === 'relation')).toEqual([]);
      expect(locks).toContainEqual({
        locktype: 'virtualxid',
        relation: null,
        mode: 'ShareLock',
        granted: false,
      });
      expect(report.dropped.some((name) => /^deliveries_p\d{8}$/.test(name))).toBe(true);
    });
  });
});
