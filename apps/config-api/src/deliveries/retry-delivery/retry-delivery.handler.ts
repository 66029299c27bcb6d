import type { DeliveryReads } from '@hookline/deliveries-data-access';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DELIVERY_READS, DELIVERY_REQUEST_OUTBOX, WEBHOOK_STORE } from '../../tokens';
import { type DeliveryRequestOutbox, manualRequest } from '../delivery-request.outbox';
import { RetryDeliveryCommand } from './retry-delivery.command';

export interface RetryAccepted {
  readonly deliveryId: string;
  /** The number the retry's attempt will have in the log. */
  readonly attempt: number;
}

/**
 * Asks the delivery worker for a new round of a finished delivery (failed, delivered, skipped):
 * the request it accepted, again, with trigger `manual`. Refused while the webhook is paused
 * (the worker would only skip it) and while the delivery is still pending (its own retries run).
 */
@CommandHandler(RetryDeliveryCommand)
export class RetryDeliveryHandler implements ICommandHandler<RetryDeliveryCommand> {
  constructor(
    @Inject(DELIVERY_READS) private readonly reads: DeliveryReads,
    @Inject(WEBHOOK_STORE) private readonly webhooks: WebhookStore,
    @Inject(DELIVERY_REQUEST_OUTBOX) private readonly outbox: DeliveryRequestOutbox,
  ) {}

  async execute({
    principal,
    deliveryId,
    correlationId,
  }: RetryDeliveryCommand): Promise<RetryAccepted> {
    const delivery = await this.reads.get(principal.company, deliveryId);
    if (!delivery) throw new WebhookDomainError('not_found', `delivery ${deliveryId} not found`);
    if (delivery.status === 'pending') {
      throw new WebhookDomainError(
        'invalid_state',
        `delivery ${deliveryId} is still pending: wait for its attempts to finish before retrying it`,
      );
    }
    const webhook = await this.webhooks.get(principal.company, delivery.webhookId);
    if (!webhook) {
      throw new WebhookDomainError(
        'invalid_state',
        `webhook ${delivery.webhookId} of delivery ${deliveryId} was deleted: nothing to send it to`,
      );
    }
    if (webhook.status === 'paused') {
      throw new WebhookDomainError(
        'invalid_state',
        `webhook ${webhook.id} is paused: activate it before retrying its deliveries`,
      );
    }
    await this.outbox.queue(
      [manualRequest(delivery.request, webhook.version, new Date())],
      correlationId,
    );
    return { deliveryId, attempt: delivery.attemptCount + 1 };
  }
}
