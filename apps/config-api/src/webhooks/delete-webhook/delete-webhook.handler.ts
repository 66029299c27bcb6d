import type { WebhookStore } from '@hookline/webhooks-data-access';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { WEBHOOK_STORE } from '../../tokens';
import { executeWebhookCommand } from '../execute-webhook-command';
import { DeleteWebhookCommand } from './delete-webhook.command';

/** Deletes the webhook; the matcher learns it from the tombstone on webhooks.config. */
@CommandHandler(DeleteWebhookCommand)
export class DeleteWebhookHandler implements ICommandHandler<DeleteWebhookCommand> {
  constructor(@Inject(WEBHOOK_STORE) private readonly store: WebhookStore) {}

  async execute({
    principal,
    webhookId,
    correlationId,
    expectedVersion,
  }: DeleteWebhookCommand): Promise<void> {
    await executeWebhookCommand(this.store, principal, correlationId, {
      type: 'DeleteWebhook',
      webhookId,
      company: principal.company,
      now: new Date().toISOString(),
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });
  }
}
