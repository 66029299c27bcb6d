import {
  EVENT_CATALOG,
  ISSUE_STATUSES,
  type EventEnvelope,
  type EventType,
  type IssueStatus,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { subscriptionFromConfig, type Subscription } from './subscription';
import { envelopeFilterStatus, envelopeProjectId } from './subscription.matches';

/** One bit per issue status, so a status filter is one AND. */
const STATUS_BIT: { readonly [S in IssueStatus]: number } = Object.fromEntries(
  ISSUE_STATUSES.map((status, i) => [status, 1 << i]),
) as { readonly [S in IssueStatus]: number };
const ALL_STATUS_BITS = -1;
/**
 * A filter value outside the catalog (a record that skipped validation) gets a bit no event
 * has, so the filter stays non-empty and matches nothing, as in `matches`.
 */
const UNKNOWN_STATUS_BIT = 1 << 30;

/** A subscription with its status filter precompiled. */
interface Entry {
  readonly subscription: Subscription;
  /** Distinct: a type listed twice must not put the webhook twice in one bucket. */
  readonly eventTypes: readonly EventType[];
  readonly projectIds: ReadonlySet<string>;
  /** 0 = all statuses. */
  readonly statusMask: number;
}

/**
 * The webhooks of one company subscribed to one event type, split by project filter: an event
 * looks at the unfiltered ones and at those filtering on its own project, and at no other.
 */
interface Bucket {
  readonly anyProject: Set<Entry>;
  readonly byProject: Map<string, Set<Entry>>;
}

type CompanyBuckets = Map<EventType, Bucket>;

/**
 * The matcher's in-memory view of `webhooks.config`: every live webhook's subscription, indexed
 * by company, then event type, then project, so matching an event looks only at webhooks of its
 * company, subscribed to its type, with no project filter or one holding its project; the status
 * filter is then one bit test. Built by applying the compacted topic from the beginning, then
 * kept current by applying each new record. Agrees with `matches` for every event (a property
 * test pins it).
 */
export class SubscriptionIndex {
  private readonly byId = new Map<string, Entry>();
  private readonly byCompany = new Map<string, CompanyBuckets>();

  /** Number of live webhooks held. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Applies one `webhooks.config` message. `null` (a tombstone) removes the webhook. A record
   * whose `version` is lower than the one held is ignored (a replayed or compacted topic may
   * repeat old states); an equal version replaces, so applying a record twice changes nothing.
   * After a tombstone nothing is held, so the next record is taken whatever its version.
   *
   * @throws Error when the record's `webhookId` is not the message key: a corrupt producer,
   * not a state to guess at.
   */
  apply(webhookId: string, record: WebhookConfigRecord | null): void {
    const held = this.byId.get(webhookId);
    if (record === null) {
      if (held !== undefined) this.remove(held);
      return;
    }
    if (record.webhookId !== webhookId) {
      throw new Error(
        `webhooks.config record for ${record.webhookId} arrived under key ${webhookId}`,
      );
    }
    if (held !== undefined) {
      if (record.version < held.subscription.version) return;
      this.remove(held);
    }
    this.insert(compile(subscriptionFromConfig(record)));
  }

  /** Every subscription, active or paused, that `matches` the event. Order is unspecified. */
  match(envelope: EventEnvelope): Subscription[] {
    const result: Subscription[] = [];
    const bucket = this.byCompany.get(envelope.data.company)?.get(envelope.event_type);
    if (bucket === undefined) return result;
    const statusBit = filterStatusBit(envelope);
    collect(bucket.anyProject, statusBit, result);
    // Without a project (user events) only webhooks without a project filter match.
    const projectId = envelopeProjectId(envelope);
    if (projectId !== undefined) {
      const filtered = bucket.byProject.get(projectId);
      if (filtered !== undefined) collect(filtered, statusBit, result);
    }
    return result;
  }

  /** The subscription held for a webhook, or `undefined` (never seen, or deleted). */
  get(webhookId: string): Subscription | undefined {
    return this.byId.get(webhookId)?.subscription;
  }

  private insert(entry: Entry): void {
    this.byId.set(entry.subscription.webhookId, entry);
    // A webhook with no event types matches nothing and has no buckets.
    if (entry.eventTypes.length === 0) return;
    const company = entry.subscription.company;
    let buckets = this.byCompany.get(company);
    if (buckets === undefined) {
      buckets = new Map();
      this.byCompany.set(company, buckets);
    }
    for (const type of entry.eventTypes) {
      let bucket = buckets.get(type);
      if (bucket === undefined) {
        bucket = { anyProject: new Set(), byProject: new Map() };
        buckets.set(type, bucket);
      }
      if (entry.projectIds.size === 0) {
        bucket.anyProject.add(entry);
        continue;
      }
      for (const projectId of entry.projectIds) {
        let entries = bucket.byProject.get(projectId);
        if (entries === undefined) {
          entries = new Set();
          bucket.byProject.set(projectId, entries);
        }
        entries.add(entry);
      }
    }
  }

  /** Removes every trace of `entry`, and any bucket or company left empty. */
  private remove(entry: Entry): void {
    this.byId.delete(entry.subscription.webhookId);
    if (entry.eventTypes.length === 0) return;
    const company = entry.subscription.company;
    const buckets = this.byCompany.get(company);
    if (buckets === undefined) throw new Error(`index lost company ${company}`);
    for (const type of entry.eventTypes) {
      const bucket = buckets.get(type);
      if (bucket === undefined) {
        throw new Error(`index lost ${entry.subscription.webhookId} under ${type}`);
      }
      bucket.anyProject.delete(entry);
      for (const projectId of entry.projectIds) {
        const entries = bucket.byProject.get(projectId);
        entries?.delete(entry);
        if (entries?.size === 0) bucket.byProject.delete(projectId);
      }
      if (bucket.anyProject.size === 0 && bucket.byProject.size === 0) buckets.delete(type);
    }
    if (buckets.size === 0) this.byCompany.delete(company);
  }
}

function collect(entries: ReadonlySet<Entry>, statusBit: number, into: Subscription[]): void {
  for (const entry of entries) {
    if (entry.statusMask === 0 || (entry.statusMask & statusBit) !== 0) {
      into.push(entry.subscription);
    }
  }
}

/**
 * The bit a status filter must contain: every bit for types the filter ignores, none when a
 * status-filtered type somehow lacks a known status (so a filter never matches it, as in
 * `matches`).
 */
function filterStatusBit(envelope: EventEnvelope): number {
  if (!EVENT_CATALOG[envelope.event_type].supportsStatusFilter) return ALL_STATUS_BITS;
  const status = envelopeFilterStatus(envelope);
  return status === undefined ? 0 : (STATUS_BIT[status] ?? 0);
}

function compile(subscription: Subscription): Entry {
  let statusMask = 0;
  for (const status of subscription.statusFilter)
    statusMask |= STATUS_BIT[status] ?? UNKNOWN_STATUS_BIT;
  return {
    subscription,
    eventTypes: [...new Set(subscription.events)],
    projectIds: new Set(subscription.projectIds),
    statusMask,
  };
}
