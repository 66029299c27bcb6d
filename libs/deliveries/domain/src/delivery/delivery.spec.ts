import {
  deliveryIdFor,
  samplePayload,
  validateDeliveryLogEvent,
  type DeliveryAttemptDetails,
  type DeliveryLogEvent,
  type DeliveryRequested,
} from '@hookline/contracts';
import type { AttemptOutcome } from '../outcome/attempt-outcome';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry/retry-policy';
import { DeliveryStateError, type DeliveryState } from './delivery';
import { HELD_WHILE_PAUSED, recordAttempt, recordRequest, recordSkip } from './delivery.decider';
import { evolveDelivery, rehydrateDelivery } from './delivery.evolve';

const WEBHOOK_ID = 'wh_0123456789abcdef0123456789abcdef';
const envelope = samplePayload('scan.completed');
const DELIVERY_ID = deliveryIdFor(envelope.event_id, WEBHOOK_ID);
const T0 = new Date('2025-01-15T15:45:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

function request(overrides: Partial<DeliveryRequested> = {}): DeliveryRequested {
  return {
    schemaVersion: 1,
    deliveryId: DELIVERY_ID,
    eventId: envelope.event_id,
    webhookId: WEBHOOK_ID,
    webhookVersion: 3,
    company: envelope.data.company,
    eventType: envelope.event_type,
    envelope,
    trigger: 'first',
    requestedAt: T0.toISOString(),
    correlationId: envelope.event_id,
    ...overrides,
  };
}

const ok = (statusCode = 200): AttemptOutcome => ({ ok: true, statusCode, durationMs: 42 });
const http500: AttemptOutcome = {
  ok: false,
  failure: 'http_5xx',
  statusCode: 500,
  message: 'HTTP 500 Internal Server Error',
  durationMs: 30,
};
const badTemplate: AttemptOutcome = {
  ok: false,
  failure: 'invalid_template',
  message: 'rendered body is not JSON',
  durationMs: 0,
};

/** Decided events must be valid contract messages and fold into the state. */
function check(events: DeliveryLogEvent[]): DeliveryLogEvent[] {
  for (const event of events) {
    const result = validateDeliveryLogEvent(event);
    expect(result).toEqual({ ok: true, value: event });
  }
  expect(JSON.parse(JSON.stringify(events))).toEqual(events);
  return events;
}

/** given(history): the state, plus helpers that append what is decided. */
function given(...history: DeliveryLogEvent[][]) {
  const log = history.flat();
  const state = () => rehydrateDelivery(log);
  const append = (events: DeliveryLogEvent[]) => {
    log.push(...check(events));
    return events;
  };
  const open = () => {
    const s = state();
    if (s === undefined) throw new Error('no delivery');
    return s;
  };
  return {
    log,
    state,
    request: (r: DeliveryRequested, now = T0) => append(recordRequest(state(), r, now)),
    attempt: (outcome: AttemptOutcome, now = T0, policy: RetryPolicy = DEFAULT_RETRY_POLICY) =>
      append(recordAttempt(open(), outcome, policy, now)),
    skip: (reason: string, now = T0) => append(recordSkip(open(), reason, now)),
  };
}

const types = (events: DeliveryLogEvent[]) => events.map((e) => e.type);

describe('recordRequest', () => {
  it('a new request is recorded as DeliveryRequested and the delivery is pending', () => {
    const g = given();
    const events = g.request(request());
    expect(events).toEqual([
      {
        schemaVersion: 1,
        type: 'DeliveryRequested',
        deliveryId: DELIVERY_ID,
        webhookId: WEBHOOK_ID,
        company: 'comp-uuid-1234',
        eventId: envelope.event_id,
        eventType: 'scan.completed',
        attempt: null,
        trigger: 'first',
        statusCode: null,
        durationMs: null,
        error: null,
        nextAttemptAt: null,
        recordedAt: T0.toISOString(),
        correlationId: envelope.event_id,
      },
    ]);
    expect(g.state()?.status).toBe('pending');
  });

  it('a replayed request adds nothing (idempotent on the delivery id)', () => {
    const g = given();
    g.request(request());
    expect(g.request(request(), at(5))).toEqual([]);
  });

  it('a held request is recorded and skipped while paused', () => {
    const g = given();
    const events = g.request(request({ held: true }));
    expect(types(events)).toEqual(['DeliveryRequested', 'DeliverySkipped']);
    expect(events[1]?.error).toBe(HELD_WHILE_PAUSED);
    expect(g.state()?.status).toBe('skipped_while_paused');
  });

  it('a skipped delivery takes no attempt', () => {
    const g = given();
    g.request(request({ held: true }));
    expect(recordAttempt(g.state() as DeliveryState, ok(), DEFAULT_RETRY_POLICY, T0)).toEqual([]);
  });

  it('a request for another delivery is refused', () => {
    const g = given();
    g.request(request());
    const other = request({ deliveryId: deliveryIdFor(envelope.event_id, 'wh_other') });
    expect(() => recordRequest(g.state(), other, T0)).toThrow(DeliveryStateError);
  });
});

describe('recordAttempt', () => {
  it('a 2xx on the first attempt succeeds the delivery', () => {
    const g = given();
    g.request(request());
    const events = g.attempt(ok(204), at(1));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'AttemptSucceeded',
        attempt: 1,
        statusCode: 204,
        durationMs: 42,
        trigger: 'first',
        recordedAt: at(1).toISOString(),
      }),
    ]);
    expect(g.state()).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 204 });
  });

  it('a failure records AttemptFailed and schedules attempt 2 after 2 s', () => {
    const g = given();
    g.request(request());
    const events = g.attempt(http500, at(1));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'AttemptFailed',
        attempt: 1,
        statusCode: 500,
        durationMs: 30,
        error: 'http_5xx: HTTP 500 Internal Server Error',
        trigger: 'first',
      }),
      expect.objectContaining({
        type: 'RetryScheduled',
        attempt: 2,
        nextAttemptAt: at(3).toISOString(),
        trigger: 'retry',
      }),
    ]);
    expect(g.state()).toMatchObject({
      status: 'retry_scheduled',
      attempts: 1,
      nextAttemptAt: at(3).toISOString(),
    });
  });

  it('three failures fail the delivery: 2 s then 4 s, then DeliveryFailed on attempt 3', () => {
    const g = given();
    g.request(request());
    g.attempt(http500, at(0));
    const second = g.attempt(http500, at(2));
    expect(second[1]).toMatchObject({
      type: 'RetryScheduled',
      attempt: 3,
      nextAttemptAt: at(6).toISOString(),
    });
    expect(second[0]).toMatchObject({ trigger: 'retry', attempt: 2 });
    const third = g.attempt(http500, at(6));
    expect(types(third)).toEqual(['AttemptFailed', 'DeliveryFailed']);
    expect(third[1]).toMatchObject({
      attempt: 3,
      error: 'gave up after 3 attempts: http_5xx: HTTP 500 Internal Server Error',
    });
    expect(g.state()).toMatchObject({ status: 'failed', attempts: 3, nextAttemptAt: null });
  });

  it('a retry that succeeds succeeds the delivery', () => {
    const g = given();
    g.request(request());
    g.attempt(http500, at(0));
    expect(g.attempt(ok(), at(2))[0]).toMatchObject({
      type: 'AttemptSucceeded',
      attempt: 2,
      trigger: 'retry',
    });
    expect(g.state()?.status).toBe('succeeded');
  });

  it('an invalid template fails the delivery at once, without a retry', () => {
    const g = given();
    g.request(request());
    const events = g.attempt(badTemplate);
    expect(events).toEqual([
      expect.objectContaining({ type: 'AttemptFailed', attempt: 1, statusCode: null }),
      expect.objectContaining({
        type: 'DeliveryFailed',
        attempt: 1,
        error: 'not retried, permanent failure: invalid_template: rendered body is not JSON',
      }),
    ]);
    expect(g.state()?.status).toBe('failed');
  });

  it('an outcome for a finished delivery adds nothing (a replayed outcome is recorded once)', () => {
    const g = given();
    g.request(request());
    g.attempt(ok());
    expect(g.attempt(http500)).toEqual([]);
    expect(g.state()).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('a failure status outside HTTP range is recorded without a status code', () => {
    const g = given();
    g.request(request());
    const [failed] = g.attempt({
      ok: false,
      failure: 'other',
      statusCode: 999,
      message: 'odd',
      durationMs: 1,
    });
    expect(failed?.statusCode).toBeNull();
  });

  it('a success outcome without a 2xx status is refused', () => {
    const g = given();
    g.request(request());
    expect(() =>
      recordAttempt(g.state() as DeliveryState, ok(302), DEFAULT_RETRY_POLICY, T0),
    ).toThrow(DeliveryStateError);
  });
});

describe('recordAttempt with attempt details', () => {
  const details: DeliveryAttemptDetails = {
    failureClass: null,
    url: 'https://hooks.example.com/corgea',
    requestHeaders: { 'Content-Type': 'application/json', 'X-Corgea-Signature': '********' },
    requestBody: '{"event_type":"scan.completed"}',
    responseHeaders: { 'content-type': 'text/plain' },
    responseBody: 'accepted',
    responseTruncated: false,
  };
  const DETAIL_KEYS = Object.keys(details);
  const started = () => {
    const g = given();
    g.request(request());
    return g;
  };
  const decide = (
    g: ReturnType<typeof given>,
    outcome: AttemptOutcome,
    extra: Partial<DeliveryAttemptDetails>,
    now = T0,
  ) => check(recordAttempt(g.state() as DeliveryState, outcome, DEFAULT_RETRY_POLICY, now, extra));
  const detailKeysOf = (event: DeliveryLogEvent | undefined) =>
    DETAIL_KEYS.filter((key) => event !== undefined && key in event);

  it('a success carries the details, with failureClass null whatever the details say', () => {
    const events = decide(started(), ok(), { ...details, failureClass: 'timeout' });
    expect(events).toEqual([
      expect.objectContaining({ type: 'AttemptSucceeded', ...details, failureClass: null }),
    ]);
  });

  it("a failure carries the details, with failureClass the outcome's whatever the details say", () => {
    const events = decide(started(), http500, { ...details, failureClass: 'other' });
    expect(types(events)).toEqual(['AttemptFailed', 'RetryScheduled']);
    expect(events[0]).toEqual(
      expect.objectContaining({
        ...details,
        failureClass: 'http_5xx',
        error: 'http_5xx: HTTP 500 Internal Server Error',
      }),
    );
    expect(decide(started(), http500, { ...details, failureClass: null })[0]).toMatchObject({
      failureClass: 'http_5xx',
    });
  });

  it('RetryScheduled carries none of the details', () => {
    const [, scheduled] = decide(started(), http500, details);
    expect(scheduled?.type).toBe('RetryScheduled');
    expect(detailKeysOf(scheduled)).toEqual([]);
  });

  it('DeliveryFailed carries none of the details, for a permanent failure or retries exhausted', () => {
    const permanent = decide(started(), badTemplate, { ...details, requestBody: null });
    expect(types(permanent)).toEqual(['AttemptFailed', 'DeliveryFailed']);
    expect(permanent[0]).toMatchObject({ failureClass: 'invalid_template', requestBody: null });
    expect(detailKeysOf(permanent[1])).toEqual([]);

    const g = started();
    g.attempt(http500, at(0));
    g.attempt(http500, at(2));
    const exhausted = decide(g, http500, details, at(6));
    expect(types(exhausted)).toEqual(['AttemptFailed', 'DeliveryFailed']);
    expect(exhausted[0]).toMatchObject({ ...details, failureClass: 'http_5xx', attempt: 3 });
    expect(detailKeysOf(exhausted[1])).toEqual([]);
  });

  it('only the details given are added; failureClass is always set on an attempt event', () => {
    const [succeeded] = decide(started(), ok(), {});
    expect(succeeded).toHaveProperty('failureClass', null);
    expect(detailKeysOf(succeeded)).toEqual(['failureClass']);
    const [failed] = decide(started(), http500, { url: details.url });
    expect(failed).toMatchObject({ failureClass: 'http_5xx', url: details.url });
    expect(detailKeysOf(failed)).toEqual(['failureClass', 'url']);
  });

  it('details do not change what the attempt decides', () => {
    const plain = recordAttempt(
      started().state() as DeliveryState,
      http500,
      DEFAULT_RETRY_POLICY,
      T0,
    );
    const detailed = decide(started(), http500, details);
    expect(types(detailed)).toEqual(types(plain));
    expect(detailed[0]).toMatchObject({
      attempt: plain[0]?.attempt,
      statusCode: plain[0]?.statusCode,
      error: plain[0]?.error,
    });
    expect(detailed[1]).toEqual(plain[1]);
  });
});

describe('manual retry', () => {
  const failedDelivery = () => {
    const g = given();
    g.request(request());
    g.attempt(badTemplate, at(0));
    return g;
  };

  it('a manual request for a failed delivery opens a new round with the whole retry budget', () => {
    const g = failedDelivery();
    const manual = request({ trigger: 'manual', requestedAt: at(60).toISOString() });
    expect(types(g.request(manual, at(61)))).toEqual(['ManualRetryRequested']);
    expect(g.state()).toMatchObject({ status: 'pending', trigger: 'manual', roundStart: 1 });
    const first = g.attempt(http500, at(62));
    expect(first[0]).toMatchObject({ attempt: 2, trigger: 'manual' });
    expect(first[1]).toMatchObject({ type: 'RetryScheduled', attempt: 3 });
    g.attempt(http500, at(64));
    const last = g.attempt(http500, at(68));
    expect(last[1]).toMatchObject({ type: 'DeliveryFailed', attempt: 4 });
    expect(last[1]?.error).toContain('gave up after 3 attempts');
  });

  it('a replayed manual request adds nothing', () => {
    const g = failedDelivery();
    const manual = request({ trigger: 'manual', requestedAt: at(60).toISOString() });
    g.request(manual, at(61));
    g.attempt(ok(), at(62));
    expect(g.request(manual, at(90))).toEqual([]);
  });

  it('a later manual request after a finished manual round opens another round', () => {
    const g = failedDelivery();
    g.request(request({ trigger: 'manual', requestedAt: at(60).toISOString() }), at(61));
    g.attempt(badTemplate, at(62));
    const again = request({ trigger: 'manual', requestedAt: at(120).toISOString() });
    expect(types(g.request(again, at(121)))).toEqual(['ManualRetryRequested']);
  });

  it('a manual request for a delivery still in progress adds nothing', () => {
    const g = given();
    g.request(request());
    g.attempt(http500);
    expect(g.request(request({ trigger: 'manual', requestedAt: at(1).toISOString() }))).toEqual([]);
  });

  it('a held manual request is skipped while paused', () => {
    const g = failedDelivery();
    const manual = request({ trigger: 'manual', held: true, requestedAt: at(60).toISOString() });
    expect(types(g.request(manual, at(61)))).toEqual(['ManualRetryRequested', 'DeliverySkipped']);
    expect(g.state()?.status).toBe('skipped_while_paused');
  });
});

describe('recordSkip', () => {
  it('a scheduled retry of a webhook paused meanwhile is skipped', () => {
    const g = given();
    g.request(request());
    g.attempt(http500);
    expect(g.skip('webhook paused', at(2))).toEqual([
      expect.objectContaining({ type: 'DeliverySkipped', error: 'webhook paused' }),
    ]);
    expect(g.state()).toMatchObject({ status: 'skipped_while_paused', nextAttemptAt: null });
  });

  it('a finished delivery is not skipped', () => {
    const g = given();
    g.request(request());
    g.attempt(ok());
    expect(g.skip('webhook deleted')).toEqual([]);
  });
});

describe('evolveDelivery', () => {
  it('a log that does not start with DeliveryRequested is refused', () => {
    const g = given();
    g.request(request());
    const [succeeded] = recordAttempt(g.state() as DeliveryState, ok(), DEFAULT_RETRY_POLICY, T0);
    expect(() => evolveDelivery(undefined, succeeded as DeliveryLogEvent)).toThrow(
      DeliveryStateError,
    );
  });

  it('an event of another delivery is refused', () => {
    const g = given();
    g.request(request());
    const other = {
      ...g.log[0],
      deliveryId: 'dlv_00000000-0000-5000-8000-000000000000',
    } as DeliveryLogEvent;
    expect(() => evolveDelivery(g.state(), other)).toThrow(DeliveryStateError);
  });

  it('a replayed DeliveryRequested leaves the state unchanged', () => {
    const g = given();
    g.request(request());
    g.attempt(http500);
    const before = g.state();
    expect(evolveDelivery(before, g.log[0] as DeliveryLogEvent)).toBe(before);
  });

  it('an empty log is no delivery', () => {
    expect(rehydrateDelivery([])).toBeUndefined();
  });
});
