import type { Principal } from '../../auth/principal';

export class ActivateWebhookCommand {
  constructor(
    readonly principal: Principal,
    readonly webhookId: string,
    readonly correlationId: string,
    /** From If-Match: apply only at this version. */
    readonly expectedVersion?: number,
    /** Then queue what was skipped while paused, oldest first. */
    readonly replayMissed = false,
  ) {}
}
