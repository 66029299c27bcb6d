/**
 * What the database says of a webhook where its work is claimed: its status as the config API
 * last committed it, and the worker's own failure streak (which may have asked for a pause the
 * config API has not executed yet).
 */
export interface WebhookAtClaim {
  /** Absent when the config API has recorded nothing for it (yet). */
  readonly status?: 'active' | 'paused' | 'deleted';
  readonly version?: number;
  /** The streak reached the threshold and asked for a pause. */
  readonly pauseRequested: boolean;
  /** The webhook version that pause was decided against. */
  readonly pausedAtVersion: number | null;
}

/** `send`: nothing holds it; `paused`: record a skip (tests still go); `deleted`: skip, gone. */
export type ClaimHold = 'send' | 'paused' | 'deleted';

/**
 * Pause means pause: a webhook is held from the moment a pause is committed, whether by hand
 * (the config API's status) or by the worker's own count (the failure that reached the threshold
 * was recorded, even if the config API has not executed the pause yet), until it is re-activated
 * by hand at a later version than the one the pause was decided against.
 */
export function holdAtClaim(webhook: WebhookAtClaim): ClaimHold {
  if (webhook.status === 'deleted') return 'deleted';
  if (webhook.status === 'paused') return 'paused';
  if (
    webhook.pauseRequested &&
    webhook.pausedAtVersion !== null &&
    (webhook.version ?? 0) <= webhook.pausedAtVersion
  )
    return 'paused';
  return 'send';
}

/**
 * Whether a request the matcher held (the webhook was paused in its view) is still held: not
 * once the database shows the webhook re-activated at a later version than the one matched, so
 * an event published after re-activation returned is sent, however late the matcher heard.
 */
export function stillHeld(
  request: { readonly held?: boolean; readonly webhookVersion: number },
  webhook: Pick<WebhookAtClaim, 'status' | 'version'>,
): boolean {
  if (request.held !== true) return false;
  return !(
    webhook.status === 'active' &&
    webhook.version !== undefined &&
    webhook.version > request.webhookVersion
  );
}
