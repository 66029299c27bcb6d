import { ConcurrencyConflictError } from '@hookline/shared-event-store';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { WEBHOOK_STORE } from '../../tokens';
import { AutoPauseWebhookCommand, type AutoPauseOutcome } from './auto-pause-webhook.command';

/** Attempts per command while other writers keep appending to the same webhook first. */
const MAX_CONFLICT_ATTEMPTS = 5;

/**
 * Pauses a webhook on the delivery worker's request. Idempotent: a webhook already paused (by
 * hand or by an earlier request) stays as it is and no event is appended.
 *
 * @throws WebhookDomainError `not_found` for a missing, deleted or another company's webhook.
 */
@CommandHandler(AutoPauseWebhookCommand)
export class AutoPauseWebhookHandler implements ICommandHandler<
  AutoPauseWebhookCommand,
  AutoPauseOutcome
> {
  constructor(@Inject(WEBHOOK_STORE) private readonly store: WebhookStore) {}

  async execute({ request, causationId }: AutoPauseWebhookCommand): Promise<AutoPauseOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { events } = await this.store.execute(
          {
            type: 'AutoPauseWebhook',
            webhookId: request.webhookId,
            company: request.company,
            reason: request.reason,
            consecutiveFailures: request.consecutiveFailures,
            ...(request.webhookVersion === undefined
              ? {}
              : { decidedAtVersion: request.webhookVersion }),
            now: new Date().toISOString(),
          },
          { correlationId: request.correlationId, causationId },
        );
        return events.length > 0 ? 'paused' : 'unchanged';
      } catch (error) {
        // Another change won the append: decide again on the state it left (maybe paused now).
        // Past the last attempt the error goes to the consumer, which retries the whole chunk.
        if (error instanceof ConcurrencyConflictError && attempt < MAX_CONFLICT_ATTEMPTS) continue;
        throw error;
      }
    }
  }
}
