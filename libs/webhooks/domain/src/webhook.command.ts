import type { WebhookQuotas } from './quotas/webhook-quotas';
import type {
  EventType,
  IssueStatus,
  SealedHeader,
  SealedSecret,
  WebhookType,
} from '@hookline/contracts';

/** What every command carries: the target, the tenant, and the time the caller read. */
interface CommandBase {
  webhookId: string;
  company: string;
  /** ISO-8601 UTC, e.g. `new Date().toISOString()`; decide reads no clock. */
  now: string;
  /**
   * Optimistic concurrency from the client (e.g. an `If-Match` header): when set and not the
   * current version, decide throws `conflict`. Ignored by CreateWebhook.
   */
  expectedVersion?: number;
}

export interface CreateWebhook extends CommandBase {
  type: 'CreateWebhook';
  name: string;
  url: string;
  webhookType: WebhookType;
  events: EventType[];
  projectIds: string[];
  statusFilter: IssueStatus[];
  /** Header values sealed by the caller, after `validateWebhookInput` saw them in clear. */
  headers: SealedHeader[];
  bodyTemplate: string | null;
  /** Sealed signing secret (generated or user-supplied), or null for unsigned deliveries. */
  secret: SealedSecret | null;
  /** The deployment's quotas (default DEFAULT_WEBHOOK_QUOTAS): the result must keep within. */
  quotas?: WebhookQuotas;
}

/**
 * Changes the given fields only. `headers` replaces the whole set; `bodyTemplate: null` (or a
 * blank string) clears the template.
 *
 * A `url` of another origin (scheme, host or port) drops the custom headers and the signing
 * secret (the previous one too), unless the same command gives them again or
 * `keepSecretsAcrossOrigins` is set: a key that may not read them must not be able to send them
 * (or have a template of its own signed with them) to a host of its choosing.
 */
export interface UpdateWebhook extends CommandBase {
  type: 'UpdateWebhook';
  name?: string;
  url?: string;
  webhookType?: WebhookType;
  events?: EventType[];
  projectIds?: string[];
  statusFilter?: IssueStatus[];
  headers?: SealedHeader[];
  bodyTemplate?: string | null;
  /** A new signing secret, set at once; the one it replaces stops signing (no grace period). */
  secret?: SealedSecret;
  /**
   * The caller may read this webhook's secrets (`secrets:reveal`): when the URL moves to another
   * origin the secret stays, and so do the headers (which the caller re-seals for that origin).
   */
  keepSecretsAcrossOrigins?: boolean;
  /** The deployment's quotas (default DEFAULT_WEBHOOK_QUOTAS): the result must keep within. */
  quotas?: WebhookQuotas;
}

/** Pause by hand. Idempotent: pausing a paused webhook changes nothing. */
export interface PauseWebhook extends CommandBase {
  type: 'PauseWebhook';
}

/** Re-activate by hand (the only way out of an auto-pause); resets the failure streak. */
export interface ActivateWebhook extends CommandBase {
  type: 'ActivateWebhook';
}

/** Sent by the delivery worker after too many consecutive failed calls. */
export interface AutoPauseWebhook extends CommandBase {
  type: 'AutoPauseWebhook';
  /** One line for people, e.g. the last error. */
  reason: string;
  consecutiveFailures: number;
  /** The version the worker decided against: older than a later re-activation, it does nothing. */
  decidedAtVersion?: number;
}

/**
 * Sets a new sealed signing secret. The one it replaces keeps signing for
 * `gracePeriodSeconds` (default 86 400). Also how a secret is set on a webhook that has none.
 */
export interface RotateWebhookSecret extends CommandBase {
  type: 'RotateWebhookSecret';
  secret: SealedSecret;
  gracePeriodSeconds?: number;
}

/**
 * Replaces every sealed value with the same secret sealed again (the caller opened and sealed
 * them: under the active master key, bound to the URL's origin). The names, and which values
 * exist, must be the webhook's own.
 */
export interface ResealWebhookSecrets extends CommandBase {
  type: 'ResealWebhookSecrets';
  secret: SealedSecret | null;
  previousSecret: SealedSecret | null;
  headers: SealedHeader[];
}

export interface DeleteWebhook extends CommandBase {
  type: 'DeleteWebhook';
}

export type WebhookCommand =
  | CreateWebhook
  | UpdateWebhook
  | PauseWebhook
  | ActivateWebhook
  | AutoPauseWebhook
  | RotateWebhookSecret
  | ResealWebhookSecrets
  | DeleteWebhook;

export type WebhookCommandType = WebhookCommand['type'];

/** Default and bounds of RotateWebhookSecret's grace period, in seconds. */
export const DEFAULT_SECRET_GRACE_PERIOD_SECONDS = 86_400;
export const MAX_SECRET_GRACE_PERIOD_SECONDS = 7 * 86_400;
