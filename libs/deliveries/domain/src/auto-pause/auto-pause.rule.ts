import type { DeliveryTrigger } from '@hookline/contracts';
import {
  AUTO_PAUSE_THRESHOLD,
  applyAttemptToStreak,
  EMPTY_STREAK,
  type FailureStreak,
  resetStreak,
} from './failure-streak';

/** A webhook's auto-pause state as stored: its failure streak and where its last pause stood. */
export interface WebhookStreak {
  readonly streak: FailureStreak;
  /** The webhook version the last pause was asked at (`null`: none since the last re-arm). */
  readonly pausedAtVersion: number | null;
}

/** The state of a webhook nothing was counted for yet. */
export const NO_WEBHOOK_STREAK: WebhookStreak = Object.freeze({
  streak: EMPTY_STREAK,
  pausedAtVersion: null,
});

/** One recorded call, as the rule reads it. */
export interface CountedAttempt {
  readonly deliveryId: string;
  /** `null` for an attempt that numbers no call. */
  readonly attemptNumber: number | null;
  readonly ok: boolean;
  readonly trigger: DeliveryTrigger;
}

export interface AutoPauseContext {
  /** The webhook as the worker sees it; `undefined` when deleted or unknown (no pause is sent). */
  readonly webhook?: { readonly status: 'active' | 'paused'; readonly version: number };
  /** Consecutive failed calls that pause a webhook; AUTO_PAUSE_THRESHOLD unless set. */
  readonly threshold?: number;
}

export interface AutoPauseDecision<A extends CountedAttempt = CountedAttempt> {
  /** What to store; the state given when nothing was counted. */
  readonly next: WebhookStreak;
  /** Some attempt was counted: `next` is to be stored. */
  readonly counted: boolean;
  /** Send an `AutoPauseWebhook` command now (the run reached the threshold, the webhook is active). */
  readonly pause: boolean;
  /** The last attempt counted (what a pause command reports). */
  readonly last?: A;
}

/**
 * Whether a call counts towards a pause: test calls (Test webhook) are an admin's check, not
 * traffic, and an attempt that numbers no call is not one.
 */
export function countsTowardsPause(attempt: CountedAttempt): boolean {
  return attempt.attemptNumber !== null && attempt.trigger !== 'test';
}

/**
 * The auto-pause rule, the one place it is decided: folds a webhook's newly recorded calls
 * into its state.
 * - Only calls that {@link countsTowardsPause} are counted: never test calls.
 * - Re-arming: a streak that asked for a pause starts over once the webhook is active again at
 *   a later version than the one the pause was asked at (re-activated by hand).
 * - Each call moves the streak by {@link applyAttemptToStreak}: failures count, a success ends
 *   the run, replays count once, and the failure that reaches the threshold asks once.
 * - The pause is sent only to a webhook the worker sees active; the version it was asked at is
 *   kept so the next re-activation re-arms it.
 */
export function countAttempts<A extends CountedAttempt>(
  current: WebhookStreak,
  attempts: readonly A[],
  context: AutoPauseContext = {},
): AutoPauseDecision<A> {
  const counted = attempts.filter(countsTowardsPause);
  const last = counted.at(-1);
  if (!last) return { next: current, counted: false, pause: false };
  const { webhook } = context;
  let streak = current.streak;
  let pausedAtVersion = current.pausedAtVersion;
  if (
    streak.pauseRequested &&
    webhook?.status === 'active' &&
    (pausedAtVersion === null || webhook.version > pausedAtVersion)
  ) {
    streak = resetStreak(streak);
    pausedAtVersion = null;
  }
  let asked = false;
  for (const attempt of counted) {
    const result = applyAttemptToStreak(
      streak,
      { deliveryId: attempt.deliveryId, attemptNumber: attempt.attemptNumber ?? 0, ok: attempt.ok },
      { threshold: context.threshold ?? AUTO_PAUSE_THRESHOLD },
    );
    streak = result.streak;
    asked = asked || result.pause;
  }
  if (asked) pausedAtVersion = webhook?.version ?? pausedAtVersion;
  return {
    next: { streak, pausedAtVersion },
    counted: true,
    pause: asked && webhook?.status === 'active',
    last,
  };
}
