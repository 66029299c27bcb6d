/**
 * kafkajs 2.2.4 keeps every connection's event loop busy when nothing is waiting: each check of
 * the connection's pending requests schedules the next one, and with none pending and no
 * throttling it schedules it for a negative delay, so one timer fires about every millisecond
 * per connection, forever (kafkajs issues #1556, #1604, #1704; the fixes proposed upstream are
 * not released). On an idle app that was most of its CPU: about 1,500 event-loop wakeups a
 * second and 0.04 of a core.
 *
 * The pending-request check is replaced: it is scheduled only while requests wait, at the end of
 * the broker's throttle or after 10 ms (kafkajs's own interval). Nothing else needs it: a request
 * that cannot go at once is queued by `push`, which schedules a check, and a response that frees
 * an in-flight slot checks the queue itself.
 *
 * Each connected queue also runs an interval of its own, every 100 ms, to time out the requests in
 * flight: with five connections an idle config API woke 50 times a second for them. One sweep
 * per process does the same checks for every connected queue, 10 wakeups a second however many
 * connections there are, and stops while no queue is connected. It replaces the queue's
 * `scheduleRequestTimeoutCheck` (run on connect) and `destroy` (run on disconnect).
 */

/** The part of kafkajs's RequestQueue the pending-request check touches. */
export interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
}

/** kafkajs's interval between checks while requests wait and the queue is not throttled. */
const CHECK_PENDING_MS = 10;

/** The replacement of `RequestQueue.prototype.scheduleCheckPendingRequests`. */
export function scheduleCheckWhilePending(this: RequestQueueState): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_MS,
  );
}

/** The part of kafkajs's RequestQueue the request-timeout sweep touches. */
export interface TimedRequestQueue {
  enforceRequestTimeout: boolean;
  inflight: Map<unknown, { sentAt: number | null; requestTimeout: number; timeoutRequest(): void }>;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  isConnected(): boolean;
  destroy(): void;
}

/** kafkajs's interval between request-timeout checks (for a request timeout of 100 ms or more). */
export const SWEEP_MS = 100;

const sweptQueues = new Set<TimedRequestQueue>();
let sweep: NodeJS.Timeout | undefined;

/** One pass of the sweep: what kafkajs's per-queue interval does, for every connected queue. */
function sweepRequestTimeouts(): void {
  const now = Date.now();
  for (const queue of sweptQueues) {
    for (const request of queue.inflight.values()) {
      if (request.sentAt !== null && now - request.sentAt > request.requestTimeout) {
        request.timeoutRequest();
      }
    }
    if (!queue.isConnected()) queue.destroy();
  }
}

/** The replacement of `RequestQueue.prototype.scheduleRequestTimeoutCheck`, run on connect. */
export function joinRequestTimeoutSweep(this: TimedRequestQueue): void {
  if (!this.enforceRequestTimeout) return;
  this.destroy();
  sweptQueues.add(this);
  sweep ??= setInterval(sweepRequestTimeouts, SWEEP_MS);
}

/** The replacement of `RequestQueue.prototype.destroy`, run on disconnect. */
export function leaveRequestTimeoutSweep(this: TimedRequestQueue): void {
  sweptQueues.delete(this);
  if (sweptQueues.size === 0 && sweep !== undefined) {
    clearInterval(sweep);
    sweep = undefined;
  }
  clearTimeout(this.throttleCheckTimeoutId ?? undefined);
  this.throttleCheckTimeoutId = null;
}

let installed = false;

/** Installs the replacements on kafkajs's RequestQueue, once per process. */
export function installRequestQueueIdleFix(): void {
  if (installed) return;
  installed = true;
  // kafkajs has no exports map, and RequestQueue is not part of its public API: the path and
  // the methods are checked, so a kafkajs that changed them fails loudly here, not silently.
  const RequestQueue = require('kafkajs/src/network/requestQueue') as {
    prototype: Record<string, unknown>;
  };
  const replaced = {
    scheduleCheckPendingRequests: scheduleCheckWhilePending,
    scheduleRequestTimeoutCheck: joinRequestTimeoutSweep,
    destroy: leaveRequestTimeoutSweep,
  };
  for (const [method, replacement] of Object.entries(replaced)) {
    if (typeof RequestQueue.prototype[method] !== 'function') {
      throw new Error(`kafkajs RequestQueue has no ${method}: review the idle fix`);
    }
    RequestQueue.prototype[method] = replacement;
  }
}
