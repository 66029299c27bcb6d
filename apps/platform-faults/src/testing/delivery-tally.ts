import type { HttpsReceiver } from '@hookline/shared-testing';
import type { PublishedEvent } from './event-stream';

/** What the receiver got for one (event, path) pair. */
interface Receipt {
  readonly firstAt: number;
  count: number;
}

/**
 * Counts the receiver's requests by (event_id, path), reading the event id from the delivered
 * envelope. Reads only the requests that arrived since its last look, so it can be polled.
 */
export class DeliveryTally {
  private readonly receipts = new Map<string, Receipt>();
  private seen = 0;
  /** When the most recent pair arrived for the first time. */
  lastNewAt = 0;

  constructor(private readonly receiver: HttpsReceiver) {}

  /** Takes in the requests that arrived since the last call. */
  update(): void {
    const requests = this.receiver.requests();
    for (const request of requests.slice(this.seen)) {
      let eventId: unknown;
      try {
        eventId = (JSON.parse(request.body) as { event_id?: unknown }).event_id;
      } catch {
        continue;
      }
      if (typeof eventId !== 'string') continue;
      const key = pairKey(eventId, request.path);
      const receipt = this.receipts.get(key);
      if (receipt) receipt.count += 1;
      else {
        this.receipts.set(key, { firstAt: request.receivedAt, count: 1 });
        this.lastNewAt = Math.max(this.lastNewAt, request.receivedAt);
      }
    }
    this.seen = requests.length;
  }

  /** The first receipt of the pair, if it arrived. */
  firstAt(eventId: string, path: string): number | undefined {
    return this.receipts.get(pairKey(eventId, path))?.firstAt;
  }

  /** Requests for the pair beyond the first. */
  duplicates(eventId: string, path: string): number {
    return Math.max(0, (this.receipts.get(pairKey(eventId, path))?.count ?? 0) - 1);
  }

  /** The earliest first receipt at or after `since`, of any pair of these events. */
  firstNewSince(events: readonly PublishedEvent[], since: number): number | undefined {
    let first: number | undefined;
    for (const event of events) {
      for (const path of event.paths) {
        const at = this.firstAt(event.eventId, path);
        if (at !== undefined && at >= since && (first === undefined || at < first)) first = at;
      }
    }
    return first;
  }

  /** Pairs of these events not received yet. */
  missing(events: readonly PublishedEvent[]): Array<{ eventId: string; path: string }> {
    return events.flatMap((event) =>
      event.paths
        .filter((path) => this.firstAt(event.eventId, path) === undefined)
        .map((path) => ({ eventId: event.eventId, path })),
    );
  }
}

const pairKey = (eventId: string, path: string) => `${eventId} ${path}`;
