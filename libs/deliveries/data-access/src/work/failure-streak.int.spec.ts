import {
  type DeliveryLogEvent,
  KAFKA_HEADERS,
  parseWebhookCommandRequested,
} from '@hookline/contracts';
import type { DeliveryState, FailureStreak } from '@hookline/deliveries-domain';
import type { DataSource } from 'typeorm';
import {
  type ClaimedDelivery,
  type DeliveryWorkStore,
  type FinishOptions,
} from '../delivery-work.store';
import {
  envelope,
  request,
  requests,
  fail,
  succeed,
  type OutboxRow,
  useWorkStore,
} from './testing/work-store.fixtures';

describe('the failure streak of finished claims against the real PostgreSQL', () => {
  const store = useWorkStore('work_streak');
  const { claimAll, commands, count } = store;
  let dataSource: DataSource;
  let work: DeliveryWorkStore;
  beforeAll(() => ({ dataSource, work } = store.get()));

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

    it('moves the streaks and stats of every webhook of one batch, each by its own calls', async () => {
      const a = 'wh_batchA';
      const b = 'wh_batchB';
      const v1: FinishOptions = {
        webhook: { status: 'active', version: 1 },
        autoPauseThreshold: THRESHOLD,
      };
      await finishNew(a, THRESHOLD - 2, fail, v1);
      await work.intake([...requests(a, 3), ...requests(b, 3)], new Date());
      const claims = await claimAll();
      const ofA = claims.filter((c) => c.webhookId === a);
      const ofB = claims.filter((c) => c.webhookId === b);
      expect([ofA.length, ofB.length]).toEqual([3, 3]);
      const [b1, b2, b3] = ofB;
      if (!b1 || !b2 || !b3) throw new Error('claims missing');
      // Interleaved, as outcomes arrive: A fails three times (past the threshold), B fails,
      // succeeds and fails.
      const results = await work.finishMany([
        { claim: ofA[0] as ClaimedDelivery, decide: fail, options: v1 },
        { claim: b1, decide: fail, options: v1 },
        { claim: ofA[1] as ClaimedDelivery, decide: fail, options: v1 },
        { claim: b2, decide: succeed, options: v1 },
        { claim: ofA[2] as ClaimedDelivery, decide: fail, options: v1 },
        { claim: b3, decide: fail, options: v1 },
      ]);
      expect(results.map((r) => r.pauseRequested)).toEqual([true, false, true, false, true, false]);
      expect(await commands(a)).toHaveLength(1);
      expect(await commands(b)).toEqual([]);
      const streaks: Array<{ webhook_id: string; streak: FailureStreak }> = await dataSource.query(
        `SELECT webhook_id, streak FROM webhook_failure_streaks WHERE webhook_id = ANY($1) ORDER BY webhook_id`,
        [[a, b]],
      );
      expect(streaks.map((r) => [r.webhook_id, r.streak.consecutiveFailures])).toEqual([
        [a, THRESHOLD + 1],
        [b, 1],
      ]);
      const stats: Array<Record<string, unknown>> = await dataSource.query(
        `SELECT webhook_id, total_calls::int, successful_calls::int, failed_calls::int, consecutive_failures
           FROM webhook_stats WHERE webhook_id = ANY($1) ORDER BY webhook_id`,
        [[a, b]],
      );
      expect(stats).toEqual([
        {
          webhook_id: a,
          total_calls: THRESHOLD + 1,
          successful_calls: 0,
          failed_calls: THRESHOLD + 1,
          consecutive_failures: THRESHOLD + 1,
        },
        {
          webhook_id: b,
          total_calls: 3,
          successful_calls: 1,
          failed_calls: 2,
          consecutive_failures: 1,
        },
      ]);
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

    it('test calls neither count nor pause, and leave the streak untouched', async () => {
      const webhookId = 'wh_streakTestCalls';
      const tests = Array.from({ length: THRESHOLD }, () =>
        request(webhookId, { trigger: 'test' }),
      );
      await work.intake(tests, new Date());
      const claims = await claimAll();
      expect(claims).toHaveLength(THRESHOLD);
      for (const claim of claims) {
        const result = await work.finish(claim, fail, {
          autoPauseThreshold: THRESHOLD,
          webhook: { status: 'active', version: 1 },
        });
        expect(result.added.map((e) => e.trigger)).toContain('test');
        expect(result.pauseRequested).toBe(false);
      }
      expect(await commands(webhookId)).toEqual([]);
      expect(
        await count(`SELECT count(*) AS n FROM webhook_failure_streaks WHERE webhook_id = $1`, [
          webhookId,
        ]),
      ).toBe(0);
    });

    it('every success is counted by the domain rule; one that leaves a clean streak clean is not written', async () => {
      const webhookId = 'wh_streakRule';
      const active: FinishOptions = { webhook: { status: 'active', version: 1 } };
      const streak = async (id = webhookId) => {
        const [row]: Array<{ streak: FailureStreak }> = await dataSource.query(
          `SELECT streak FROM webhook_failure_streaks WHERE webhook_id = $1`,
          [id],
        );
        return row?.streak;
      };

      await finishNew(webhookId, 3, fail, active);
      expect((await streak())?.consecutiveFailures).toBe(3);
      await finishNew(webhookId, 1, succeed, active);
      const after = await streak();
      expect(after).toMatchObject({ consecutiveFailures: 0, pauseRequested: false });
      // Four attempts folded by applyAttemptToStreak, the success among them (a reset beside the
      // rule would have left it out).
      expect(after?.recentAttemptKeys).toHaveLength(4);

      // With no run to end, a success changes nothing the rule or a claim reads: the row stays
      // as it was (an attempt counted twice never gets here; the log adds it once).
      await finishNew(webhookId, 2, succeed, active);
      expect(await streak()).toEqual(after);
      // And the next failure counts from there.
      await finishNew(webhookId, 1, fail, active);
      expect(await streak()).toMatchObject({ consecutiveFailures: 1, pauseRequested: false });
      expect((await streak())?.recentAttemptKeys).toHaveLength(5);

      // A webhook whose calls all succeed has no streak row at all.
      await finishNew('wh_streakClean', 3, succeed, active);
      expect(await streak('wh_streakClean')).toBeUndefined();
    });
  });
});
