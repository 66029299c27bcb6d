import {
  deliveryIdFor,
  SAMPLE_ENVELOPES,
  validateDeliveryRequested,
  validateEventDeadLettered,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { SubscriptionIndex } from '../matching/subscription-index';
import { MAX_CORRELATION_ID_LENGTH, MAX_EVENT_DEPTH, routeEvent } from './route-event';

const source = { topic: 'platform.events', partition: 2, offset: '41', key: 'comp-uuid-1234' };
const clock = () => new Date('2026-01-01T00:00:00.000Z');
const sample = SAMPLE_ENVELOPES['scan.completed'];

function record(
  webhookId: string,
  overrides: Partial<WebhookConfigRecord> = {},
): WebhookConfigRecord {
  return {
    schemaVersion: 1,
    webhookId,
    company: sample.data.company,
    name: webhookId,
    url: 'https://hooks.example.com/x',
    type: 'other',
    events: ['scan.completed'],
    projectIds: [],
    statusFilter: [],
    status: 'active',
    version: 3,
    updatedAt: '2026-01-01T00:00:00.000Z',
    bodyTemplate: null,
    signingSecret: null,
    headers: [],
    ...overrides,
  };
}

describe('routeEvent', () => {
  const index = new SubscriptionIndex();
  index.apply('wh_active', record('wh_active'));
  index.apply('wh_paused', record('wh_paused', { status: 'paused' }));
  index.apply('wh_other', record('wh_other', { company: 'someone-else' }));
  const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('makes one valid request per matching webhook, a paused one held, with deterministic ids', () => {
    const result = routeEvent(bytes(sample), source, index, { clock, correlationId: 'corr-1' });
    if (result.kind !== 'matched') throw new Error(result.kind);
    const requests = [...result.requests].sort((a, b) => a.webhookId.localeCompare(b.webhookId));
    expect(requests.map((r) => [r.webhookId, r.held, r.webhookVersion])).toEqual([
      ['wh_active', false, 3],
      ['wh_paused', true, 3],
    ]);
    for (const request of requests) {
      expect(validateDeliveryRequested(request).ok).toBe(true);
      expect(request.deliveryId).toBe(deliveryIdFor(sample.event_id, request.webhookId));
      expect(request).toMatchObject({
        envelope: sample,
        correlationId: 'corr-1',
        requestedAt: '2026-01-01T00:00:00.000Z',
        trigger: 'first',
      });
    }
  });

  it('uses the event id as the correlation id when the producer sent none', () => {
    const result = routeEvent(bytes(sample), source, index, { clock });
    expect(result.kind === 'matched' && result.requests[0]?.correlationId).toBe(sample.event_id);
  });

  it('makes no request for an event nobody subscribed to, and no dead letter either', () => {
    const login = SAMPLE_ENVELOPES['user.login'];
    expect(routeEvent(bytes(login), source, index, { clock })).toMatchObject({
      kind: 'matched',
      requests: [],
    });
  });

  it.each<[string, Buffer | null, string]>([
    ['not JSON', Buffer.from('{"event_id": '), 'json'],
    ['not an object', Buffer.from('[1,2]'), 'type'],
    ['an unknown event type', bytes({ ...sample, event_type: 'scan.exploded' }), 'enum'],
    [
      'data failing its schema',
      bytes({ ...sample, data: { ...sample.data, issues_found: 'many' } }),
      'type',
    ],
    ['no company', bytes({ ...sample, data: { ...sample.data, company: undefined } }), 'required'],
    ['no value at all', null, 'type'],
  ])('dead-letters %s with the reason and the source position', (_case, raw, rule) => {
    const result = routeEvent(raw, source, index, { clock });
    if (result.kind !== 'dead_letter') throw new Error('expected a dead letter');
    expect(validateEventDeadLettered(result.deadLetter).ok).toBe(true);
    expect(result.deadLetter.source).toEqual(source);
    expect(result.deadLetter.errors.map((e) => e.rule)).toContain(rule);
    expect(result.deadLetter.reason).not.toBe('');
    expect(result.deadLetter.rawValue).toBe(raw === null ? null : raw.toString('utf8'));
  });

  it('dead-letters an oversized message without parsing it', () => {
    const result = routeEvent(Buffer.alloc(2_000, 0x20), source, index, { maxEventBytes: 1_000 });
    expect(result).toMatchObject({
      kind: 'dead_letter',
      deadLetter: { errors: [{ rule: 'max_size' }] },
    });
  });

  it('dead-letters an event nested past the limit, naming it, and routes one at the limit', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i += 1) value = { a: value };
      return value;
    };
    // The envelope and `data` take two levels.
    const deep = { ...sample, data: { ...sample.data, extra: nest(MAX_EVENT_DEPTH) } };
    const result = routeEvent(bytes(deep), source, index, { clock });
    expect(result.kind).toBe('dead_letter');
    if (result.kind !== 'dead_letter') return;
    expect(result.deadLetter.errors).toEqual([
      {
        path: '',
        rule: 'max_depth',
        message: `the event is nested deeper than ${MAX_EVENT_DEPTH} levels`,
      },
    ]);
    expect(validateEventDeadLettered(result.deadLetter).ok).toBe(true);

    const fits = { ...sample, data: { ...sample.data, extra: nest(MAX_EVENT_DEPTH - 3) } };
    expect(routeEvent(bytes(fits), source, index, { clock }).kind).toBe('matched');
  });

  it.each([
    ['a NUL byte', 'corr\u0000id', /control characters/],
    ['a newline', 'corr\nid', /control characters/],
    ['too long', 'c'.repeat(MAX_CORRELATION_ID_LENGTH + 1), /longer than 256/],
  ])('dead-letters an event whose correlation id header holds %s', (_, correlationId, reason) => {
    const result = routeEvent(bytes(sample), source, index, { clock, correlationId });
    if (result.kind !== 'dead_letter') throw new Error(result.kind);
    expect(result.deadLetter.errors[0]).toMatchObject({
      path: '/headers/correlation-id',
      rule: 'invalid_header',
      message: expect.stringMatching(reason),
    });
  });
});
