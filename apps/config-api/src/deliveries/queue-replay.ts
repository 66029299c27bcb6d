import type {
  DeliveryReads,
  ReplayCursor,
  ReplayPageQuery,
} from '@hookline/deliveries-data-access';
import { type DeliveryRequestOutbox, manualRequest } from './delivery-request.outbox';

/** How far a replay or a recovery goes in one request. */
export interface ReplayLimits {
  /** Deliveries queued by one call at most; the response says where to go on from. */
  readonly maxDeliveries: number;
  /** How far back `since` may reach, in days. */
  readonly maxWindowDays: number;
  /** Requests read and queued per round trip (one page, one outbox transaction). */
  readonly pageSize: number;
}

export interface ReplayQueued {
  /** Deliveries queued again, oldest first. */
  readonly queued: number;
  /** Everything in the window was queued; otherwise `maxDeliveries` stopped it. */
  readonly complete: boolean;
  /** When not complete: call again with this as `since` to go on (a few may repeat). */
  readonly resumeFrom?: string;
}

/**
 * Queues a manual, ordered request for each delivery of `query` a page at a time, up to
 * `limits.maxDeliveries`: memory and each transaction stay the size of a page, however long the
 * outage was.
 */
export async function queueReplay(
  reads: DeliveryReads,
  outbox: DeliveryRequestOutbox,
  query: Omit<ReplayPageQuery, 'limit' | 'after'>,
  webhookVersion: number,
  correlationId: string,
  limits: ReplayLimits,
): Promise<ReplayQueued> {
  const now = new Date();
  let queued = 0;
  let after: ReplayCursor | undefined;
  for (;;) {
    const limit = Math.min(limits.pageSize, limits.maxDeliveries - queued);
    if (limit <= 0) {
      // At the limit: complete if nothing is left after the last one queued.
      const rest = await reads.replayPage({ ...query, limit: 1, ...(after ? { after } : {}) });
      if (rest.requests.length === 0) return { queued, complete: true };
      return {
        queued,
        complete: false,
        ...(after ? { resumeFrom: new Date(after.createdAt).toISOString() } : {}),
      };
    }
    const page = await reads.replayPage({ ...query, limit, ...(after ? { after } : {}) });
    await outbox.queue(
      page.requests.map((request) =>
        manualRequest(request, webhookVersion, now, { ordered: true }),
      ),
      correlationId,
    );
    queued += page.requests.length;
    if (!page.next) return { queued, complete: true };
    after = page.next;
  }
}
