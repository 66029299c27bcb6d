import type { DeliveryReads } from '@hookline/deliveries-data-access';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryRequestOutbox } from '../../deliveries/delivery-request.outbox';
import {
  DELIVERY_READS,
  DELIVERY_REQUEST_OUTBOX,
  TEST_WEBHOOK_OPTIONS,
  WEBHOOK_STORE,
} from '../../tokens';
import { TestWebhookCommand } from './test-webhook.command';
import { testOutcome, type TestWebhookResult } from './test-webhook.outcome';
import { testDeliveryRequest } from './test-webhook.sample';
import { TestWebhookTimeoutError } from './test-webhook-timeout.error';

export interface TestWebhookOptions {
  /** How long to wait for the worker's outcome before answering 504. */
  readonly timeoutMs: number;
  /** How often to look for it. */
  readonly pollMs: number;
}

/**
 * Sends a sample event through the real delivery path (the worker renders, signs, checks the URL
 * and calls it) as a `test` delivery, and waits for the outcome the worker records. The worker
 * sends a test even to a paused webhook, so a fix can be checked before reactivating.
 */
@CommandHandler(TestWebhookCommand)
export class TestWebhookHandler implements ICommandHandler<TestWebhookCommand> {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly webhooks: WebhookStore,
    @Inject(DELIVERY_READS) private readonly reads: DeliveryReads,
    @Inject(DELIVERY_REQUEST_OUTBOX) private readonly outbox: DeliveryRequestOutbox,
    @Inject(TEST_WEBHOOK_OPTIONS) private readonly options: TestWebhookOptions,
  ) {}

  async execute({
    principal,
    webhookId,
    correlationId,
    eventType,
  }: TestWebhookCommand): Promise<TestWebhookResult> {
    const webhook = await this.webhooks.get(principal.company, webhookId);
    if (!webhook) throw new WebhookDomainError('not_found', `webhook ${webhookId} not found`);
    const type = eventType ?? webhook.events[0];
    if (!type) {
      throw WebhookDomainError.validationFailed([
        {
          field: 'eventType',
          rule: 'required',
          message: 'eventType is required: the webhook subscribes to no event type',
        },
      ]);
    }
    const request = testDeliveryRequest(webhook, type, correlationId, new Date());
    await this.outbox.queue([request], correlationId);

    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      const delivery = await this.reads.get(principal.company, request.deliveryId);
      const outcome = delivery && testOutcome(delivery);
      if (outcome) return outcome;
      const left = deadline - Date.now();
      if (left <= 0) throw new TestWebhookTimeoutError(request.deliveryId, this.options.timeoutMs);
      await sleep(Math.min(this.options.pollMs, left));
    }
  }
}
