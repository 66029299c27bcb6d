/** Consecutive failed calls after which a webhook is paused (product document). */
export const AUTO_PAUSE_THRESHOLD = 10;

/**
 * How many recent attempt keys a streak remembers to recognise a replayed attempt. Larger than
 * the threshold, so every attempt that can contribute to reaching it is deduplicated.
 */
export const STREAK_KEY_WINDOW = 64;

/**
 * One webhook's run of consecutive failed calls. Plain data (stored as jsonb by the worker).
 */
export interface FailureStreak {
  /** Failed calls since the last success (or manual reset). */
  consecutiveFailures: number;
  /** A pause was asked for in this run; no second one until the streak resets. */
  pauseRequested: boolean;
  /**
   * The last {@link STREAK_KEY_WINDOW} attempts counted, successes and failures alike, as
   * `deliveryId#attemptNumber`, oldest first.
   */
  recentAttemptKeys: string[];
}

export interface StreakAttempt {
  deliveryId: string;
  attemptNumber: number;
  ok: boolean;
}

export interface StreakResult {
  streak: FailureStreak;
  /** True exactly once per run: on the failure that reaches the threshold. */
  pause: boolean;
}

export interface StreakOptions {
  threshold?: number;
  keyWindow?: number;
}

/** The streak of a webhook that has not failed yet. */
export const EMPTY_STREAK: Readonly<FailureStreak> = Object.freeze({
  consecutiveFailures: 0,
  pauseRequested: false,
  recentAttemptKeys: Object.freeze([]) as unknown as string[],
});

/** The key under which an attempt is remembered. */
export function attemptKey(deliveryId: string, attemptNumber: number): string {
  return `${deliveryId}#${attemptNumber}`;
}

/**
 * Folds one recorded attempt into a webhook's failure streak. A failure adds one; a success
 * resets to 0 and re-arms the pause. Reaching `threshold` asks for a pause once; further
 * failures keep counting (for the "Consecutive Failures" stat) without asking again.
 *
 * Replays are counted once: an attempt whose key is among the last `keyWindow` counted is
 * ignored (the streak comes back unchanged, `pause: false`). Successes are remembered too, so a
 * replayed old success cannot wipe a run of later failures. Memory is bounded by the window; an
 * attempt replayed after more than `keyWindow` newer ones would count again, which at worst
 * adds to a run that is already past the threshold.
 */
export function applyAttemptToStreak(
  streak: FailureStreak,
  attempt: StreakAttempt,
  options: StreakOptions = {},
): StreakResult {
  const threshold = options.threshold ?? AUTO_PAUSE_THRESHOLD;
  const keyWindow = Math.max(options.keyWindow ?? STREAK_KEY_WINDOW, 1);
  const key = attemptKey(attempt.deliveryId, attempt.attemptNumber);
  if (streak.recentAttemptKeys.includes(key)) return { streak, pause: false };

  const recentAttemptKeys = [...streak.recentAttemptKeys, key].slice(-keyWindow);
  if (attempt.ok) {
    return {
      streak: { consecutiveFailures: 0, pauseRequested: false, recentAttemptKeys },
      pause: false,
    };
  }
  const consecutiveFailures = streak.consecutiveFailures + 1;
  const pause = !streak.pauseRequested && consecutiveFailures >= threshold;
  return {
    streak: {
      consecutiveFailures,
      pauseRequested: streak.pauseRequested || pause,
      recentAttemptKeys,
    },
    pause,
  };
}

/**
 * The streak after the webhook is re-activated by hand: the count starts again and a new pause
 * may be asked for, but the remembered keys stay so a late replay is still not counted.
 */
export function resetStreak(streak: FailureStreak): FailureStreak {
  return {
    consecutiveFailures: 0,
    pauseRequested: false,
    recentAttemptKeys: [...streak.recentAttemptKeys],
  };
}
