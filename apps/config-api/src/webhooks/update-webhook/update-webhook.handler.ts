import type { EventType, IssueStatus, WebhookType } from '@hookline/contracts';
import type { KeyRing } from '@hookline/shared-crypto';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import {
  type UpdateWebhook,
  validateWebhookInput,
  WebhookDomainError,
  type WebhookInputOptions,
} from '@hookline/webhooks-domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEY_RING, WEBHOOK_INPUT_OPTIONS, WEBHOOK_STORE } from '../../tokens';
import { executeWebhookCommand, present } from '../execute-webhook-command';
import { toWebhookInput } from '../webhook-input.dto';
import { sealHeaders } from '../webhook-sealing';
import { toWebhookResponse, type WebhookResponse } from '../webhook.response';
import { UpdateWebhookCommand } from './update-webhook.command';

@CommandHandler(UpdateWebhookCommand)
export class UpdateWebhookHandler implements ICommandHandler<UpdateWebhookCommand> {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(KEY_RING) private readonly keyRing: KeyRing,
    @Inject(WEBHOOK_INPUT_OPTIONS) private readonly options: WebhookInputOptions,
  ) {}

  async execute({
    principal,
    webhookId,
    request,
    correlationId,
    expectedVersion,
  }: UpdateWebhookCommand): Promise<WebhookResponse> {
    const input = toWebhookInput(request);
    const violations = validateWebhookInput(input, this.options, 'update');
    if (violations.length > 0) throw WebhookDomainError.validationFailed(violations);

    const command: UpdateWebhook = {
      type: 'UpdateWebhook',
      webhookId,
      company: principal.company,
      now: new Date().toISOString(),
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.type !== undefined ? { webhookType: input.type as WebhookType } : {}),
      ...(input.events !== undefined ? { events: input.events as EventType[] } : {}),
      ...(input.projectIds !== undefined ? { projectIds: input.projectIds } : {}),
      ...(input.statusFilter !== undefined
        ? { statusFilter: input.statusFilter as IssueStatus[] }
        : {}),
      ...(input.headers !== undefined
        ? { headers: sealHeaders(this.keyRing, webhookId, input.headers) }
        : {}),
      ...(input.bodyTemplate !== undefined
        ? { bodyTemplate: input.bodyTemplate?.trim() ? input.bodyTemplate : null }
        : {}),
    };
    const webhook = await executeWebhookCommand(this.store, principal, correlationId, command);
    return toWebhookResponse(present(webhook, webhookId));
  }
}
