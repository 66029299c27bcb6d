import type { DeliveryReads } from '@hookline/deliveries-data-access';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { DeliveryRequestOutbox } from '../../deliveries/delivery-request.outbox';
import { queueReplay, type ReplayLimits } from '../../deliveries/queue-replay';
import {
  DELIVERY_READS,
  DELIVERY_REQUEST_OUTBOX,
  REPLAY_LIMITS,
  WEBHOOK_STORE,
} from '../../tokens';
import { executeWebhookCommand, present } from '../execute-webhook-command';
import { toWebhookResponse } from '../webhook.response';
import { ActivateWebhookCommand } from './activate-webhook.command';
import type { ActivatedWebhookResponse } from './activate-webhook.response';

/**
 * Re-activates a paused webhook (manual or auto) and resets its failure streak; with
 * `replayMissed`, then queues a manual request for each delivery skipped while it was paused,
 * oldest first. Asking again on an active webhook replays what is still skipped, so a client
 * whose first call failed half-way can simply repeat it.
 */
@CommandHandler(ActivateWebhookCommand)
export class ActivateWebhookHandler implements ICommandHandler<ActivateWebhookCommand> {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(DELIVERY_READS) private readonly reads: DeliveryReads,
    @Inject(DELIVERY_REQUEST_OUTBOX) private readonly outbox: DeliveryRequestOutbox,
    @Inject(REPLAY_LIMITS) private readonly limits: ReplayLimits,
  ) {}

  async execute({
    principal,
    webhookId,
    correlationId,
    expectedVersion,
    replayMissed,
  }: ActivateWebhookCommand): Promise<ActivatedWebhookResponse> {
    const webhook = present(
      await executeWebhookCommand(this.store, principal, correlationId, {
        type: 'ActivateWebhook',
        webhookId,
        company: principal.company,
        now: new Date().toISOString(),
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      }),
      webhookId,
    );
    if (!replayMissed) return { ...toWebhookResponse(webhook), replayed: 0, replayComplete: true };
    const replay = await queueReplay(
      this.reads,
      this.outbox,
      { company: principal.company, webhookId, statuses: ['skipped_while_paused'] },
      webhook.version,
      correlationId,
      this.limits,
    );
    return {
      ...toWebhookResponse(webhook),
      replayed: replay.queued,
      replayComplete: replay.complete,
    };
  }
}
