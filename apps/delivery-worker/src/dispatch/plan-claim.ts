import type { ClaimedDelivery } from '@hookline/deliveries-data-access';
import { HELD_WHILE_PAUSED } from '@hookline/deliveries-domain';
import type { DeliveryTarget, WebhookLookup } from '../webhooks/webhook-directory';

/** How long a request waits for the config of its webhook to reach this worker. */
export const CONFIG_WAIT_MS = 60_000;
/** How soon a request waiting for its webhook's config is looked at again. */
export const CONFIG_RECHECK_MS = 1_000;

export const WEBHOOK_DELETED = 'webhook deleted';
export const CONFIG_NEVER_ARRIVED = 'webhook not found: its configuration never arrived';

/**
 * What to do with one claim, decided before any call:
 * - `drop`: the delivery already ended (recorded by a worker whose lease had run out): record
 *   nothing, the row goes;
 * - `wait`: the webhook's config has not reached this worker at the version needed: hand the
 *   claim back, due again at `until`;
 * - `skip`: record a skip with `reason` (with the webhook as known, when it is);
 * - `send`: make the call with `webhook`; `test` calls are made once, without retries.
 */
export type ClaimPlan =
  | { readonly kind: 'drop' }
  | { readonly kind: 'wait'; readonly until: Date }
  | { readonly kind: 'skip'; readonly reason: string; readonly webhook?: DeliveryTarget }
  | { readonly kind: 'send'; readonly webhook: DeliveryTarget; readonly test: boolean };

export interface ClaimPlanInput {
  readonly claim: Pick<ClaimedDelivery, 'request' | 'state' | 'hold' | 'webhookVersion'>;
  /** What this worker's `webhooks.config` view holds of the claim's webhook. */
  readonly lookup: WebhookLookup;
  /** This worker asked to pause the webhook since its last claim of the webhook's work. */
  readonly pausing: boolean;
  readonly now: Date;
}

/** Decides what to do with a claim. Pure: the dispatcher carries the plan out. */
export function planClaim({ claim, lookup, pausing, now }: ClaimPlanInput): ClaimPlan {
  if (claim.state.status !== 'pending' && claim.state.status !== 'retry_scheduled') {
    return { kind: 'drop' };
  }
  const test = claim.request.trigger === 'test';
  // The database's word at the claim comes first: the topic may not have brought the pause
  // (or the deletion) to this worker yet.
  if (claim.hold === 'deleted') return { kind: 'skip', reason: WEBHOOK_DELETED };
  if (claim.hold === 'paused' && !test) return { kind: 'skip', reason: HELD_WHILE_PAUSED };
  if (lookup.kind === 'deleted') return { kind: 'skip', reason: WEBHOOK_DELETED };
  const webhook = lookup.kind === 'known' ? lookup.record : undefined;
  // The version to send with: the one the request was matched against, or the later one the
  // database holds (a re-activation, a new URL) that webhooks.config has not brought yet.
  const needed = Math.max(claim.request.webhookVersion, claim.webhookVersion ?? 0);
  if (!webhook || webhook.version < needed) {
    // The config topic has not brought this worker that version of the webhook yet: wait for
    // it a while, then give up on the delivery with the reason (or send with what it has).
    const waited = now.getTime() - Date.parse(claim.request.requestedAt);
    if (waited < CONFIG_WAIT_MS) {
      return { kind: 'wait', until: new Date(now.getTime() + CONFIG_RECHECK_MS) };
    }
    if (!webhook) return { kind: 'skip', reason: CONFIG_NEVER_ARRIVED };
  }
  // A test delivery (Test webhook) is how an admin checks a fix before re-activating: it is
  // sent whatever the webhook's status, once, without retries.
  if ((webhook.status === 'paused' || pausing) && !test) {
    return { kind: 'skip', reason: HELD_WHILE_PAUSED, webhook };
  }
  return { kind: 'send', webhook, test };
}
