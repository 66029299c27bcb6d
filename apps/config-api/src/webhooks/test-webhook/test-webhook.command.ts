import type { EventType } from '@hookline/contracts';
import type { Principal } from '../../auth/principal';

export class TestWebhookCommand {
  constructor(
    readonly principal: Principal,
    readonly webhookId: string,
    readonly correlationId: string,
    readonly eventType?: EventType,
  ) {}
}
