import {
  type DeliveryLogEvent,
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  type WebhookCommandRequested,
} from '@hookline/contracts';
import {
  countAttempts,
  countsTowardsPause,
  type FailureStreak,
  NO_WEBHOOK_STREAK,
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
 * Moves the webhook's failure streak by its new attempts, as the domain's auto-pause rule
 * ({@link countAttempts}) decides: test calls left out, re-armed after a re-activation, the
 * threshold reached once. The streak row is locked, read, and written back when the rule
 * counted something; a pause the rule sends is an `AutoPauseWebhook` command in the outbox.
 * Returns whether one was written.
 */
export async function recordFailureStreak(
  manager: EntityManager,
  webhookId: string,
  added: readonly DeliveryLogEvent[],
  options: FailureStreakOptions,
): Promise<boolean> {
  const attempts = added
    .filter((e) => ATTEMPT_TYPES.has(e.type))
    .map((event) => ({
      event,
      deliveryId: event.deliveryId,
      attemptNumber: event.attempt,
      ok: event.type === 'AttemptSucceeded',
      trigger: event.trigger,
    }));
  if (!attempts.some(countsTowardsPause)) return false;
  const [row]: Array<{ streak: FailureStreak; paused_at_version: number | null }> =
    await manager.query(
      `SELECT streak, paused_at_version FROM webhook_failure_streaks WHERE webhook_id = $1 FOR UPDATE`,
      [webhookId],
    );
  const { webhook } = options;
  const decision = countAttempts(
    row ? { streak: row.streak, pausedAtVersion: row.paused_at_version } : NO_WEBHOOK_STREAK,
    attempts,
    {
      ...(webhook ? { webhook } : {}),
      ...(options.autoPauseThreshold === undefined
        ? {}
        : { threshold: options.autoPauseThreshold }),
    },
  );
  const last = decision.last?.event;
  if (!decision.counted || !last) return false;
  const { streak, pausedAtVersion } = decision.next;
  await manager.query(
    `INSERT INTO webhook_failure_streaks (webhook_id, streak, paused_at_version) VALUES ($1, $2, $3)
     ON CONFLICT (webhook_id) DO UPDATE SET streak = EXCLUDED.streak,
                                            paused_at_version = EXCLUDED.paused_at_version`,
    [webhookId, JSON.stringify(streak), pausedAtVersion],
  );
  if (!decision.pause) return false;
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
