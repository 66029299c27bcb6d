import { installRequestQueueIdleFix, scheduleCheckWhilePending } from './request-queue-idle';

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
      prototype: { scheduleCheckPendingRequests: unknown };
    };
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(scheduleCheckWhilePending);
  });
});
