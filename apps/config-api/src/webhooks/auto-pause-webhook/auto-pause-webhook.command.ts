import type { WebhookCommandRequested } from '@hookline/contracts';

/** What executing one auto-pause request did. */
export type AutoPauseOutcome = 'paused' | 'unchanged';

export class AutoPauseWebhookCommand {
  constructor(
    /** The `webhooks.commands` message, already validated against its contract. */
    readonly request: WebhookCommandRequested,
    /** What caused it: the message's causation id header, else its correlation id. */
    readonly causationId: string,
  ) {}
}
