import {
  type DeliveryLogEvent,
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  type WebhookCommandRequested,
} from '@hookline/contracts';
import {
  AUTO_PAUSE_THRESHOLD,
  applyAttemptToStreak,
  EMPTY_STREAK,
  type FailureStreak,
  resetStreak,
} from '@hookline/deliveries-domain';
import { writeOutbox } from '@hookline/shared-event-store';
import type { EntityManager } from 'typeorm';

/** What the worker knows of the webhook when it records an outcome. */
export interface WebhookStatusView {
  readonly status: 'active' | 'paused';
  readonly version: number;
}

export interface FailureStreakOptions {
  /** The webhook as the worker sees it; `undefined` when deleted or unknown (no pause is sent). */
  readonly webhook?: WebhookStatusView;
  /** Consecutive failed calls that pause a webhook. */
  readonly autoPauseThreshold?: number;
  readonly commandsTopic?: string;
}

export const ATTEMPT_TYPES: ReadonlySet<DeliveryLogEvent['type']> = new Set([
  'AttemptSucceeded',
  'AttemptFailed',
]);

/**
 * Folds new attempts into the webhook's failure streak. A streak that asked for a pause is
 * reset once the webhook is active again at a later version (re-activated by hand), so the
 * count starts over. Returns whether a pause command was written.
 */
export async function recordFailureStreak(
  manager: EntityManager,
  webhookId: string,
  added: readonly DeliveryLogEvent[],
  options: FailureStreakOptions,
): Promise<boolean> {
  // Test calls (Test webhook) are an admin's check, not traffic: they never pause a webhook.
  const attempts = added.filter(
    (e) => ATTEMPT_TYPES.has(e.type) && e.attempt !== null && e.trigger !== 'test',
  );
  const last = attempts.at(-1);
  if (!last) return false;
  if (attempts.every((e) => e.type === 'AttemptSucceeded')) {
    // The common case takes no lock and writes nothing: successes with no run to end change
    // nothing the rule counts. Any other case goes through the domain's rule below, the one
    // place that decides (a success already counted, say, ends no run).
    const [open]: Array<{ open: boolean }> = await manager.query(
      `SELECT (streak->>'consecutiveFailures')::int > 0 OR (streak->>'pauseRequested')::boolean AS open
         FROM webhook_failure_streaks WHERE webhook_id = $1`,
      [webhookId],
    );
    if (!open?.open) return false;
  }
  const [row]: Array<{ streak: FailureStreak; paused_at_version: number | null }> =
    await manager.query(
      `SELECT streak, paused_at_version FROM webhook_failure_streaks WHERE webhook_id = $1 FOR UPDATE`,
      [webhookId],
    );
  const { webhook } = options;
  let streak = row?.streak ?? EMPTY_STREAK;
  let pausedAtVersion = row?.paused_at_version ?? null;
  if (
    streak.pauseRequested &&
    webhook?.status === 'active' &&
    (pausedAtVersion === null || webhook.version > pausedAtVersion)
  ) {
    streak = resetStreak(streak);
    pausedAtVersion = null;
  }
  let pause = false;
  for (const event of attempts) {
    const result = applyAttemptToStreak(
      streak,
      {
        deliveryId: event.deliveryId,
        attemptNumber: event.attempt ?? 0,
        ok: event.type === 'AttemptSucceeded',
      },
      { threshold: options.autoPauseThreshold ?? AUTO_PAUSE_THRESHOLD },
    );
    streak = result.streak;
    pause = pause || result.pause;
  }
  const send = pause && webhook?.status === 'active';
  if (pause) pausedAtVersion = webhook?.version ?? pausedAtVersion;
  await manager.query(
    `INSERT INTO webhook_failure_streaks (webhook_id, streak, paused_at_version) VALUES ($1, $2, $3)
     ON CONFLICT (webhook_id) DO UPDATE SET streak = EXCLUDED.streak,
                                            paused_at_version = EXCLUDED.paused_at_version`,
    [webhookId, JSON.stringify(streak), pausedAtVersion],
  );
  if (!send) return false;
  const command: WebhookCommandRequested = {
    schemaVersion: 1,
    type: 'AutoPauseWebhook',
    webhookId,
    company: last.company,
    reason: `paused after ${streak.consecutiveFailures} consecutive failed calls; last: ${last.error ?? 'failed'}`,
    consecutiveFailures: streak.consecutiveFailures,
    requestedAt: last.recordedAt,
    correlationId: last.correlationId,
    ...(webhook ? { webhookVersion: webhook.version } : {}),
  };
  await writeOutbox(manager, [
    {
      topic: options.commandsTopic ?? KAFKA_TOPICS.webhooksCommands,
      key: webhookId,
      value: JSON.stringify(command),
      headers: {
        [KAFKA_HEADERS.messageType]: 'WebhookCommandRequested',
        [KAFKA_HEADERS.schemaVersion]: '1',
        [KAFKA_HEADERS.correlationId]: command.correlationId,
      },
    },
  ]);
  return true;
}
