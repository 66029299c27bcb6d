import type { WebhookStore } from '@hookline/webhooks-data-access';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { WEBHOOK_STORE } from '../../tokens';
import { executeWebhookCommand, present } from '../execute-webhook-command';
import { toWebhookResponse, type WebhookResponse } from '../webhook.response';
import { ActivateWebhookCommand } from './activate-webhook.command';

/** Re-activates a paused webhook (manual or auto) and resets its failure streak. */
@CommandHandler(ActivateWebhookCommand)
export class ActivateWebhookHandler implements ICommandHandler<ActivateWebhookCommand> {
  constructor(@Inject(WEBHOOK_STORE) private readonly store: WebhookStore) {}

  async execute({
    principal,
    webhookId,
    correlationId,
    expectedVersion,
  }: ActivateWebhookCommand): Promise<WebhookResponse> {
    const webhook = await executeWebhookCommand(this.store, principal, correlationId, {
      type: 'ActivateWebhook',
      webhookId,
      company: principal.company,
      now: new Date().toISOString(),
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });
    return toWebhookResponse(present(webhook, webhookId));
  }
}
