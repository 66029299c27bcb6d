import type { DeliveryRequested } from '@hookline/contracts';
import type { IntakeResult } from '@hookline/deliveries-data-access';
import { INTAKE_BATCH_REQUESTS, INTAKE_TRANSACTIONS, IntakeBatcher } from './intake-batcher';

/** Requests that only carry an id: the batcher never looks inside them. */
const chunk = (name: string, size = 2): DeliveryRequested[] =>
  Array.from({ length: size }, (_, i) => ({ deliveryId: `${name}-${i}` }) as DeliveryRequested);

const ids = (requests: readonly DeliveryRequested[]) => requests.map((r) => r.deliveryId);

/** A takeIn whose transactions end when the test says so. */
function controlledIntake() {
  const calls: Array<{
    requests: readonly DeliveryRequested[];
    end: (error?: Error) => void;
  }> = [];
  const takeIn = (requests: readonly DeliveryRequested[]) =>
    new Promise<IntakeResult>((resolve, reject) => {
      calls.push({
        requests,
        end: (error) =>
          error ? reject(error) : resolve({ recorded: requests.length, queued: requests.length }),
      });
    });
  return { calls, takeIn };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('IntakeBatcher', () => {
  it('takes in the chunks handed over in one turn in one transaction, in the order given', async () => {
    const { calls, takeIn } = controlledIntake();
    const batcher = new IntakeBatcher(takeIn);
    const a = batcher.submit(chunk('a'));
    const b = batcher.submit(chunk('b'));
    await nextTurn();
    expect(calls.map((c) => ids(c.requests))).toEqual([['a-0', 'a-1', 'b-0', 'b-1']]);
    calls[0]?.end();
    await expect(a).resolves.toEqual({ recorded: 4, queued: 4 });
    await expect(b).resolves.toEqual({ recorded: 4, queued: 4 });
  });

  it('runs at most INTAKE_TRANSACTIONS at once, and what came meanwhile goes in the next', async () => {
    const { calls, takeIn } = controlledIntake();
    const batcher = new IntakeBatcher(takeIn);
    const first: Array<Promise<IntakeResult>> = [];
    for (let i = 0; i < INTAKE_TRANSACTIONS; i += 1) {
      first.push(batcher.submit(chunk(`t${i}`)));
      await nextTurn();
    }
    expect(calls).toHaveLength(INTAKE_TRANSACTIONS);

    const late = [batcher.submit(chunk('x')), batcher.submit(chunk('y'))];
    await nextTurn();
    expect(calls).toHaveLength(INTAKE_TRANSACTIONS);
    calls[0]?.end();
    await nextTurn();
    await nextTurn();
    expect(calls).toHaveLength(INTAKE_TRANSACTIONS + 1);
    expect(ids(calls.at(-1)?.requests ?? [])).toEqual(['x-0', 'x-1', 'y-0', 'y-1']);
    for (const call of calls) call.end();
    await Promise.all([...first, ...late]);
  });

  it('keeps a transaction to INTAKE_BATCH_REQUESTS, never splitting a chunk', async () => {
    const { calls, takeIn } = controlledIntake();
    const batcher = new IntakeBatcher(takeIn);
    const big = INTAKE_BATCH_REQUESTS - 1;
    const done = [
      batcher.submit(chunk('a', big)),
      batcher.submit(chunk('b', 2)),
      batcher.submit(chunk('c', 1)),
    ];
    await nextTurn();
    await nextTurn();
    expect(calls.map((c) => c.requests.length)).toEqual([big, 3]);
    for (const call of calls) call.end();
    await Promise.all(done);
  });

  it('after a combined transaction fails, takes each chunk in alone: only the refused one fails', async () => {
    const { calls, takeIn } = controlledIntake();
    const batcher = new IntakeBatcher(takeIn);
    const good = batcher.submit(chunk('good'));
    const bad = batcher.submit(chunk('bad'));
    await nextTurn();
    calls[0]?.end(new Error('the combined transaction failed'));
    await nextTurn();
    const alone = calls.slice(1);
    expect(alone.map((c) => ids(c.requests))).toEqual([
      ['good-0', 'good-1'],
      ['bad-0', 'bad-1'],
    ]);
    alone[0]?.end();
    alone[1]?.end(new Error('refused'));
    await expect(good).resolves.toEqual({ recorded: 2, queued: 2 });
    await expect(bad).rejects.toThrow('refused');
  });

  it('fails a chunk that was alone in its transaction with that error, without trying again', async () => {
    const { calls, takeIn } = controlledIntake();
    const batcher = new IntakeBatcher(takeIn);
    const only = batcher.submit(chunk('only'));
    await nextTurn();
    calls[0]?.end(new Error('database away'));
    await expect(only).rejects.toThrow('database away');
    await nextTurn();
    expect(calls).toHaveLength(1);
  });
});
