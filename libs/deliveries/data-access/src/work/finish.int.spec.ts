import { DEFAULT_RETRY_POLICY, recordAttempt, recordSkip } from '@hookline/deliveries-domain';
import type { DataSource } from 'typeorm';
import type { DeliveryWorkStore } from '../delivery-work.store';
import { FAILED, request, only, fail, succeed, useWorkStore } from './testing/work-store.fixtures';

describe('finishing claims against the real PostgreSQL', () => {
  const store = useWorkStore('work_finish');
  const { claimAll, queueRow, makeDue, count, types, runOutLeases } = store;
  let dataSource: DataSource;
  let work: DeliveryWorkStore;
  beforeAll(() => ({ dataSource, work } = store.get()));

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
      const stale = only(await claimAll());
      await runOutLeases(stale);
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
    });
  });
});
