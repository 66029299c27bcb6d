import type { DeliveryReads } from '@hookline/deliveries-data-access';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { DeliveryRequestOutbox } from '../../deliveries/delivery-request.outbox';
import { queueReplay, type ReplayLimits, type ReplayQueued } from '../../deliveries/queue-replay';
import {
  DELIVERY_READS,
  DELIVERY_REQUEST_OUTBOX,
  REPLAY_LIMITS,
  WEBHOOK_STORE,
} from '../../tokens';
import { RecoverWebhookCommand } from './recover-webhook.command';

export type RecoveryQueued = ReplayQueued;

/**
 * Outage recovery: queues a manual request, oldest first, for each delivery of the webhook that
 * failed or was skipped while paused in the window, a page at a time and at most
 * `maxDeliveries` per call (the answer says where to go on from). Refused while the webhook is
 * paused, where the worker would only skip them again.
 */
@CommandHandler(RecoverWebhookCommand)
export class RecoverWebhookHandler implements ICommandHandler<RecoverWebhookCommand> {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly webhooks: WebhookStore,
    @Inject(DELIVERY_READS) private readonly reads: DeliveryReads,
    @Inject(DELIVERY_REQUEST_OUTBOX) private readonly outbox: DeliveryRequestOutbox,
    @Inject(REPLAY_LIMITS) private readonly limits: ReplayLimits,
  ) {}

  async execute({
    principal,
    webhookId,
    correlationId,
    since,
    until,
  }: RecoverWebhookCommand): Promise<RecoveryQueued> {
    const webhook = await this.webhooks.get(principal.company, webhookId);
    if (!webhook) throw new WebhookDomainError('not_found', `webhook ${webhookId} not found`);
    if (webhook.status === 'paused') {
      throw new WebhookDomainError(
        'invalid_state',
        `webhook ${webhookId} is paused: activate it before recovering its deliveries`,
      );
    }
    return queueReplay(
      this.reads,
      this.outbox,
      {
        company: principal.company,
        webhookId,
        statuses: ['failed', 'skipped_while_paused'],
        since,
        ...(until ? { until } : {}),
      },
      webhook.version,
      correlationId,
      this.limits,
    );
  }
}
