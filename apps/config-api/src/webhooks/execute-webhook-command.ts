import type { WebhookStore } from '@hookline/webhooks-data-access';
import { type Webhook, type WebhookCommand, WebhookDomainError } from '@hookline/webhooks-domain';
import type { Principal } from '../auth/principal';

/** Runs one domain command as `principal`, with the request's correlation id on its events. */
export async function executeWebhookCommand(
  store: WebhookStore,
  principal: Principal,
  correlationId: string,
  command: WebhookCommand,
): Promise<Webhook | undefined> {
  const { webhook } = await store.execute(command, {
    correlationId,
    causationId: correlationId,
    keyId: principal.keyId,
  });
  return webhook;
}

/** The state a command left, which every command but delete has. */
export function present(webhook: Webhook | undefined, webhookId: string): Webhook {
  if (!webhook) throw new WebhookDomainError('not_found', `webhook ${webhookId} not found`);
  return webhook;
}
