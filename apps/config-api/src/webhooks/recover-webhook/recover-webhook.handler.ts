import type { DeliveryReads } from '@hookline/deliveries-data-access';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type DeliveryRequestOutbox,
  manualRequest,
} from '../../deliveries/delivery-request.outbox';
import { DELIVERY_READS, DELIVERY_REQUEST_OUTBOX, WEBHOOK_STORE } from '../../tokens';
import { RecoverWebhookCommand } from './recover-webhook.command';

export interface RecoveryQueued {
  /** Deliveries asked for again. */
  readonly queued: number;
}

/**
 * Outage recovery: queues a manual request, oldest first, for each delivery of the webhook that
 * failed or was skipped while paused in the window. Refused while the webhook is paused, where
 * the worker would only skip them again.
 */
@CommandHandler(RecoverWebhookCommand)
export class RecoverWebhookHandler implements ICommandHandler<RecoverWebhookCommand> {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly webhooks: WebhookStore,
    @Inject(DELIVERY_READS) private readonly reads: DeliveryReads,
    @Inject(DELIVERY_REQUEST_OUTBOX) private readonly outbox: DeliveryRequestOutbox,
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
    const requests = await this.reads.requestsToReplay(
      principal.company,
      webhookId,
      ['failed', 'skipped_while_paused'],
      { since, ...(until ? { until } : {}) },
    );
    const now = new Date();
    await this.outbox.queue(
      requests.map((request) => manualRequest(request, webhook.version, now, { ordered: true })),
      correlationId,
    );
    return { queued: requests.length };
  }
}
