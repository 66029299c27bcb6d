import type { Principal } from '../../auth/principal';
import type { CreateWebhookRequestDto } from './create-webhook.request.dto';

export class CreateWebhookCommand {
  constructor(
    readonly principal: Principal,
    readonly request: CreateWebhookRequestDto,
    readonly correlationId: string,
  ) {}
}
