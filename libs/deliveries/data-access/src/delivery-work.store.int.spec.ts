import {
  deliveryIdFor,
  type DeliveryLogEvent,
  type DeliveryRequested,
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  parseWebhookCommandRequested,
  SAMPLE_ENVELOPES,
} from '@hookline/contracts';
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  type DeliveryState,
  type FailureStreak,
  recordAttempt,
  recordRequest,
  recordSkip,
} from '@hookline/deliveries-domain';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  LOG_START,
  runMigrations,
} from '@hookline/shared-event-store';
import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  type DeliveryLogEntry,
  type DeliveryLogPage,
  DeliveryLogStore,
} from './delivery-log.store';
import {
  CLAIM_SQL,
  claimScanRows,
  type ClaimedDelivery,
  type ClaimOptions,
  DeliveryWorkStore,
  type FinishOptions,
} from './delivery-work.store';
import { DELIVERIES_MIGRATIONS } from './migrations';

const envelope = SAMPLE_ENVELOPES['scan.completed'];
const LONG_LEASE_MS = 60_000;
const FAILED: AttemptOutcome = {
  ok: false,
  failure: 'http_5xx',
  statusCode: 500,
  message: 'HTTP 500',
  durationMs: 12,
};
const SUCCEEDED: AttemptOutcome = { ok: true, statusCode: 200, durationMs: 8 };

/** A request for a new event (its own delivery) to `webhookId`. */
function request(webhookId: string, overrides: Partial<DeliveryRequested> = {}): DeliveryRequested {
  const eventId = randomUUID();
  return {
    schemaVersion: 1,
    deliveryId: deliveryIdFor(eventId, webhookId),
    eventId,
    webhookId,
    webhookVersion: 1,
    company: envelope.data.company,
    eventType: 'scan.completed',
    envelope: { ...envelope, event_id: eventId },
    trigger: 'first',
    requestedAt: new Date().toISOString(),
    correlationId: eventId,
    ...overrides,
  };
}

const requests = (webhookId: string, n: number) =>
  Array.from({ length: n }, () => request(webhookId));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = async <T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
};

function only<T>(items: readonly T[]): T {
  if (items.length !== 1) throw new Error(`expected one item, got ${items.length}`);
  return items[0] as T;
}

const fail = (state: DeliveryState) =>
  recordAttempt(state, FAILED, DEFAULT_RETRY_POLICY, new Date());
const succeed = (state: DeliveryState) =>
  recordAttempt(state, SUCCEEDED, DEFAULT_RETRY_POLICY, new Date());

interface OutboxRow {
  value: string;
  headers: Record<string, string>;
}

interface QueueRow {
  delivery_id: string;
  webhook_id: string;
  due_at: Date;
  claim_id: string | null;
  claimed_until: Date | null;
}

describe('DeliveryWorkStore against the real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let otherDataSource: DataSource;
  let work: DeliveryWorkStore;
  let log: DeliveryLogStore;

  const claimAll = (options: Partial<ClaimOptions> = {}, store = work) =>
    store.claim({
      limit: 100,
      perWebhookLimit: 100,
      skipWebhooks: [],
      leaseMs: LONG_LEASE_MS,
      ...options,
    });

  const queueRow = async (deliveryId: string): Promise<QueueRow | undefined> =>
    (
      await dataSource.query(
        `SELECT delivery_id, webhook_id, due_at, claim_id, claimed_until
           FROM delivery_queue WHERE delivery_id = $1`,
        [deliveryId],
      )
    )[0];

  /** Moves a scheduled retry to now instead of waiting for it. */
  const makeDue = (deliveryId: string) =>
    dataSource.query(`UPDATE delivery_queue SET due_at = now() WHERE delivery_id = $1`, [
      deliveryId,
    ]);

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await dataSource.query(sql, params))[0].n);

  const types = async (deliveryId: string) =>
    (await log.history(deliveryId)).map((event) => event.type);

  /** The outbox rows of `webhooks.commands` for `webhookId`, oldest first. */
  const commands = (webhookId: string): Promise<OutboxRow[]> =>
    dataSource.query(
      `SELECT value, headers FROM outbox WHERE topic = $1 AND message_key = $2 ORDER BY id`,
      [KAFKA_TOPICS.webhooksCommands, webhookId],
    );

  beforeAll(async () => {
    db = await createTestDatabase('delivery_work');
    const migrations = [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS];
    await runMigrations({ url: db.url, migrations });
    dataSource = await createDataSource({ url: db.url, migrations }).initialize();
    otherDataSource = await createDataSource({ url: db.url, migrations }).initialize();
    work = new DeliveryWorkStore(dataSource);
    log = new DeliveryLogStore(dataSource);
  });

  afterAll(async () => {
    await otherDataSource?.destroy();
    await dataSource?.destroy();
    await db?.drop();
  });

  // Each test sees only its own work: claims take every due row of the database.
  beforeEach(() => dataSource.query(`DELETE FROM delivery_queue`));

  describe('intake', () => {
    it('records and queues a batch in one transaction', async () => {
      const batch = requests('wh_intakeTx', 3);
      expect(await work.intake(batch, new Date())).toEqual({ recorded: 3, queued: 3 });

      const ids = batch.map((r) => r.deliveryId);
      // Every row the batch wrote carries the id of the one transaction that wrote it.
      const transactions = await count(
        `SELECT count(DISTINCT x) AS n FROM (
           SELECT xmin::text AS x FROM delivery_requests WHERE delivery_id = ANY($1)
           UNION ALL SELECT xmin::text FROM delivery_queue WHERE delivery_id = ANY($1)
           UNION ALL SELECT xmin::text FROM deliveries WHERE delivery_id = ANY($1)
           UNION ALL SELECT xid(transaction_id)::text FROM delivery_events WHERE delivery_id = ANY($1)
         ) AS t`,
        [ids],
      );
      expect(transactions).toBe(1);
    });

    it('records nothing of a batch when one of its requests cannot be recorded', async () => {
      const good = request('wh_intakeRollback');
      // deliveries.event_id is NOT NULL: the projection fails after the log insert.
      const broken = { ...request('wh_intakeRollback'), eventId: null as unknown as string };

      await expect(work.intake([good, broken], new Date())).rejects.toThrow();

      const ids = [good.deliveryId, broken.deliveryId];
      for (const table of [
        'delivery_requests',
        'delivery_events',
        'deliveries',
        'delivery_queue',
      ]) {
        expect(
          await count(`SELECT count(*) AS n FROM ${table} WHERE delivery_id = ANY($1)`, [ids]),
        ).toBe(0);
      }
    });

    it('a replayed batch records and queues nothing new', async () => {
      const batch = requests('wh_intakeReplay', 2);
      const totals = async () => [
        await count(`SELECT count(*) AS n FROM delivery_events`),
        await count(`SELECT count(*) AS n FROM delivery_requests`),
        await count(`SELECT count(*) AS n FROM delivery_queue`),
        await count(`SELECT count(*) AS n FROM outbox`),
      ];
      expect(await work.intake(batch, new Date())).toEqual({ recorded: 2, queued: 2 });
      const before = await totals();

      expect(await work.intake(batch, new Date())).toEqual({ recorded: 0, queued: 0 });
      expect(await work.intake([...batch, ...batch], new Date())).toEqual({
        recorded: 0,
        queued: 0,
      });
      expect(await totals()).toEqual(before);
    });

    it('logs a held request as requested and skipped, and does not queue it', async () => {
      const held = request('wh_intakeHeld', { held: true });

      expect(await work.intake([held], new Date())).toEqual({ recorded: 2, queued: 0 });

      expect(await types(held.deliveryId)).toEqual(['DeliveryRequested', 'DeliverySkipped']);
      expect(await queueRow(held.deliveryId)).toBeUndefined();
      const [delivery] = await dataSource.query(
        `SELECT status FROM deliveries WHERE delivery_id = $1`,
        [held.deliveryId],
      );
      expect(delivery.status).toBe('skipped_while_paused');
    });

    it('queues a delivered delivery again for a later manual request, once, with that request', async () => {
      const first = request('wh_intakeManual', { requestedAt: '2026-01-01T00:00:00.000Z' });
      await work.intake([first], new Date());
      const claimed = only(await claimAll());
      expect((await work.finish(claimed, succeed)).state.status).toBe('succeeded');
      expect(await queueRow(first.deliveryId)).toBeUndefined();

      // Asked after the webhook was edited: the worker must wait for that version.
      const manual: DeliveryRequested = {
        ...first,
        webhookVersion: 2,
        trigger: 'manual',
        requestedAt: new Date().toISOString(),
      };
      expect(await work.intake([manual], new Date())).toEqual({ recorded: 1, queued: 1 });
      expect(await work.intake([manual], new Date())).toEqual({ recorded: 0, queued: 0 });

      expect(await types(first.deliveryId)).toEqual([
        'DeliveryRequested',
        'AttemptSucceeded',
        'ManualRetryRequested',
      ]);
      const again = only(await claimAll());
      expect(again).toMatchObject({
        deliveryId: first.deliveryId,
        state: { status: 'pending', trigger: 'manual', attempts: 1, roundStart: 1 },
      });
      expect(again.request).toEqual(manual);
    });
  });

  describe('claim', () => {
    it('claims only rows that are due', async () => {
      const [due, later] = [request('wh_claimDue'), request('wh_claimDue')];
      await work.intake([due], new Date());
      await work.intake([later], new Date(Date.now() + 60_000));

      const claimed = await claimAll();

      expect(claimed.map((c) => c.deliveryId)).toEqual([due.deliveryId]);
      expect(await work.queueDepth()).toEqual({ due: 0, scheduled: 1, claimed: 1 });
    });

    it('returns the request as accepted and the delivery as its log stands', async () => {
      const accepted = request('wh_claimDetail');
      await work.intake([accepted], new Date());

      const claimed = only(await claimAll());

      expect(claimed).toMatchObject({
        deliveryId: accepted.deliveryId,
        webhookId: 'wh_claimDetail',
        request: accepted,
        state: { deliveryId: accepted.deliveryId, status: 'pending', attempts: 0 },
      });
      const row = await queueRow(accepted.deliveryId);
      expect(row?.claim_id).toBe(claimed.claimId);
      expect(row?.claimed_until?.getTime()).toBeGreaterThan(Date.now() + LONG_LEASE_MS / 2);
    });

    it('does not claim a row again while its lease lasts, and does once it ran out', async () => {
      const accepted = request('wh_claimLease');
      await work.intake([accepted], new Date());

      const first = only(await claimAll({ leaseMs: 300 }));
      expect(await claimAll()).toEqual([]);
      await sleep(400);
      const second = only(await claimAll());

      expect(second.deliveryId).toBe(accepted.deliveryId);
      expect(second.claimId).not.toBe(first.claimId);
      expect((await queueRow(accepted.deliveryId))?.claim_id).toBe(second.claimId);
    });

    it('claims at most perWebhookLimit rows of one webhook, oldest due first', async () => {
      const t0 = Date.now() - 10_000;
      const a = requests('wh_claimLimitA', 3);
      const b = requests('wh_claimLimitB', 3);
      for (let i = 0; i < 3; i += 1) {
        await work.intake(
          [a[i], b[i]].flatMap((r) => (r ? [r] : [])),
          new Date(t0 + i * 1_000),
        );
      }

      const claimed = await claimAll({ perWebhookLimit: 2 });

      const ids = claimed.map((c) => c.deliveryId).sort();
      expect(ids).toEqual([a[0], a[1], b[0], b[1]].map((r) => r?.deliveryId).sort());
      expect(claimed.every((c) => c.claimId === claimed[0]?.claimId)).toBe(true);
      // The leases count against the limit: nothing more while they last...
      expect(await claimAll({ perWebhookLimit: 2 })).toEqual([]);
      // ...and one freed slot of each webhook is taken by the next claim.
      await work.release(claimed.filter((c) => c.deliveryId === a[0]?.deliveryId));
      await work.finish(only(claimed.filter((c) => c.deliveryId === b[0]?.deliveryId)), succeed);
      expect((await claimAll({ perWebhookLimit: 2 })).map((c) => c.deliveryId).sort()).toEqual(
        [a[0], b[2]].map((r) => r?.deliveryId).sort(),
      );
    });

    it('counts leases of other workers against perWebhookLimit, and no lease that ran out', async () => {
      const other = new DeliveryWorkStore(otherDataSource);
      await work.intake(requests('wh_claimFleet', 6), new Date());

      expect(await claimAll({ perWebhookLimit: 3, leaseMs: 300 })).toHaveLength(3);
      expect(await claimAll({ perWebhookLimit: 3 }, other)).toEqual([]);
      expect(await claimAll({ perWebhookLimit: 4 }, other)).toHaveLength(1);
      // The first worker died: its leases run out, and its work is free again.
      await sleep(400);
      expect(await claimAll({ perWebhookLimit: 4 }, other)).toHaveLength(3);
      expect(
        await count(
          `SELECT count(*) AS n FROM delivery_queue WHERE webhook_id = 'wh_claimFleet' AND claimed_until > now()`,
        ),
      ).toBe(4);
    });

    it('takes none of the work of a webhook another claim is taking, and counts its leases once it committed', async () => {
      const other = new DeliveryWorkStore(otherDataSource);
      await work.intake(requests('wh_gateHeld', 10), new Date());
      const runner = dataSource.createQueryRunner();
      await runner.startTransaction();
      try {
        // A claim of 4 that has not committed yet: its leases are invisible to other claims.
        const held: unknown[] = await runner.query(CLAIM_SQL, [
          [],
          4,
          100,
          randomUUID(),
          LONG_LEASE_MS,
          claimScanRows(100),
        ]);
        expect(held).toHaveLength(4);
        // Even with room for 8, counting no leases of it now could overrun a limit of 4.
        expect(await claimAll({ perWebhookLimit: 8 }, other)).toEqual([]);
        await runner.commitTransaction();
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
      expect(await claimAll({ perWebhookLimit: 4 }, other)).toEqual([]);
      expect(await claimAll({ perWebhookLimit: 6 }, other)).toHaveLength(2);
    });

    it('a backlog of a webhook at its fleet-wide limit at the head of the queue holds up no other webhook', async () => {
      await dataSource.query(`DELETE FROM delivery_queue`);
      const other = new DeliveryWorkStore(otherDataSource);
      // 300 rows of a hanging webhook, due an hour before a healthy webhook's one row: more than
      // a claim of one row ranks, and this worker holds none of the hanging webhook's leases.
      await work.intake(requests('wh_headHog', 300), new Date(Date.now() - 3_600_000));
      expect(await claimAll({ perWebhookLimit: 2, limit: 2 }, other)).toHaveLength(2);
      const healthy = request('wh_behindHog');
      await work.intake([healthy], new Date());

      const claimed = await claimAll({ perWebhookLimit: 2, limit: 1 });
      expect(claimed.map((c) => c.deliveryId)).toEqual([healthy.deliveryId]);
      expect(claimScanRows(1)).toBeLessThan(300);
      await dataSource.query(`DELETE FROM delivery_queue`);
    });

    it('claims at once on four connections never lease more than perWebhookLimit of one webhook', async () => {
      const sources = await Promise.all(
        [1, 2].map(() => createDataSource({ url: db.url, migrations: [] }).initialize()),
      );
      try {
        const stores = [work, new DeliveryWorkStore(otherDataSource)].concat(
          sources.map((source) => new DeliveryWorkStore(source)),
        );
        // Leased rows of each webhook, read after every claim: no committed moment may hold more.
        const seen = { hot: 0, cold: 0, claimedHot: 0 };
        const look = async () => {
          const leased: Array<{ webhook_id: string; n: number }> = await dataSource.query(
            `SELECT webhook_id, count(*)::int AS n FROM delivery_queue
              WHERE claim_id IS NOT NULL AND claimed_until > now() GROUP BY webhook_id`,
          );
          for (const row of leased) {
            const key = row.webhook_id === 'wh_gateHot' ? 'hot' : 'cold';
            seen[key] = Math.max(seen[key], row.n);
          }
        };
        for (let round = 0; round < 8; round += 1) {
          await dataSource.query(`DELETE FROM delivery_queue`);
          await work.intake(
            [...requests('wh_gateHot', 40), ...requests('wh_gateCold', 3)],
            new Date(),
          );
          // Each store claims twice, handing back part of what it got in between, all at once.
          await Promise.all(
            stores.map(async (store) => {
              for (let claim = 0; claim < 2; claim += 1) {
                const got = await claimAll({ perWebhookLimit: 5, limit: 4 }, store);
                seen.claimedHot += got.filter((c) => c.webhookId === 'wh_gateHot').length;
                await look();
                await store.release(got.filter((_, i) => i % 2 === 0));
              }
            }),
          );
        }
        // Without the fleet-wide count, four claims of 4 at once would lease up to 16 of one webhook.
        expect(seen.hot).toBeLessThanOrEqual(5);
        expect(seen.hot).toBeGreaterThanOrEqual(2);
        expect(seen.cold).toBeLessThanOrEqual(3);
        expect(seen.claimedHot).toBeGreaterThan(5 * 8);
      } finally {
        await Promise.all(sources.map((source) => source.destroy()));
      }
    });

    it('claims at most limit rows in all', async () => {
      await work.intake(requests('wh_claimTotal', 5), new Date());

      expect(await claimAll({ limit: 3 })).toHaveLength(3);
      expect(await claimAll({ limit: 3 })).toHaveLength(2);
    });

    it('claims ordered rows of one webhook one at a time, in the order taken in', async () => {
      const ordered = requests('wh_ordered', 3).map((r) => ({ ...r, ordered: true }));
      const loose = request('wh_ordered');
      await work.intake([...ordered, loose], new Date());

      const taken: string[] = [];
      const first = await claimAll();
      // The head of the ordered lane and the unordered request, not the rest of the lane.
      expect(first.map((c) => c.deliveryId).sort()).toEqual(
        [ordered[0]?.deliveryId, loose.deliveryId].sort(),
      );
      for (const claim of first) await work.finish(claim, succeed);
      for (let i = 1; i < 3; i += 1) {
        const claims = await claimAll();
        expect(claims).toHaveLength(1);
        taken.push(only(claims).deliveryId);
        await work.finish(only(claims), succeed);
      }
      expect(taken).toEqual(ordered.slice(1).map((r) => r.deliveryId));
      expect(await claimAll()).toEqual([]);
    });

    it('an ordered row waiting for its retry holds back the rows behind it', async () => {
      const ordered = requests('wh_orderedRetry', 2).map((r) => ({ ...r, ordered: true }));
      await work.intake(ordered, new Date());
      const head = only(await claimAll());
      await work.finish(head, fail);
      expect(await claimAll()).toEqual([]);
      await makeDue(head.deliveryId);
      expect(only(await claimAll()).deliveryId).toBe(ordered[0]?.deliveryId);
    });

    it('a claim reads only the head of a 100,000-row ordered lane, and other webhooks are not held up', async () => {
      await dataSource.query(`DELETE FROM delivery_queue`);
      // The lane's head and one loose row of another webhook, taken in as usual...
      const head = { ...request('wh_longLane'), ordered: true };
      const other = request('wh_besideLane');
      await work.intake([head], new Date(Date.now() - 3_600_000));
      // ...then 100,000 ordered rows behind the head, due long before the other webhook's row
      // (as a recovery of a long outage queues them), written in one statement.
      await dataSource.query(
        `INSERT INTO delivery_queue (delivery_id, webhook_id, due_at, enqueued_at, ordered, waiting)
         SELECT 'dlv_lane_' || g, 'wh_longLane', now() - interval '1 hour', now(), true, true
           FROM generate_series(1, 100000) g`,
      );
      await dataSource.query(`ANALYZE delivery_queue`);
      await work.intake([other], new Date());

      // EXPLAIN ANALYZE runs the claim: in a transaction rolled back, so nothing stays claimed.
      const runner = dataSource.createQueryRunner();
      let explained: Array<{ 'QUERY PLAN': string }> = [];
      try {
        await runner.startTransaction();
        explained = await runner.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${CLAIM_SQL}`, [
          [],
          8,
          64,
          randomUUID(),
          LONG_LEASE_MS,
          claimScanRows(64),
        ]);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      const plan = explained.map((row) => row['QUERY PLAN']).join('\n');
      // The claim plan, printed for the record (docs/benchmarks.md quotes it).
      process.stdout.write(`claim plan with 100,000 ordered rows of one webhook:\n${plan}\n`);
      // The index gives two rows (the head, the other webhook's), never the lane behind it.
      const scanned = /Index Scan using delivery_queue_claimable_idx[^\n]*rows=(\d+)/.exec(plan);
      expect(scanned).not.toBeNull();
      expect(Number(scanned?.[1])).toBeLessThanOrEqual(2);

      const claimed = await claimAll({ perWebhookLimit: 8 });
      expect(claimed.map((c) => c.deliveryId).sort()).toEqual(
        [head.deliveryId, other.deliveryId].sort(),
      );
      // Finishing the head hands the lane to the next row, and to it alone.
      const headClaim = claimed.find((c) => c.deliveryId === head.deliveryId);
      if (!headClaim) throw new Error('head not claimed');
      await work.finish(headClaim, succeed);
      const heads: Array<{ delivery_id: string }> = await dataSource.query(
        `SELECT delivery_id FROM delivery_queue WHERE webhook_id = 'wh_longLane' AND NOT waiting`,
      );
      expect(heads).toEqual([{ delivery_id: 'dlv_lane_1' }]);
      await dataSource.query(`DELETE FROM delivery_queue`);
    });

    it('leaves the rows of skipWebhooks alone', async () => {
      const skipped = requests('wh_claimSkipped', 2);
      const taken = requests('wh_claimTaken', 2);
      await work.intake([...skipped, ...taken], new Date());

      const claimed = await claimAll({ skipWebhooks: ['wh_claimSkipped', 'wh_claimOther'] });

      expect(claimed.map((c) => c.webhookId)).toEqual(['wh_claimTaken', 'wh_claimTaken']);
      for (const r of skipped) expect((await queueRow(r.deliveryId))?.claim_id).toBeNull();
    });

    it('two claims at once on two connections never return the same row', async () => {
      const other = new DeliveryWorkStore(otherDataSource);
      for (let round = 0; round < 5; round += 1) {
        await dataSource.query(`DELETE FROM delivery_queue`);
        const batch = [...requests('wh_claimRaceA', 15), ...requests('wh_claimRaceB', 15)];
        await work.intake(batch, new Date());

        const [mine, theirs] = await Promise.all([
          claimAll({ limit: 20 }),
          claimAll({ limit: 20 }, other),
        ]);

        const ids = [...mine, ...theirs].map((c) => c.deliveryId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBeGreaterThanOrEqual(20);
        for (const claim of [...mine, ...theirs]) {
          expect((await queueRow(claim.deliveryId))?.claim_id).toBe(claim.claimId);
        }
      }
    });
  });

  describe('renew and release', () => {
    it('renew extends only the claims still held and counts them', async () => {
      const [lost, kept] = [request('wh_renew'), request('wh_renew')];
      await work.intake([lost], new Date(Date.now() - 1_000));
      await work.intake([kept], new Date());
      const lostClaim = only(await claimAll({ limit: 1, leaseMs: 200 }));
      const keptClaim = only(await claimAll({ limit: 1, leaseMs: 5_000 }));
      expect([lostClaim.deliveryId, keptClaim.deliveryId]).toEqual([
        lost.deliveryId,
        kept.deliveryId,
      ]);
      await sleep(300);
      const taker = only(await claimAll());
      expect(taker.deliveryId).toBe(lost.deliveryId);
      const takerUntil = (await queueRow(lost.deliveryId))?.claimed_until;

      expect(await work.renew([lostClaim, keptClaim], LONG_LEASE_MS)).toBe(1);

      const keptRow = await queueRow(kept.deliveryId);
      expect(keptRow?.claim_id).toBe(keptClaim.claimId);
      expect(keptRow?.claimed_until?.getTime()).toBeGreaterThan(Date.now() + LONG_LEASE_MS / 2);
      const lostRow = await queueRow(lost.deliveryId);
      expect(lostRow?.claim_id).toBe(taker.claimId);
      expect(lostRow?.claimed_until).toEqual(takerUntil);
      expect(await work.renew([], LONG_LEASE_MS)).toBe(0);
    });

    it('release makes rows claimable at once, or at the given time', async () => {
      const [now, later] = [request('wh_release'), request('wh_release')];
      await work.intake([now, later], new Date());
      const claimed = await claimAll();
      const claimOf = (r: DeliveryRequested) => {
        const found = claimed.find((c) => c.deliveryId === r.deliveryId);
        if (!found) throw new Error(`${r.deliveryId} was not claimed`);
        return found;
      };
      const dueAt = new Date(Date.now() + 60_000);

      await work.release([claimOf(now)]);
      await work.release([claimOf(later)], dueAt);

      expect(await queueRow(later.deliveryId)).toMatchObject({
        due_at: dueAt,
        claim_id: null,
        claimed_until: null,
      });
      expect((await claimAll()).map((c) => c.deliveryId)).toEqual([now.deliveryId]);
      expect(await work.queueDepth()).toEqual({ due: 0, scheduled: 1, claimed: 1 });
    });

    it('release leaves a row another claimer took', async () => {
      await work.intake([request('wh_releaseLost')], new Date());
      const stale = only(await claimAll({ leaseMs: 100 }));
      await sleep(200);
      const taker = only(await claimAll());

      await work.release([stale]);

      expect((await queueRow(stale.deliveryId))?.claim_id).toBe(taker.claimId);
    });
  });

  describe('finish', () => {
    it('moves a failed delivery to its retry time and clears the claim', async () => {
      const accepted = request('wh_finishRetry');
      await work.intake([accepted], new Date());
      const claim = only(await claimAll());

      const result = await work.finish(claim, fail);

      expect(result.claimHeld).toBe(true);
      expect(result.pauseRequested).toBe(false);
      expect(result.added.map((e) => e.type)).toEqual(['AttemptFailed', 'RetryScheduled']);
      expect(result.state).toMatchObject({ status: 'retry_scheduled', attempts: 1 });
      const nextAttemptAt = result.state.nextAttemptAt;
      expect(nextAttemptAt).not.toBeNull();
      expect(await queueRow(accepted.deliveryId)).toEqual({
        delivery_id: accepted.deliveryId,
        webhook_id: 'wh_finishRetry',
        due_at: new Date(nextAttemptAt ?? 0),
        claim_id: null,
        claimed_until: null,
      });
      expect(await claimAll()).toEqual([]);
    });

    it('deletes the row after the last attempt', async () => {
      const accepted = request('wh_finishLast');
      await work.intake([accepted], new Date());

      const results = [];
      for (let attempt = 1; attempt <= DEFAULT_RETRY_POLICY.maxAttempts; attempt += 1) {
        const claim = only(await claimAll());
        expect(claim.state.attempts).toBe(attempt - 1);
        results.push(await work.finish(claim, fail));
        await makeDue(accepted.deliveryId);
      }

      expect(results.map((r) => r.claimHeld)).toEqual([true, true, true]);
      expect(results.at(-1)?.added.map((e) => e.type)).toEqual(['AttemptFailed', 'DeliveryFailed']);
      expect(results.at(-1)?.state.status).toBe('failed');
      expect(await queueRow(accepted.deliveryId)).toBeUndefined();
    });

    it('finishMany records several outcomes in one transaction, each as finish would', async () => {
      const ok = request('wh_manyA');
      const failing = request('wh_manyB');
      const sameWebhook = request('wh_manyA');
      await work.intake([ok, failing, sameWebhook], new Date());
      const claims = await claimAll();
      const claimOf = (id: string) => {
        const claim = claims.find((c) => c.deliveryId === id);
        if (!claim) throw new Error(`${id} not claimed`);
        return claim;
      };

      const results = await work.finishMany([
        { claim: claimOf(ok.deliveryId), decide: succeed },
        { claim: claimOf(failing.deliveryId), decide: fail },
        { claim: claimOf(sameWebhook.deliveryId), decide: fail },
      ]);

      expect(results.map((r) => [r.state.status, r.claimHeld])).toEqual([
        ['succeeded', true],
        ['retry_scheduled', true],
        ['retry_scheduled', true],
      ]);
      const transactions = await count(
        `SELECT count(DISTINCT transaction_id) AS n FROM delivery_events
          WHERE delivery_id = ANY($1) AND type <> 'DeliveryRequested'`,
        [[ok.deliveryId, failing.deliveryId, sameWebhook.deliveryId]],
      );
      expect(transactions).toBe(1);
      expect(await queueRow(ok.deliveryId)).toBeUndefined();
      expect((await queueRow(failing.deliveryId))?.claim_id).toBeNull();
      // The stats of wh_manyA saw the success, then the failure: one call failing in a row.
      const [stats] = await dataSource.query(
        `SELECT total_calls, successful_calls, failed_calls, consecutive_failures
           FROM webhook_stats WHERE webhook_id = 'wh_manyA'`,
      );
      expect(stats).toEqual({
        total_calls: '2',
        successful_calls: '1',
        failed_calls: '1',
        consecutive_failures: 1,
      });
    });

    it('deletes the row after a success', async () => {
      const accepted = request('wh_finishSuccess');
      await work.intake([accepted], new Date());

      const result = await work.finish(only(await claimAll()), succeed);

      expect(result).toMatchObject({ claimHeld: true, state: { status: 'succeeded' } });
      expect(await queueRow(accepted.deliveryId)).toBeUndefined();
    });

    it('deletes the row after a skip', async () => {
      const accepted = request('wh_finishSkip');
      await work.intake([accepted], new Date());

      const result = await work.finish(only(await claimAll()), (state) =>
        recordSkip(state, 'webhook deleted', new Date()),
      );

      expect(result.added.map((e) => e.type)).toEqual(['DeliverySkipped']);
      expect(result).toMatchObject({ claimHeld: true, state: { status: 'skipped_while_paused' } });
      expect(await queueRow(accepted.deliveryId)).toBeUndefined();
    });

    it('records the outcome of a lost claim once and leaves the new claim its row', async () => {
      const accepted = request('wh_finishLost');
      await work.intake([accepted], new Date());
      const stale = only(await claimAll({ leaseMs: 100 }));
      await sleep(200);
      const taker = only(await claimAll());
      expect(taker.claimId).not.toBe(stale.claimId);
      const takerRow = await queueRow(accepted.deliveryId);
      const at = new Date();
      const decide = () => recordAttempt(stale.state, FAILED, DEFAULT_RETRY_POLICY, at);

      const first = await work.finish(stale, decide);
      const replay = await work.finish(stale, decide);

      expect(first.claimHeld).toBe(false);
      expect(first.added.map((e) => e.type)).toEqual(['AttemptFailed', 'RetryScheduled']);
      expect(replay).toMatchObject({ claimHeld: false, added: [] });
      expect(await types(accepted.deliveryId)).toEqual([
        'DeliveryRequested',
        'AttemptFailed',
        'RetryScheduled',
      ]);
      expect(await queueRow(accepted.deliveryId)).toEqual(takerRow);
    });

    it('records a replayed attempt once', async () => {
      const accepted = request('wh_finishReplay');
      await work.intake([accepted], new Date());
      const claim = only(await claimAll());
      const at = new Date();
      const decide = () => recordAttempt(claim.state, FAILED, DEFAULT_RETRY_POLICY, at);

      const first = await work.finish(claim, decide);
      const rowAfterFirst = await queueRow(accepted.deliveryId);
      const replay = await work.finish(claim, decide);

      expect(first.added).toHaveLength(2);
      expect(replay.added).toEqual([]);
      expect(replay.state).toEqual(first.state);
      expect(await queueRow(accepted.deliveryId)).toEqual(rowAfterFirst);
      expect(await types(accepted.deliveryId)).toEqual([
        'DeliveryRequested',
        'AttemptFailed',
        'RetryScheduled',
      ]);
      const [stats] = await dataSource.query(
        `SELECT total_calls, failed_calls FROM webhook_stats WHERE webhook_id = 'wh_finishReplay'`,
      );
      expect(stats).toEqual({ total_calls: '1', failed_calls: '1' });
      const [streak] = await dataSource.query(
        `SELECT streak FROM webhook_failure_streaks WHERE webhook_id = 'wh_finishReplay'`,
      );
      expect(streak.streak.consecutiveFailures).toBe(1);
      expect(
        await count(`SELECT count(*) AS n FROM outbox WHERE topic = $1 AND message_key = $2`, [
          KAFKA_TOPICS.webhooksDeliveryLog,
          'wh_finishReplay',
        ]),
      ).toBe(3);
    });
  });

  describe('failure streak', () => {
    const THRESHOLD = 10;

    /** Intakes `n` new deliveries of `webhookId`, claims them and finishes each with `decide`. */
    const finishNew = async (
      webhookId: string,
      n: number,
      decide: (state: DeliveryState) => DeliveryLogEvent[],
      options: FinishOptions,
    ) => {
      await work.intake(requests(webhookId, n), new Date());
      const claims: ClaimedDelivery[] = await claimAll();
      expect(claims).toHaveLength(n);
      const paused: boolean[] = [];
      for (const claim of claims) {
        const result = await work.finish(claim, decide, {
          autoPauseThreshold: THRESHOLD,
          ...options,
        });
        paused.push(result.pauseRequested);
      }
      return paused;
    };

    /** The command an outbox row carries, checked against its contract. */
    const commandOf = (row: OutboxRow | undefined) => {
      if (!row) throw new Error('no command written');
      expect(row.headers).toMatchObject({
        [KAFKA_HEADERS.messageType]: 'WebhookCommandRequested',
        [KAFKA_HEADERS.schemaVersion]: '1',
      });
      const parsed = parseWebhookCommandRequested(row.value);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      return parsed.value;
    };

    it('asks for one pause at the threshold, and another after re-activation', async () => {
      const webhookId = 'wh_streakPause';
      const v1: FinishOptions = { webhook: { status: 'active', version: 1 } };

      expect(await finishNew(webhookId, THRESHOLD - 1, fail, v1)).toEqual(
        Array(THRESHOLD - 1).fill(false),
      );
      expect(await commands(webhookId)).toEqual([]);
      expect(await finishNew(webhookId, 1, fail, v1)).toEqual([true]);
      const [first] = await commands(webhookId);
      expect(commandOf(first)).toMatchObject({
        schemaVersion: 1,
        type: 'AutoPauseWebhook',
        webhookId,
        company: envelope.data.company,
        consecutiveFailures: THRESHOLD,
      });

      // Still active at the version the pause was asked at: the command is on its way.
      expect(await finishNew(webhookId, 3, fail, v1)).toEqual([false, false, false]);
      expect(await commands(webhookId)).toHaveLength(1);

      // Re-activated by hand: a later version, active again. The count starts over.
      const v3: FinishOptions = { webhook: { status: 'active', version: 3 } };
      expect(await finishNew(webhookId, THRESHOLD, fail, v3)).toEqual([
        ...Array(THRESHOLD - 1).fill(false),
        true,
      ]);
      const all = await commands(webhookId);
      expect(all).toHaveLength(2);
      expect(commandOf(all[1]).consecutiveFailures).toBe(THRESHOLD);
    });

    it('writes no command while the webhook is paused or unknown', async () => {
      const webhookId = 'wh_streakPaused';

      expect(
        await finishNew(webhookId, THRESHOLD, fail, {
          webhook: { status: 'paused', version: 2 },
        }),
      ).not.toContain(true);
      expect(await finishNew('wh_streakUnknown', THRESHOLD, fail, {})).not.toContain(true);

      expect(await commands(webhookId)).toEqual([]);
      expect(await commands('wh_streakUnknown')).toEqual([]);
    });

    it('a success resets the count', async () => {
      const webhookId = 'wh_streakReset';
      const active: FinishOptions = { webhook: { status: 'active', version: 1 } };

      await finishNew(webhookId, THRESHOLD - 1, fail, active);
      await finishNew(webhookId, 1, succeed, active);
      expect(await finishNew(webhookId, THRESHOLD - 1, fail, active)).not.toContain(true);
      expect(await commands(webhookId)).toEqual([]);

      expect(await finishNew(webhookId, 1, fail, active)).toEqual([true]);
      expect(await commands(webhookId)).toHaveLength(1);
    });

    it('a success that ends a run is counted by the domain rule: its attempt is remembered', async () => {
      const webhookId = 'wh_streakRule';
      const active: FinishOptions = { webhook: { status: 'active', version: 1 } };
      const streak = async () => {
        const [row]: Array<{ streak: FailureStreak }> = await dataSource.query(
          `SELECT streak FROM webhook_failure_streaks WHERE webhook_id = $1`,
          [webhookId],
        );
        return row?.streak;
      };

      await finishNew(webhookId, 3, fail, active);
      expect((await streak())?.consecutiveFailures).toBe(3);
      await finishNew(webhookId, 1, succeed, active);
      const after = await streak();
      expect(after).toMatchObject({ consecutiveFailures: 0, pauseRequested: false });
      // Four attempts folded by applyAttemptToStreak, the success among them (a reset beside the
      // rule would have left it out, and would end a run again if it were ever counted twice).
      expect(after?.recentAttemptKeys).toHaveLength(4);

      // With no run to end, a success writes nothing.
      await finishNew(webhookId, 1, succeed, active);
      expect(await streak()).toEqual(after);
    });
  });

  describe('DeliveryLogStore.readAfter', () => {
    /** The position after everything the reader can return now. */
    const head = async () => {
      let position = LOG_START;
      for (;;) {
        const page = await log.readAfter(position);
        if (page.entries.length === 0) return position;
        position = page.position;
      }
    };

    const eventsOf = (webhookId: string) =>
      recordRequest(undefined, request(webhookId), new Date());

    it('never skips a row whose transaction commits after a later-positioned one', async () => {
      const start = await head();
      const slow = dataSource.createQueryRunner();
      await slow.connect();
      await slow.startTransaction();
      try {
        // The slow writer takes the lower global position but commits last.
        await log.append(eventsOf('wh_tailEarly'), slow.manager);
        await log.append(eventsOf('wh_tailLate'));

        const whileOpen = await log.readAfter(start);
        expect(whileOpen.entries.map((e) => e.event.webhookId)).not.toContain('wh_tailLate');
        expect(whileOpen.entries.map((e) => e.event.webhookId)).not.toContain('wh_tailEarly');

        await slow.commitTransaction();
      } finally {
        await slow.release();
      }

      // Another session on the server may hold the reader back a while longer.
      const tailOf = (page: DeliveryLogPage) =>
        page.entries.filter((e) => e.event.webhookId.startsWith('wh_tail'));
      const page = await waitFor(
        () => log.readAfter(start),
        (result) => tailOf(result).length >= 2,
      );
      const tail = tailOf(page);
      expect(tail.map((e) => e.event.webhookId)).toEqual(['wh_tailEarly', 'wh_tailLate']);
      const [early, late] = tail;
      expect(early?.globalPosition).toBeLessThan(late?.globalPosition ?? 0n);
      expect(page.position).toEqual({
        transactionId: page.entries.at(-1)?.transactionId,
        globalPosition: page.entries.at(-1)?.globalPosition,
      });
    });

    it('pages through the whole log from LOG_START, each row once, in log order', async () => {
      await log.append(['wh_pageA', 'wh_pageB', 'wh_pageC'].flatMap(eventsOf));
      const total = await count(`SELECT count(*) AS n FROM delivery_events`);

      const seen = await waitFor(
        async () => {
          const entries: DeliveryLogEntry[] = [];
          let position = LOG_START;
          for (;;) {
            const page = await log.readAfter(position, 2);
            if (page.entries.length === 0) return entries;
            expect(page.entries.length).toBeLessThanOrEqual(2);
            entries.push(...page.entries);
            position = page.position;
          }
        },
        (entries) => entries.length >= total,
      );

      expect(seen).toHaveLength(total);
      expect(new Set(seen.map((e) => e.globalPosition)).size).toBe(total);
      seen.slice(1).forEach((entry, i) => {
        const previous = seen[i];
        if (!previous) throw new Error('no previous entry');
        const ordered =
          entry.transactionId > previous.transactionId ||
          (entry.transactionId === previous.transactionId &&
            entry.globalPosition > previous.globalPosition);
        expect(ordered).toBe(true);
      });
      expect(
        seen.filter((e) => e.event.webhookId.startsWith('wh_page')).map((e) => e.event.webhookId),
      ).toEqual(['wh_pageA', 'wh_pageB', 'wh_pageC']);
    });

    it('refuses a limit below 1', async () => {
      await expect(log.readAfter(LOG_START, 0)).rejects.toThrow(TypeError);
    });
  });
});
