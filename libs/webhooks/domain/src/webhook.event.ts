import type {
  EventType,
  IssueStatus,
  SealedHeader,
  SealedSecret,
  WebhookType,
} from '@hookline/contracts';
import type { PreviousSecret } from './webhook';

/**
 * The Webhook stream's event types. Stored names: never renamed; a breaking change of one
 * event's data is a new `schemaVersion`.
 */
export const WEBHOOK_EVENT_TYPES = [
  'WebhookCreated',
  'WebhookUpdated',
  'WebhookPaused',
  'WebhookActivated',
  'WebhookAutoPaused',
  'WebhookSecretRotated',
  'WebhookDeleted',
  'WebhookSecretsResealed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

interface EventDataBase {
  webhookId: string;
  company: string;
}

export interface WebhookCreatedData extends EventDataBase {
  name: string;
  url: string;
  type: WebhookType;
  events: EventType[];
  projectIds: string[];
  statusFilter: IssueStatus[];
  headers: SealedHeader[];
  bodyTemplate: string | null;
  secret: SealedSecret | null;
  createdAt: string;
}

/** The fields an update may change; an update event holds only those that changed. */
export interface WebhookChanges {
  name?: string;
  url?: string;
  type?: WebhookType;
  events?: EventType[];
  projectIds?: string[];
  statusFilter?: IssueStatus[];
  headers?: SealedHeader[];
  bodyTemplate?: string | null;
  /**
   * A new signing secret, or `null` when a URL change to another origin dropped it. Either way
   * the previous secret (of a rotation's grace period) stops signing.
   */
  secret?: SealedSecret | null;
}

export interface WebhookUpdatedData extends EventDataBase {
  /** Only the fields whose value changed, with their new value. Never empty. */
  changes: WebhookChanges;
  updatedAt: string;
}

/** A pause by hand. */
export interface WebhookPausedData extends EventDataBase {
  pausedAt: string;
}

export interface WebhookAutoPausedData extends EventDataBase {
  /** The delivery worker's one-line explanation, e.g. the last error. */
  reason: string;
  consecutiveFailures: number;
  pausedAt: string;
}

export interface WebhookActivatedData extends EventDataBase {
  previousPausedReason: 'manual' | 'auto';
  /** Always true: the deliveries side resets its consecutive-failure count on this event. */
  failureStreakReset: true;
  activatedAt: string;
}

export interface WebhookSecretRotatedData extends EventDataBase {
  secret: SealedSecret;
  /** The replaced secret and until when it still signs; null when there was none to keep. */
  previousSecret: PreviousSecret | null;
  rotatedAt: string;
}

/**
 * Every sealed value of the webhook, the same secrets sealed again (under a newer master key, or
 * bound to the URL's origin). Nothing a receiver sees changes.
 */
export interface WebhookSecretsResealedData extends EventDataBase {
  secret: SealedSecret | null;
  /** The previous secret's value; its `validUntil` stays as it was. */
  previousSecret: SealedSecret | null;
  /** The same names, in the same order, as the webhook's headers. */
  headers: SealedHeader[];
  resealedAt: string;
}

export interface WebhookDeletedData extends EventDataBase {
  deletedAt: string;
}

interface EventOf<T extends WebhookEventType, D> {
  type: T;
  schemaVersion: 1;
  data: D;
}

export type WebhookCreated = EventOf<'WebhookCreated', WebhookCreatedData>;
export type WebhookUpdated = EventOf<'WebhookUpdated', WebhookUpdatedData>;
export type WebhookPaused = EventOf<'WebhookPaused', WebhookPausedData>;
export type WebhookActivated = EventOf<'WebhookActivated', WebhookActivatedData>;
export type WebhookAutoPaused = EventOf<'WebhookAutoPaused', WebhookAutoPausedData>;
export type WebhookSecretRotated = EventOf<'WebhookSecretRotated', WebhookSecretRotatedData>;
export type WebhookDeleted = EventOf<'WebhookDeleted', WebhookDeletedData>;
export type WebhookSecretsResealed = EventOf<'WebhookSecretsResealed', WebhookSecretsResealedData>;

/** A stored event of the Webhook stream. `data` is plain JSON (stored as jsonb). */
export type WebhookEvent =
  | WebhookCreated
  | WebhookUpdated
  | WebhookPaused
  | WebhookActivated
  | WebhookAutoPaused
  | WebhookSecretRotated
  | WebhookDeleted
  | WebhookSecretsResealed;

const eventTypeSet: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && eventTypeSet.has(value);
}
