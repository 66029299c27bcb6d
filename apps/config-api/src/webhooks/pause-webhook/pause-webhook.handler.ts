import type { WebhookStore } from '@hookline/webhooks-data-access';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { WEBHOOK_STORE } from '../../tokens';
import { executeWebhookCommand, present } from '../execute-webhook-command';
import { toWebhookResponse, type WebhookResponse } from '../webhook.response';
import { PauseWebhookCommand } from './pause-webhook.command';

/** Pauses by hand; pausing a paused webhook changes nothing. */
@CommandHandler(PauseWebhookCommand)
export class PauseWebhookHandler implements ICommandHandler<PauseWebhookCommand> {
  constructor(@Inject(WEBHOOK_STORE) private readonly store: WebhookStore) {}

  async execute({
    principal,
    webhookId,
    correlationId,
    expectedVersion,
  }: PauseWebhookCommand): Promise<WebhookResponse> {
    const webhook = await executeWebhookCommand(this.store, principal, correlationId, {
      type: 'PauseWebhook',
      webhookId,
      company: principal.company,
      now: new Date().toISOString(),
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });
    return toWebhookResponse(present(webhook, webhookId));
  }
}
