import { deliveryIdFor, type DeliveryRequested, SAMPLE_ENVELOPES } from '@hookline/contracts';
import type {
  DeliveryReads,
  ReplayCursor,
  ReplayPageQuery,
} from '@hookline/deliveries-data-access';
import type { DeliveryRequestOutbox } from './delivery-request.outbox';
import { queueReplay } from './queue-replay';

const WEBHOOK = 'wh_0123456789abcdef0123456789abcdef';

/** `n` accepted requests, and a read side that pages through them as the store does. */
function source(n: number) {
  const all: DeliveryRequested[] = Array.from({ length: n }, (_, i) => {
    const eventId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return {
      schemaVersion: 1,
      deliveryId: deliveryIdFor(eventId, WEBHOOK),
      eventId,
      webhookId: WEBHOOK,
      webhookVersion: 1,
      company: 'c',
      eventType: 'scan.completed',
      envelope: { ...SAMPLE_ENVELOPES['scan.completed'], event_id: eventId },
      trigger: 'first',
      requestedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      correlationId: eventId,
      held: true,
    };
  });
  const pages: ReplayPageQuery[] = [];
  const reads = {
    replayPage: async (query: ReplayPageQuery) => {
      pages.push(query);
      const from = query.after ? Number(query.after.position) + 1 : 0;
      const requests = all.slice(from, from + query.limit);
      const last = from + requests.length - 1;
      const next: ReplayCursor | undefined =
        requests.length === query.limit && last < all.length
          ? { createdAt: all[last]?.requestedAt ?? '', position: String(last) }
          : undefined;
      return { requests, ...(next ? { next } : {}) };
    },
  } as unknown as DeliveryReads;
  const queued: DeliveryRequested[][] = [];
  const outbox = {
    queue: async (requests: readonly DeliveryRequested[]) => {
      queued.push([...requests]);
    },
  } as unknown as DeliveryRequestOutbox;
  return { all, reads, outbox, pages, queued };
}

describe('queueReplay', () => {
  const query = { company: 'c', webhookId: WEBHOOK, statuses: ['skipped_while_paused' as const] };

  it('queues every page in order, one outbox transaction a page, as manual ordered requests', async () => {
    const { all, reads, outbox, pages, queued } = source(25);
    const result = await queueReplay(reads, outbox, query, 7, 'corr', {
      maxDeliveries: 1000,
      maxWindowDays: 30,
      pageSize: 10,
    });
    expect(result).toEqual({ queued: 25, complete: true });
    expect(queued.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.limit)).toEqual([10, 10, 10]);
    const sent = queued.flat();
    expect(sent.map((r) => r.deliveryId)).toEqual(all.map((r) => r.deliveryId));
    for (const request of sent) {
      expect(request).toMatchObject({ trigger: 'manual', webhookVersion: 7, ordered: true });
      expect(request.held).toBeUndefined();
    }
  });

  it('stops at maxDeliveries and says where to go on from', async () => {
    const { all, reads, outbox, queued } = source(25);
    const result = await queueReplay(reads, outbox, query, 7, 'corr', {
      maxDeliveries: 12,
      maxWindowDays: 30,
      pageSize: 10,
    });
    expect(result).toEqual({
      queued: 12,
      complete: false,
      resumeFrom: all[11]?.requestedAt,
    });
    expect(queued.map((page) => page.length)).toEqual([10, 2]);
  });

  it('is complete when the limit falls exactly on the last delivery', async () => {
    const { reads, outbox } = source(20);
    const result = await queueReplay(reads, outbox, query, 7, 'corr', {
      maxDeliveries: 20,
      maxWindowDays: 30,
      pageSize: 10,
    });
    expect(result).toEqual({ queued: 20, complete: true });
  });
});
