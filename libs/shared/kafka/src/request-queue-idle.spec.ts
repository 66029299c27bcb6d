import {
  installRequestQueueIdleFix,
  joinRequestTimeoutSweep,
  leaveRequestTimeoutSweep,
  scheduleCheckWhilePending,
  SWEEP_MS,
  type TimedRequestQueue,
} from './request-queue-idle';

describe('the request queue idle fix', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const queue = (pending: number, throttledUntil = -1) => ({
    pending: Array.from({ length: pending }, () => ({})),
    throttledUntil,
    throttleCheckTimeoutId: null as NodeJS.Timeout | null,
    checkPendingRequests: jest.fn(),
  });

  it('schedules nothing while no request waits', () => {
    const q = queue(0);
    scheduleCheckWhilePending.call(q);
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('checks waiting requests after 10 ms when not throttled', () => {
    const q = queue(2);
    scheduleCheckWhilePending.call(q);
    jest.advanceTimersByTime(9);
    expect(q.checkPendingRequests).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('checks waiting requests when the throttle ends', () => {
    const q = queue(1, Date.now() + 500);
    scheduleCheckWhilePending.call(q);
    jest.advanceTimersByTime(499);
    expect(q.checkPendingRequests).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
  });

  it('keeps one check scheduled at a time', () => {
    const q = queue(1);
    scheduleCheckWhilePending.call(q);
    scheduleCheckWhilePending.call(q);
    expect(jest.getTimerCount()).toBe(1);
  });

  it('is what kafkajs request queues run once installed', () => {
    installRequestQueueIdleFix();
    const RequestQueue = require('kafkajs/src/network/requestQueue') as {
      prototype: Record<string, unknown>;
    };
    expect(RequestQueue.prototype['scheduleCheckPendingRequests']).toBe(scheduleCheckWhilePending);
    expect(RequestQueue.prototype['scheduleRequestTimeoutCheck']).toBe(joinRequestTimeoutSweep);
    expect(RequestQueue.prototype['destroy']).toBe(leaveRequestTimeoutSweep);
  });
});

describe('the request-timeout sweep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const request = (sentAt: number | null, requestTimeout = 1_000) => ({
    sentAt,
    requestTimeout,
    timeoutRequest: jest.fn(),
  });

  const timedQueue = (
    requests: Array<ReturnType<typeof request>>,
    options: { connected?: () => boolean; enforce?: boolean } = {},
  ): TimedRequestQueue => {
    const q: TimedRequestQueue = {
      enforceRequestTimeout: options.enforce ?? true,
      inflight: new Map(requests.map((r, i) => [i, r])),
      throttleCheckTimeoutId: null,
      isConnected: options.connected ?? (() => true),
      destroy: () => leaveRequestTimeoutSweep.call(q),
    };
    return q;
  };

  it('times out a request in flight past its timeout, and only that one', () => {
    const late = request(Date.now(), 1_000);
    const fresh = request(Date.now() + 900, 1_000);
    const q = timedQueue([late, fresh]);
    joinRequestTimeoutSweep.call(q);
    jest.advanceTimersByTime(1_000);
    expect(late.timeoutRequest).not.toHaveBeenCalled();
    jest.advanceTimersByTime(SWEEP_MS);
    expect(late.timeoutRequest).toHaveBeenCalled();
    expect(fresh.timeoutRequest).not.toHaveBeenCalled();
    q.destroy();
  });

  it('runs one timer for every connected queue, and none once all left', () => {
    const queues = [timedQueue([]), timedQueue([]), timedQueue([])];
    for (const q of queues) joinRequestTimeoutSweep.call(q);
    expect(jest.getTimerCount()).toBe(1);
    for (const q of queues) q.destroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops a queue whose connection closed', () => {
    let connected = true;
    const stale = request(Date.now(), 50);
    const q = timedQueue([stale], { connected: () => connected });
    joinRequestTimeoutSweep.call(q);
    connected = false;
    jest.advanceTimersByTime(SWEEP_MS);
    expect(stale.timeoutRequest).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(SWEEP_MS * 5);
    expect(stale.timeoutRequest).toHaveBeenCalledTimes(1);
  });

  it('leaves a queue alone when its client does not enforce request timeouts', () => {
    const q = timedQueue([request(Date.now() - 10_000)], { enforce: false });
    joinRequestTimeoutSweep.call(q);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ignores a request not yet sent', () => {
    const unsent = request(null, 10);
    const q = timedQueue([unsent]);
    joinRequestTimeoutSweep.call(q);
    jest.advanceTimersByTime(SWEEP_MS * 3);
    expect(unsent.timeoutRequest).not.toHaveBeenCalled();
    q.destroy();
  });
});
