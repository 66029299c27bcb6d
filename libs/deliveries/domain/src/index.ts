// Public API of @hookline/deliveries-domain. Anything not exported here is internal.
export {
  FAILURE_CLASSES,
  classifyHttpStatus,
  parseRetryAfter,
  type AttemptOutcome,
  type FailureClass,
  type HttpStatusClass,
} from './outcome/attempt-outcome';
export {
  DEFAULT_RETRY_POLICY,
  PERMANENT_FAILURES,
  RETRY_POLICY_LIMITS,
  RetryPolicyError,
  nextAttempt,
  parseRetryPolicy,
  type RetryDecision,
  type RetryPolicy,
} from './retry/retry-policy';
export {
  AUTO_PAUSE_THRESHOLD,
  EMPTY_STREAK,
  STREAK_KEY_WINDOW,
  applyAttemptToStreak,
  attemptKey,
  resetStreak,
  type FailureStreak,
  type StreakAttempt,
  type StreakOptions,
  type StreakResult,
} from './auto-pause/failure-streak';
export {
  NO_WEBHOOK_STREAK,
  countAttempts,
  countsTowardsPause,
  type AutoPauseContext,
  type AutoPauseDecision,
  type CountedAttempt,
  type WebhookStreak,
} from './auto-pause/auto-pause.rule';
export {
  holdAtClaim,
  stillHeld,
  type ClaimHold,
  type WebhookAtClaim,
} from './auto-pause/claim-hold';
export {
  DELIVERY_STATUSES,
  DeliveryStateError,
  type DeliveryState,
  type DeliveryStatus,
} from './delivery/delivery';
export { evolveDelivery, rehydrateDelivery } from './delivery/delivery.evolve';
export {
  HELD_WHILE_PAUSED,
  formatAttemptError,
  recordAttempt,
  recordRequest,
  recordSkip,
} from './delivery/delivery.decider';
