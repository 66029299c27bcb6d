import type { KeyRing } from '@hookline/shared-crypto';
import { generateSecret, validateSecret } from '@hookline/shared-signing';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEY_RING, WEBHOOK_STORE } from '../../tokens';
import { executeWebhookCommand, present } from '../execute-webhook-command';
import { sealSecret } from '../webhook-sealing';
import { toWebhookResponse, type WebhookResponse } from '../webhook.response';
import { RotateWebhookSecretCommand } from './rotate-webhook-secret.command';

export type RotateWebhookSecretResult = WebhookResponse & { secret: string };

/** A new signing secret; the previous one keeps signing during the grace period. */
@CommandHandler(RotateWebhookSecretCommand)
export class RotateWebhookSecretHandler implements ICommandHandler<RotateWebhookSecretCommand> {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(KEY_RING) private readonly keyRing: KeyRing,
  ) {}

  async execute({
    principal,
    webhookId,
    request,
    correlationId,
    expectedVersion,
  }: RotateWebhookSecretCommand): Promise<RotateWebhookSecretResult> {
    let secret = generateSecret();
    if (request.secret !== undefined) {
      const checked = validateSecret(request.secret);
      if (!checked.ok) {
        throw WebhookDomainError.validationFailed([
          { field: 'secret', rule: 'invalid_value', message: checked.problem },
        ]);
      }
      secret = request.secret;
    }
    const webhook = await executeWebhookCommand(this.store, principal, correlationId, {
      type: 'RotateWebhookSecret',
      webhookId,
      company: principal.company,
      now: new Date().toISOString(),
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      secret: sealSecret(this.keyRing, webhookId, secret),
      ...(request.gracePeriodSeconds !== undefined
        ? { gracePeriodSeconds: request.gracePeriodSeconds }
        : {}),
    });
    return { ...toWebhookResponse(present(webhook, webhookId)), secret };
  }
}
