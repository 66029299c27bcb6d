import {
  AUTO_PAUSE_THRESHOLD,
  EMPTY_STREAK,
  STREAK_KEY_WINDOW,
  applyAttemptToStreak,
  resetStreak,
  type FailureStreak,
  type StreakAttempt,
} from './failure-streak';

const fail = (deliveryId: string, attemptNumber = 1): StreakAttempt => ({
  deliveryId,
  attemptNumber,
  ok: false,
});
const succeed = (deliveryId: string, attemptNumber = 1): StreakAttempt => ({
  deliveryId,
  attemptNumber,
  ok: true,
});

/** Folds attempts from `start`, returning the final streak and the indexes that asked to pause. */
function fold(attempts: StreakAttempt[], start: FailureStreak = EMPTY_STREAK) {
  let streak = start;
  const pausedAt: number[] = [];
  attempts.forEach((attempt, i) => {
    const result = applyAttemptToStreak(streak, attempt);
    streak = result.streak;
    if (result.pause) pausedAt.push(i);
  });
  return { streak, pausedAt };
}

const failures = (n: number, prefix = 'dlv_') =>
  Array.from({ length: n }, (_, i) => fail(`${prefix}${i}`));

describe('applyAttemptToStreak', () => {
  it('the threshold is the product document’s 10 consecutive failures', () => {
    expect(AUTO_PAUSE_THRESHOLD).toBe(10);
  });

  it('given 9 failures, the 10th asks for a pause', () => {
    const { streak, pausedAt } = fold(failures(10));
    expect(pausedAt).toEqual([9]);
    expect(streak.consecutiveFailures).toBe(10);
    expect(streak.pauseRequested).toBe(true);
  });

  it('9 failures do not pause', () => {
    expect(fold(failures(9)).pausedAt).toEqual([]);
  });

  it('failures past the threshold keep counting but ask for a pause only once', () => {
    const { streak, pausedAt } = fold(failures(25));
    expect(pausedAt).toEqual([9]);
    expect(streak.consecutiveFailures).toBe(25);
  });

  it('a success resets the count to 0', () => {
    const { streak, pausedAt } = fold([...failures(9), succeed('dlv_ok'), ...failures(9, 'dlv_b')]);
    expect(pausedAt).toEqual([]);
    expect(streak.consecutiveFailures).toBe(9);
  });

  it('after a success, a new run of 10 failures asks for a pause again', () => {
    const { pausedAt } = fold([...failures(10), succeed('dlv_ok'), ...failures(10, 'dlv_b')]);
    expect(pausedAt).toEqual([9, 20]);
  });

  it('a replayed failure is counted once', () => {
    const { streak } = fold([
      fail('dlv_a', 1),
      fail('dlv_a', 1),
      fail('dlv_a', 2),
      fail('dlv_a', 1),
    ]);
    expect(streak.consecutiveFailures).toBe(2);
  });

  it('a replayed failure does not ask for a second pause', () => {
    const attempts = failures(10);
    const { pausedAt } = fold([...attempts, attempts[9] as StreakAttempt]);
    expect(pausedAt).toEqual([9]);
  });

  it('replaying the 10th failure after it paused is not a second pause', () => {
    const tenth = fail('dlv_9');
    const first = fold([...failures(9), tenth]);
    const replay = applyAttemptToStreak(first.streak, tenth);
    expect(replay).toEqual({ streak: first.streak, pause: false });
  });

  it('a replayed old success does not wipe the failures that followed it', () => {
    const { streak } = fold([succeed('dlv_ok'), ...failures(5), succeed('dlv_ok')]);
    expect(streak.consecutiveFailures).toBe(5);
  });

  it('retries of one delivery are separate calls and each counts', () => {
    const { streak } = fold([fail('dlv_a', 1), fail('dlv_a', 2), fail('dlv_a', 3)]);
    expect(streak.consecutiveFailures).toBe(3);
  });

  it('remembers at most the key window, dropping the oldest keys first', () => {
    const { streak } = fold(failures(STREAK_KEY_WINDOW + 6));
    expect(streak.recentAttemptKeys).toHaveLength(STREAK_KEY_WINDOW);
    expect(streak.recentAttemptKeys[0]).toBe('dlv_6#1');
  });

  it('honours a custom threshold', () => {
    let streak: FailureStreak = EMPTY_STREAK;
    const pauses = [1, 2, 3].map((n) => {
      const r = applyAttemptToStreak(streak, fail('dlv_x', n), { threshold: 3 });
      streak = r.streak;
      return r.pause;
    });
    expect(pauses).toEqual([false, false, true]);
  });

  it('does not change the streak it is given', () => {
    const before = fold(failures(3)).streak;
    const copy = JSON.parse(JSON.stringify(before));
    applyAttemptToStreak(before, fail('dlv_new'));
    expect(before).toEqual(copy);
  });

  it('a streak survives a JSON round trip', () => {
    const { streak } = fold(failures(4));
    expect(JSON.parse(JSON.stringify(streak))).toEqual(streak);
  });
});

describe('resetStreak', () => {
  it('given a paused run, a manual reset re-arms the pause after 10 new failures', () => {
    const paused = fold(failures(10)).streak;
    const { pausedAt } = fold(failures(10, 'dlv_b'), resetStreak(paused));
    expect(pausedAt).toEqual([9]);
  });

  it('keeps the remembered keys so a late replay is still ignored', () => {
    const paused = fold(failures(10)).streak;
    const after = applyAttemptToStreak(resetStreak(paused), fail('dlv_3'));
    expect(after.streak.consecutiveFailures).toBe(0);
  });
});
