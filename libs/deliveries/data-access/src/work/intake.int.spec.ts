import type { DeliveryRequested } from '@hookline/contracts';
import type { DataSource } from 'typeorm';
import type { DeliveryWorkStore } from '../delivery-work.store';
import { request, requests, only, succeed, useWorkStore } from './testing/work-store.fixtures';

describe('intake of requests against the real PostgreSQL', () => {
  const store = useWorkStore('work_intake');
  const { claimAll, queueRow, count, types } = store;
  let dataSource: DataSource;
  let work: DeliveryWorkStore;
  beforeAll(() => ({ dataSource, work } = store.get()));

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
});
