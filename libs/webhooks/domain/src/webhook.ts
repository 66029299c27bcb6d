import type {
  EventType,
  IssueStatus,
  SealedHeader,
  SealedSecret,
  WebhookStatus,
  WebhookType,
} from '@hookline/contracts';

export type PausedReason = 'manual' | 'auto';

/** The secret replaced by the last rotation, still signing until `validUntil` (ISO). */
export interface PreviousSecret {
  value: SealedSecret;
  validUntil: string;
}

/**
 * The Webhook aggregate's state, built only by `evolve`. Secrets and header values are sealed
 * (`SealedSecret`): the domain never sees them in clear. Times are ISO-8601 UTC strings.
 */
export interface Webhook {
  id: string;
  company: string;
  name: string;
  url: string;
  type: WebhookType;
  events: EventType[];
  /** Empty means all projects. */
  projectIds: string[];
  /** Applies to `issue.status_changed` only; empty means all statuses. */
  statusFilter: IssueStatus[];
  headers: SealedHeader[];
  bodyTemplate: string | null;
  secret: SealedSecret | null;
  previousSecret: PreviousSecret | null;
  status: WebhookStatus;
  pausedReason: PausedReason | null;
  pausedAt: string | null;
  /** The version at which it was last re-activated by hand; absent if never. */
  activatedAtVersion?: number;
  createdAt: string;
  updatedAt: string;
  /** Number of events applied: the stream version. */
  version: number;
  deleted: boolean;
}
