import { recordRequest } from '@hookline/deliveries-domain';
import { LOG_START } from '@hookline/shared-event-store';
import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import type { DataSource } from 'typeorm';
import {
  type DeliveryLogEntry,
  type DeliveryLogPage,
  type DeliveryLogStore,
} from './delivery-log.store';
import {
  request,
  waitFor,
  openWorkStore,
  workProbes,
  type WorkStoreSetup,
} from './work/testing/work-store.fixtures';

describe('DeliveryLogStore.readAfter on the work store’s database against the real PostgreSQL', () => {
  let db: TestDatabase;
  let setup: WorkStoreSetup;
  let dataSource: DataSource;
  let log: DeliveryLogStore;
  const { count } = workProbes(() => setup);

  beforeAll(async () => {
    db = await createTestDatabase('work_log_tail');
    setup = await openWorkStore(db.url);
    ({ dataSource, log } = setup);
  });

  afterAll(async () => {
    await setup?.close();
    await db?.drop();
  });

  // Each test sees only its own work: claims take every due row of the database.
  beforeEach(() => setup.dataSource.query(`DELETE FROM delivery_queue`));

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
