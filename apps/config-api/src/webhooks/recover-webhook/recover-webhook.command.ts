import type { Principal } from '../../auth/principal';

export class RecoverWebhookCommand {
  constructor(
    readonly principal: Principal,
    readonly webhookId: string,
    readonly correlationId: string,
    readonly since: Date,
    readonly until?: Date,
  ) {}
}
