import type { DeliveryRequested, EventType } from '@hookline/contracts';
import type { DeliveryStatus } from '@hookline/deliveries-domain';
import type { Readable } from 'node:stream';

/** The history filter's statuses, as the API names them. */
export const HISTORY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type HistoryStatus = (typeof HISTORY_STATUSES)[number];

/** Which `DeliveryStatus`es each history status stands for. */
export const HISTORY_STATUS_MAP: Readonly<Record<HistoryStatus, readonly DeliveryStatus[]>> = {
  pending: ['pending', 'retry_scheduled'],
  delivered: ['succeeded'],
  failed: ['failed'],
  skipped: ['skipped_while_paused'],
};

export interface HistoryFilter {
  /** The tenant: every query is scoped to one company. */
  readonly company: string;
  readonly webhookId?: string;
  readonly eventType?: EventType;
  readonly status?: HistoryStatus;
  /** Deliveries created at or after (inclusive). */
  readonly from?: Date;
  /** Deliveries created before (exclusive). */
  readonly to?: Date;
}

export interface HistoryPageRequest extends HistoryFilter {
  /** The `nextCursor` of the previous page; absent for the first (newest) page. */
  readonly cursor?: string;
  /** 1..200. */
  readonly limit: number;
}

/** One delivery as the history lists it. */
export interface DeliverySummary {
  /** The delivery's own id, `dlv_<uuid>`. */
  readonly id: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly status: HistoryStatus;
  /** Calls made so far, all rounds. */
  readonly attemptCount: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** A test delivery (Test webhook): listed, but left out of the statistics and replays. */
  readonly test: boolean;
}

export interface HistoryPage {
  readonly items: DeliverySummary[];
  /** Pass as `cursor` for the next (older) page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** One call of a delivery, from its `AttemptSucceeded`/`AttemptFailed` log event. */
export interface DeliveryAttempt {
  readonly attempt: number;
  readonly trigger: string;
  readonly at: string;
  readonly url: string | null;
  readonly requestHeaders: Record<string, string> | null;
  readonly requestBody: string | null;
  readonly statusCode: number | null;
  readonly responseHeaders: Record<string, string> | null;
  readonly responseBody: string | null;
  readonly responseTruncated: boolean | null;
  /** `null` on success. */
  readonly failureClass: string | null;
  /** The error text (class, then message); `null` on success. */
  readonly error: string | null;
  readonly durationMs: number | null;
}

export interface DeliveryDetail extends DeliverySummary {
  /** Every call, oldest first. */
  readonly attempts: DeliveryAttempt[];
  /** The request as accepted (its envelope is the event). */
  readonly request: DeliveryRequested;
}

/**
 * A webhook's delivery statistics: calls from the `webhook_stats` projection, deliveries counted
 * from `deliveries`. Test deliveries and their calls count for nothing here.
 */
export interface WebhookStats {
  readonly webhookId: string;
  /** Calls made, every attempt counted (successful + failed). */
  readonly totalCalls: number;
  readonly successfulCalls: number;
  readonly failedCalls: number;
  /** Failed calls since the last successful one. */
  readonly consecutiveFailures: number;
  readonly lastTriggeredAt: string | null;
  /** Deliveries (one per event and webhook), whatever their status; then by outcome. */
  readonly totalDeliveries: number;
  readonly successfulDeliveries: number;
  readonly failedDeliveries: number;
  /** successfulDeliveries / (successfulDeliveries + failedDeliveries); `null` before either. */
  readonly successRate: number | null;
}

/** The longest activity window, in hours (a week). */
export const ACTIVITY_MAX_HOURS = 168;

export interface ActivityWindow {
  /** The tenant. */
  readonly company: string;
  /** Inclusive; rounded down to its hour. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
  readonly webhookId?: string;
}

/** One webhook's deliveries created in one hour (UTC), by their status now. */
export interface ActivityBucket {
  readonly webhookId: string;
  /** The hour's start, ISO 8601 UTC. */
  readonly start: string;
  readonly delivered: number;
  readonly failed: number;
  /** Pending, or waiting for a retry. */
  readonly pending: number;
  readonly skipped: number;
}

/** One CSV row of the export: one attempt. */
export interface ExportRow {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly trigger: string;
  readonly at: string;
  readonly url: string | null;
  readonly statusCode: number | null;
  readonly outcome: 'succeeded' | 'failed';
  readonly failureClass: string | null;
  readonly error: string | null;
  readonly durationMs: number | null;
}

/** The export's columns, in order: the CSV header row names them so. */
export const EXPORT_COLUMNS: ReadonlyArray<keyof ExportRow> = [
  'deliveryId',
  'webhookId',
  'eventId',
  'eventType',
  'attempt',
  'trigger',
  'at',
  'url',
  'statusCode',
  'outcome',
  'failureClass',
  'error',
  'durationMs',
];

/** Read side of the delivery log for the config API. Implemented by `DeliveryQueries`. */
export interface DeliveryReads {
  list(request: HistoryPageRequest): Promise<HistoryPage>;
  /** `undefined` when missing or of another company (indistinguishable to the caller). */
  get(company: string, deliveryId: string): Promise<DeliveryDetail | undefined>;
  stats(company: string, webhookIds: readonly string[]): Promise<Map<string, WebhookStats>>;
  /**
   * Deliveries per webhook and hour in a window, test deliveries left out: the statistics over
   * time. Only hours with deliveries are returned, oldest first.
   */
  activity(window: ActivityWindow): Promise<ActivityBucket[]>;
  /**
   * The attempts matching `filter`, newest delivery first, streamed from a server-side cursor:
   * an object-mode stream of {@link ExportRow}; memory stays flat however many rows.
   */
  exportAttempts(filter: HistoryFilter): Promise<Readable>;
  /**
   * One page of the accepted requests of `webhookId` whose delivery is in `statuses`, oldest
   * first, in a window: pass `next` back as `after` for the page after it (none when done).
   * A replay or a recovery of any size pages through these, never holding them all.
   */
  replayPage(query: ReplayPageQuery): Promise<ReplayPage>;
}

/** Where a replay page ended: the last delivery's creation time (exact) and log position. */
export interface ReplayCursor {
  readonly createdAt: string;
  readonly position: string;
}

export interface ReplayPageQuery {
  readonly company: string;
  readonly webhookId: string;
  readonly statuses: readonly DeliveryStatus[];
  readonly since?: Date;
  readonly until?: Date;
  readonly limit: number;
  readonly after?: ReplayCursor;
}

export interface ReplayPage {
  readonly requests: DeliveryRequested[];
  readonly next?: ReplayCursor;
}
