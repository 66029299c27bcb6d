import type { Principal } from '../../auth/principal';

export class DeleteWebhookCommand {
  constructor(
    readonly principal: Principal,
    readonly webhookId: string,
    readonly correlationId: string,
    /** From If-Match: apply only at this version. */
    readonly expectedVersion?: number,
  ) {}
}
