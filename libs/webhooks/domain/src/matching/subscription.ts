import type { EventType, IssueStatus, WebhookConfigRecord } from '@hookline/contracts';

/**
 * What the event matcher needs of one webhook: who it belongs to and what it subscribes to.
 * Built from a `webhooks.config` record by `subscriptionFromConfig`; frozen, so the index can
 * hand the same object to every caller.
 */
export interface Subscription {
  readonly webhookId: string;
  /** The tenant: only this company's events match. */
  readonly company: string;
  /** The config record's version (the aggregate's stream version) this was built from. */
  readonly version: number;
  /** Does not affect matching: a paused webhook still matches and the caller holds the request. */
  readonly status: 'active' | 'paused';
  /** Subscribed event types; empty subscribes to nothing. */
  readonly events: readonly EventType[];
  /** Project filter: empty means all projects (and is the only filter user events pass). */
  readonly projectIds: readonly string[];
  /** Status filter for `issue.status_changed` (`data.status`): empty means all. */
  readonly statusFilter: readonly IssueStatus[];
}

/** The subscription of a `webhooks.config` record: a frozen copy, sharing nothing with it. */
export function subscriptionFromConfig(record: WebhookConfigRecord): Subscription {
  return Object.freeze({
    webhookId: record.webhookId,
    company: record.company,
    version: record.version,
    status: record.status,
    events: Object.freeze([...record.events]),
    projectIds: Object.freeze([...record.projectIds]),
    statusFilter: Object.freeze([...record.statusFilter]),
  });
}
