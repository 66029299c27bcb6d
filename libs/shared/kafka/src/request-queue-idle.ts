/**
 * kafkajs 2.2.4 keeps every connection's event loop busy when nothing is waiting: each check of
 * the connection's pending requests schedules the next one, and with none pending and no
 * throttling it schedules it for a negative delay, so one timer fires about every millisecond
 * per connection, forever (kafkajs issues #1556, #1604, #1704; the fixes proposed upstream are
 * not released). On an idle app that was most of its CPU: about 1,500 event-loop wakeups a
 * second and 0.04 of a core.
 *
 * This replaces the one method: a check is scheduled only while requests wait, at the end of
 * the broker's throttle or after 10 ms (kafkajs's own interval). Nothing else needs it: a request
 * that cannot go at once is queued by `push`, which schedules a check, and a response that frees
 * an in-flight slot checks the queue itself.
 */

/** The part of kafkajs's RequestQueue the replacement touches. */
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

let installed = false;

/** Installs {@link scheduleCheckWhilePending} on kafkajs's RequestQueue, once per process. */
export function installRequestQueueIdleFix(): void {
  if (installed) return;
  installed = true;
  // kafkajs has no exports map, and RequestQueue is not part of its public API: the path and
  // the method are checked, so a kafkajs that changed them fails loudly here, not silently.
  const RequestQueue = require('kafkajs/src/network/requestQueue') as {
    prototype: { scheduleCheckPendingRequests?: unknown };
  };
  if (typeof RequestQueue.prototype.scheduleCheckPendingRequests !== 'function') {
    throw new Error(
      'kafkajs RequestQueue has no scheduleCheckPendingRequests: review the idle fix',
    );
  }
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckWhilePending;
}
