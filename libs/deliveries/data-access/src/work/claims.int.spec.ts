import type { DeliveryRequested } from '@hookline/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@hookline/shared-event-store';
import { CLAIM_SQL, DeliveryWorkStore } from '../delivery-work.store';
import { claimScanRows } from './claims';
import {
  LONG_LEASE_MS,
  request,
  requests,
  only,
  fail,
  succeed,
  useWorkStore,
} from './testing/work-store.fixtures';

describe('claims, renewals and releases against the real PostgreSQL', () => {
  const store = useWorkStore('work_claims');
  const { claimAll, queueRow, makeDue, count, runOutLeases } = store;
  let dataSource: DataSource;
  let otherDataSource: DataSource;
  let work: DeliveryWorkStore;
  beforeAll(() => ({ dataSource, otherDataSource, work } = store.get()));

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

      const first = only(await claimAll());
      expect(await claimAll()).toEqual([]);
      await runOutLeases(first);
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

      const first = await claimAll({ perWebhookLimit: 3 });
      expect(first).toHaveLength(3);
      expect(await claimAll({ perWebhookLimit: 3 }, other)).toEqual([]);
      expect(await claimAll({ perWebhookLimit: 4 }, other)).toHaveLength(1);
      // The first worker died: its leases run out, and its work is free again.
      await runOutLeases(...first);
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
        [1, 2].map(() => createDataSource({ url: store.get().url, migrations: [] }).initialize()),
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
      const lostClaim = only(await claimAll({ limit: 1 }));
      const keptClaim = only(await claimAll({ limit: 1 }));
      expect([lostClaim.deliveryId, keptClaim.deliveryId]).toEqual([
        lost.deliveryId,
        kept.deliveryId,
      ]);
      await runOutLeases(lostClaim);
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
      const stale = only(await claimAll());
      await runOutLeases(stale);
      const taker = only(await claimAll());

      await work.release([stale]);

      expect((await queueRow(stale.deliveryId))?.claim_id).toBe(taker.claimId);
    });
  });
});
