import type { Principal } from '../../auth/principal';
import type { UpdateWebhookRequestDto } from './update-webhook.request.dto';

export class UpdateWebhookCommand {
  constructor(
    readonly principal: Principal,
    readonly webhookId: string,
    readonly request: UpdateWebhookRequestDto,
    readonly correlationId: string,
    /** From If-Match: apply only at this version. */
    readonly expectedVersion?: number,
  ) {}
}
