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
  type WebhookStreak,
} from '@hookline/deliveries-domain';
import { type OutboxMessage, writeOutbox } from '@hookline/shared-event-store';
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

/** One webhook's new log events of a finish batch, with what the worker knows of the webhook. */
export interface WebhookAttempts {
  readonly webhookId: string;
  readonly added: readonly DeliveryLogEvent[];
  readonly options: FailureStreakOptions;
}

/** A webhook's failure streak row as it stands, locked for the finish's transaction. */
export interface LockedStreak {
  readonly webhook_id: string;
  readonly streak: FailureStreak;
  readonly paused_at_version: number | null;
}

/**
 * Locks the failure streak rows of these webhooks for the transaction (in webhook order, so two
 * workers never lock them crosswise) and reads them. A finish locks them with its deliveries,
 * before it knows which of its attempts count, so the rows it writes at the end are ready.
 */
export async function lockFailureStreaks(
  manager: EntityManager,
  webhookIds: readonly string[],
): Promise<Map<string, LockedStreak>> {
  const ids = [...new Set(webhookIds)].sort();
  if (ids.length === 0) return new Map();
  const rows: LockedStreak[] = await manager.query(
    `SELECT webhook_id, streak, paused_at_version FROM webhook_failure_streaks
      WHERE webhook_id = ANY($1::text[]) ORDER BY webhook_id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((row) => [row.webhook_id, row]));
}

const isClean = ({ streak }: WebhookStreak): boolean =>
  streak.consecutiveFailures === 0 && !streak.pauseRequested;

/**
 * Successes on a streak with no failures and no pause leave it as the rule and the claims read
 * it: only the keys of the attempts it remembers grow. Those keys turn away an attempt counted
 * twice, and none reaches this: the finish counts only the events the log added, and the log
 * adds an attempt once (its ids). So that row is not written again: the finishes of a webhook
 * that succeeds write no streak at all, where they rewrote its row (64 keys, 3 kB) every time.
 */
function unchanged(current: WebhookStreak, next: WebhookStreak): boolean {
  return isClean(current) && isClean(next) && current.pausedAtVersion === next.pausedAtVersion;
}

/**
 * Moves the failure streaks of the batch's webhooks by their new attempts, as the domain's
 * auto-pause rule ({@link countAttempts}) decides for each: test calls left out, re-armed after a
 * re-activation, the threshold reached once. Set-based: `locked` holds the streak rows
 * ({@link lockFailureStreaks}, every webhook of `webhooks` among them); one statement writes back
 * those the rule counted, and a pause the rule sends is an `AutoPauseWebhook` command in the
 * outbox. Returns the webhooks a pause was written for, and the writes, sent at once: the caller
 * awaits them with its other statements.
 */
export function recordFailureStreaks(
  manager: EntityManager,
  webhooks: readonly WebhookAttempts[],
  locked: ReadonlyMap<string, LockedStreak>,
): { paused: Set<string>; written: Promise<unknown> } {
  const counting = webhooks
    .map(({ webhookId, added, options }) => ({
      webhookId,
      options,
      attempts: added
        .filter((e) => ATTEMPT_TYPES.has(e.type))
        .map((event) => ({
          event,
          deliveryId: event.deliveryId,
          attemptNumber: event.attempt,
          ok: event.type === 'AttemptSucceeded',
          trigger: event.trigger,
        })),
    }))
    .filter(({ attempts }) => attempts.some(countsTowardsPause))
    .sort((a, b) => (a.webhookId < b.webhookId ? -1 : a.webhookId > b.webhookId ? 1 : 0));
  const paused = new Set<string>();
  const writes: LockedStreak[] = [];
  const commands: OutboxMessage[] = [];
  for (const { webhookId, options, attempts } of counting) {
    const row = locked.get(webhookId);
    const { webhook } = options;
    const current = row
      ? { streak: row.streak, pausedAtVersion: row.paused_at_version }
      : NO_WEBHOOK_STREAK;
    const decision = countAttempts(current, attempts, {
      ...(webhook ? { webhook } : {}),
      ...(options.autoPauseThreshold === undefined
        ? {}
        : { threshold: options.autoPauseThreshold }),
    });
    const last = decision.last?.event;
    if (!decision.counted || !last || unchanged(current, decision.next)) continue;
    const { streak, pausedAtVersion } = decision.next;
    writes.push({ webhook_id: webhookId, streak, paused_at_version: pausedAtVersion });
    if (!decision.pause) continue;
    paused.add(webhookId);
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
    commands.push({
      topic: options.commandsTopic ?? KAFKA_TOPICS.webhooksCommands,
      key: webhookId,
      value: JSON.stringify(command),
      headers: {
        [KAFKA_HEADERS.messageType]: 'WebhookCommandRequested',
        [KAFKA_HEADERS.schemaVersion]: '1',
        [KAFKA_HEADERS.correlationId]: command.correlationId,
      },
    });
  }
  const written: Array<Promise<unknown>> = [];
  if (writes.length > 0) {
    written.push(
      manager.query(
        `INSERT INTO webhook_failure_streaks (webhook_id, streak, paused_at_version)
         SELECT w.webhook_id, w.streak, w.paused_at_version
           FROM jsonb_to_recordset($1::jsonb) AS w(webhook_id text, streak jsonb, paused_at_version int)
          ORDER BY w.webhook_id
         ON CONFLICT (webhook_id) DO UPDATE SET streak = EXCLUDED.streak,
                                                paused_at_version = EXCLUDED.paused_at_version`,
        [JSON.stringify(writes)],
      ),
    );
  }
  if (commands.length > 0) written.push(writeOutbox(manager, commands));
  return { paused, written: Promise.all(written) };
}
