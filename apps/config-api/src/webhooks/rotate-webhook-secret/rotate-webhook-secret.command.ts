import type { Principal } from '../../auth/principal';
import type { RotateWebhookSecretRequestDto } from './rotate-webhook-secret.request.dto';

export class RotateWebhookSecretCommand {
  constructor(
    readonly principal: Principal,
    readonly webhookId: string,
    readonly request: RotateWebhookSecretRequestDto,
    readonly correlationId: string,
    /** From If-Match: apply only at this version. */
    readonly expectedVersion?: number,
  ) {}
}
