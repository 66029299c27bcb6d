import {
  type EventType,
  type IssueStatus,
  newWebhookId,
  type WebhookType,
} from '@hookline/contracts';
import type { KeyRing } from '@hookline/shared-crypto';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import {
  type FieldViolation,
  validateWebhookInput,
  type WebhookInputOptions,
  type WebhookQuotas,
  WebhookDomainError,
} from '@hookline/webhooks-domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEY_RING, WEBHOOK_INPUT_OPTIONS, WEBHOOK_QUOTAS, WEBHOOK_STORE } from '../../tokens';
import { toWebhookInput } from '../webhook-input.dto';
import { requestedSecret, sealHeaders, sealSecret } from '../webhook-sealing';
import { toWebhookResponse, type WebhookResponse } from '../webhook.response';
import { CreateWebhookCommand } from './create-webhook.command';

export type CreateWebhookResult = WebhookResponse & { secret?: string };

@CommandHandler(CreateWebhookCommand)
export class CreateWebhookHandler implements ICommandHandler<CreateWebhookCommand> {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(KEY_RING) private readonly keyRing: KeyRing,
    @Inject(WEBHOOK_INPUT_OPTIONS) private readonly options: WebhookInputOptions,
    @Inject(WEBHOOK_QUOTAS) private readonly quotas: WebhookQuotas,
  ) {}

  async execute({
    principal,
    request,
    correlationId,
  }: CreateWebhookCommand): Promise<CreateWebhookResult> {
    const input = toWebhookInput(request);
    const violations: FieldViolation[] = validateWebhookInput(input, this.options, 'create');
    const secret = requestedSecret(request, violations) ?? null;
    if (violations.length > 0) throw WebhookDomainError.validationFailed(violations);

    const webhookId = newWebhookId();
    const { webhook } = await this.store.execute(
      {
        type: 'CreateWebhook',
        webhookId,
        company: principal.company,
        now: new Date().toISOString(),
        name: (input.name ?? '').trim(),
        url: input.url ?? '',
        webhookType: input.type as WebhookType,
        events: (input.events ?? []) as EventType[],
        projectIds: input.projectIds ?? [],
        statusFilter: (input.statusFilter ?? []) as IssueStatus[],
        headers: sealHeaders(this.keyRing, webhookId, input.url ?? '', input.headers ?? {}),
        bodyTemplate: input.bodyTemplate?.trim() ? input.bodyTemplate : null,
        secret: secret === null ? null : sealSecret(this.keyRing, webhookId, secret),
        quotas: this.quotas,
      },
      { correlationId, causationId: correlationId, keyId: principal.keyId },
    );
    if (!webhook) throw new Error(`webhook ${webhookId} has no state after creation`);
    return { ...toWebhookResponse(webhook), ...(secret === null ? {} : { secret }) };
  }
}
