import {
  type CountedAttempt,
  countAttempts,
  countsTowardsPause,
  NO_WEBHOOK_STREAK,
  type WebhookStreak,
} from './auto-pause.rule';
import { attemptKey } from './failure-streak';

const call = (
  deliveryId: string,
  ok: boolean,
  overrides: Partial<CountedAttempt> = {},
): CountedAttempt => ({ deliveryId, attemptNumber: 1, ok, trigger: 'first', ...overrides });
const failures = (n: number, prefix = 'dlv_f') =>
  Array.from({ length: n }, (_, i) => call(`${prefix}${i}`, false));

const ACTIVE_V1 = { webhook: { status: 'active', version: 1 } } as const;

/** Counts each batch in turn from `start`, as finishes one after another would. */
function countBatches(batches: CountedAttempt[][], context = {}, start = NO_WEBHOOK_STREAK) {
  let state: WebhookStreak = start;
  const pauses: boolean[] = [];
  for (const batch of batches) {
    const decision = countAttempts(state, batch, context);
    state = decision.next;
    pauses.push(decision.pause);
  }
  return { state, pauses };
}

describe('countsTowardsPause', () => {
  it('counts first, retry and manual calls, not test calls nor attempts without a number', () => {
    expect(countsTowardsPause(call('d', false))).toBe(true);
    expect(countsTowardsPause(call('d', false, { trigger: 'manual' }))).toBe(true);
    expect(countsTowardsPause(call('d', false, { trigger: 'test' }))).toBe(false);
    expect(countsTowardsPause(call('d', false, { attemptNumber: null }))).toBe(false);
  });
});

describe('countAttempts', () => {
  it('asks for a pause on the call that reaches the threshold, once, for an active webhook', () => {
    const { state, pauses } = countBatches([failures(9), [call('dlv_x', false)]], ACTIVE_V1);
    expect(pauses).toEqual([false, true]);
    expect(state.streak).toMatchObject({ consecutiveFailures: 10, pauseRequested: true });
    expect(state.pausedAtVersion).toBe(1);

    const more = countAttempts(state, failures(3, 'dlv_more'), ACTIVE_V1);
    expect(more.pause).toBe(false);
    expect(more.next.streak.consecutiveFailures).toBe(13);
  });

  it('honours the threshold it is given', () => {
    expect(
      countAttempts(NO_WEBHOOK_STREAK, failures(3), { ...ACTIVE_V1, threshold: 3 }).pause,
    ).toBe(true);
    expect(countAttempts(NO_WEBHOOK_STREAK, failures(3), ACTIVE_V1).pause).toBe(false);
  });

  it('counts but sends nothing for a paused or unknown webhook', () => {
    const paused = countAttempts(NO_WEBHOOK_STREAK, failures(10), {
      webhook: { status: 'paused', version: 2 },
    });
    expect(paused).toMatchObject({ pause: false, counted: true });
    expect(paused.next).toMatchObject({ pausedAtVersion: 2, streak: { pauseRequested: true } });

    const unknown = countAttempts(NO_WEBHOOK_STREAK, failures(10));
    expect(unknown).toMatchObject({ pause: false, counted: true });
    expect(unknown.next.pausedAtVersion).toBeNull();
  });

  it('re-arms after re-activation at a later version: the count starts over', () => {
    const { state } = countBatches([failures(10)], ACTIVE_V1);
    const v3 = { webhook: { status: 'active', version: 3 } } as const;

    const first = countAttempts(state, [call('dlv_after', false)], v3);
    expect(first.next.streak).toMatchObject({ consecutiveFailures: 1, pauseRequested: false });
    expect(first.next.pausedAtVersion).toBeNull();

    const again = countBatches([failures(9, 'dlv_again')], v3, first.next);
    expect(again.pauses).toEqual([true]);
    expect(again.state.pausedAtVersion).toBe(3);
  });

  it('does not re-arm at the version the pause was asked at, nor while paused', () => {
    const { state } = countBatches([failures(10)], ACTIVE_V1);
    const same = countAttempts(state, failures(10, 'dlv_same'), ACTIVE_V1);
    expect(same.pause).toBe(false);
    expect(same.next.streak.consecutiveFailures).toBe(20);

    const paused = countAttempts(state, failures(1, 'dlv_p'), {
      webhook: { status: 'paused', version: 2 },
    });
    expect(paused.next.streak).toMatchObject({ consecutiveFailures: 11, pauseRequested: true });
  });

  it('leaves test calls out: they neither count nor end a run', () => {
    const { state } = countBatches([failures(9)], ACTIVE_V1);
    const tests = countAttempts(
      state,
      [call('dlv_t1', false, { trigger: 'test' }), call('dlv_t2', true, { trigger: 'test' })],
      ACTIVE_V1,
    );
    expect(tests).toEqual({ next: state, counted: false, pause: false });
  });

  it('a success ends the run and is remembered, so its replay cannot wipe later failures', () => {
    const { state } = countBatches([failures(3), [call('dlv_ok', true)]], ACTIVE_V1);
    expect(state.streak.consecutiveFailures).toBe(0);
    expect(state.streak.recentAttemptKeys).toContain(attemptKey('dlv_ok', 1));

    const later = countBatches(
      [failures(4, 'dlv_later'), [call('dlv_ok', true)]],
      ACTIVE_V1,
      state,
    );
    expect(later.state.streak.consecutiveFailures).toBe(4);
  });

  it('remembers a success on a webhook with no run to end, too', () => {
    const decision = countAttempts(NO_WEBHOOK_STREAK, [call('dlv_ok', true)], ACTIVE_V1);
    expect(decision.counted).toBe(true);
    expect(decision.next.streak.recentAttemptKeys).toEqual([attemptKey('dlv_ok', 1)]);
    const after = countAttempts(decision.next, [...failures(2), call('dlv_ok', true)], ACTIVE_V1);
    expect(after.next.streak.consecutiveFailures).toBe(2);
  });

  it('reports the last call counted, and nothing when none was', () => {
    const last = call('dlv_last', false);
    expect(
      countAttempts(NO_WEBHOOK_STREAK, [
        call('a', false),
        last,
        call('t', false, { trigger: 'test' }),
      ]).last,
    ).toBe(last);
    expect(countAttempts(NO_WEBHOOK_STREAK, []).last).toBeUndefined();
  });

  it('does not change the state it is given', () => {
    const { state } = countBatches([failures(10)], ACTIVE_V1);
    const copy = JSON.parse(JSON.stringify(state));
    countAttempts(state, failures(5, 'dlv_x'), { webhook: { status: 'active', version: 2 } });
    expect(state).toEqual(copy);
  });
});
