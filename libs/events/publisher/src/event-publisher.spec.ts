import {
  KAFKA_TOPICS,
  parseEnvelope,
  samplePayload,
  type EventDataMap,
  type EventType,
} from '@hookline/contracts';
import type { ProducerRecord, RecordMetadata } from 'kafkajs';
import {
  EventPublishFailedError,
  EventPublisher,
  InvalidEventError,
  type EventProducer,
} from './index';

/** An in-memory stand-in for a kafkajs producer: records every send, or fails when told to. */
class FakeProducer implements EventProducer {
  readonly sent: ProducerRecord[] = [];
  failWith: Error | undefined;

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (this.failWith) throw this.failWith;
    this.sent.push(record);
    return [];
  }

  get messages() {
    return this.sent.flatMap((record) => record.messages);
  }
}

const EVENT_ID = '0b7c9a3e-5d1f-4c2a-9e8b-1f2a3b4c5d6e';
const OTHER_EVENT_ID = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
const NOW = new Date('2025-01-15T14:30:00Z');

function dataOf<T extends EventType>(eventType: T): EventDataMap[T] {
  return samplePayload(eventType).data as EventDataMap[T];
}

function setup(options: { topic?: string; source?: string } = {}) {
  const producer = new FakeProducer();
  const publisher = new EventPublisher({ producer, clock: () => NOW, ...options });
  return { producer, publisher };
}

describe('EventPublisher.publish', () => {
  it('sends one envelope to platform.events by default, with acks from every in-sync replica', async () => {
    const { producer, publisher } = setup();

    await publisher.publish('scan.completed', dataOf('scan.completed'));

    expect(producer.sent).toHaveLength(1);
    expect(producer.sent[0]).toEqual(
      expect.objectContaining({ topic: KAFKA_TOPICS.platformEvents, acks: -1 }),
    );
    expect(producer.messages).toHaveLength(1);
  });

  it('sends to the configured topic', async () => {
    const { producer, publisher } = setup({ topic: 'tenant-a.events' });
    await publisher.publish('user.login', dataOf('user.login'));
    expect(producer.sent[0]?.topic).toBe('tenant-a.events');
  });

  it('the value is the JSON envelope it returns, which parses with the contract', async () => {
    const { producer, publisher } = setup();
    const data = dataOf('issue.status_changed');

    const envelope = await publisher.publish('issue.status_changed', data, { eventId: EVENT_ID });

    expect(envelope).toEqual({
      event_id: EVENT_ID,
      event_type: 'issue.status_changed',
      timestamp: '2025-01-15T14:30:00.000Z',
      data,
    });
    const value = producer.messages[0]?.value;
    expect(typeof value).toBe('string');
    expect(JSON.parse(String(value))).toEqual(envelope);
    expect(parseEnvelope(String(value))).toEqual({ ok: true, value: envelope });
  });

  it('gives each event a fresh UUID when no id is passed', async () => {
    const { publisher } = setup();
    const a = await publisher.publish('user.login', dataOf('user.login'));
    const b = await publisher.publish('user.login', dataOf('user.login'));
    expect(a.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(b.event_id).not.toBe(a.event_id);
  });

  it('keys the message by the company, so one tenant keeps its order on one partition', async () => {
    const { producer, publisher } = setup();
    await publisher.publish('user.login_failed', {
      ...dataOf('user.login_failed'),
      company: 'acme',
    });
    await publisher.publish('scan.started', { ...dataOf('scan.started'), company: 'globex' });
    expect(producer.messages.map((m) => m.key)).toEqual(['acme', 'globex']);
  });

  it('sets message-type, schema-version and correlation-id (the event id by default)', async () => {
    const { producer, publisher } = setup();
    await publisher.publish('scan.failed', dataOf('scan.failed'), { eventId: EVENT_ID });
    expect(producer.messages[0]?.headers).toEqual({
      'message-type': 'EventEnvelope',
      'schema-version': '1',
      'correlation-id': EVENT_ID,
    });
  });

  it('carries a given correlation id, causation id and the source service in headers', async () => {
    const { producer, publisher } = setup({ source: 'scanner' });
    await publisher.publish('scan.started', dataOf('scan.started'), {
      eventId: EVENT_ID,
      correlationId: 'req-42',
      causationId: 'cmd-7',
    });
    expect(producer.messages[0]?.headers).toEqual({
      'message-type': 'EventEnvelope',
      'schema-version': '1',
      'correlation-id': 'req-42',
      'causation-id': 'cmd-7',
      source: 'scanner',
    });
  });

  it('keeps fields the producer adds to data', async () => {
    const { producer, publisher } = setup();
    await publisher.publish('user.login', { ...dataOf('user.login'), tenant_region: 'eu' });
    const sent = JSON.parse(String(producer.messages[0]?.value)) as { data: object };
    expect(sent.data).toEqual(expect.objectContaining({ tenant_region: 'eu' }));
  });

  it('an invalid payload throws InvalidEventError listing each violation, and nothing is sent', async () => {
    const { producer, publisher } = setup();
    const { company: _company, ...data } = dataOf('issue.assigned');
    const bad = { ...data, urgency: 'URGENT', project: { name: 'p' } };

    const error = await publisher
      .publish('issue.assigned', bad as unknown as EventDataMap['issue.assigned'])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidEventError);
    const invalid = error as InvalidEventError;
    expect(invalid.code).toBe('INVALID_EVENT');
    expect(invalid.eventType).toBe('issue.assigned');
    expect(invalid.violations.map(({ path, rule }) => ({ path, rule }))).toEqual(
      expect.arrayContaining([
        { path: '/data/company', rule: 'required' },
        { path: '/data/urgency', rule: 'enum' },
        { path: '/data/project/id', rule: 'required' },
      ]),
    );
    expect(invalid.message).toContain('/data/company is required');
    expect(producer.sent).toEqual([]);
  });

  it('an event id that is not a UUID is a violation of /event_id', async () => {
    const { producer, publisher } = setup();
    const error = await publisher
      .publish('user.login', dataOf('user.login'), { eventId: 'evt_1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    const paths = (error as InvalidEventError).violations.map((v) => v.path);
    expect(new Set(paths)).toEqual(new Set(['/event_id']));
    expect(producer.sent).toEqual([]);
  });

  it('an unknown event type is rejected, not sent', async () => {
    const { producer, publisher } = setup();
    const error = await publisher
      .publish('issue.deleted' as EventType, dataOf('user.login'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).violations).toEqual([
      expect.objectContaining({ path: '/event_type', rule: 'enum' }),
    ]);
    expect(producer.sent).toEqual([]);
  });

  it('validates what goes on the wire: data whose JSON form breaks the contract is rejected', async () => {
    const { producer, publisher } = setup();
    // Valid as an object, but its JSON form drops the company.
    const data = {
      ...dataOf('user.login_failed'),
      toJSON() {
        const { company: _company, ...rest } = this;
        return rest;
      },
    };
    const error = await publisher.publish('user.login_failed', data).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).violations).toEqual([
      expect.objectContaining({ path: '/data/company', rule: 'required' }),
    ]);
    expect(producer.sent).toEqual([]);
  });

  it('data that cannot be serialized is a json violation, not a crash', async () => {
    const { producer, publisher } = setup();
    const data = { ...dataOf('user.login'), counter: 1n };
    const error = await publisher.publish('user.login', data).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).violations).toEqual([
      expect.objectContaining({ path: '', rule: 'json' }),
    ]);
    expect(producer.sent).toEqual([]);
  });

  it('a send Kafka does not acknowledge throws EventPublishFailedError with the event id and cause', async () => {
    const { producer, publisher } = setup();
    const cause = new Error('Not enough in-sync replicas');
    producer.failWith = cause;

    const error = await publisher
      .publish('user.login', dataOf('user.login'), { eventId: EVENT_ID })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EventPublishFailedError);
    const failed = error as EventPublishFailedError;
    expect(failed.code).toBe('EVENT_PUBLISH_FAILED');
    expect(failed.topic).toBe(KAFKA_TOPICS.platformEvents);
    expect(failed.eventIds).toEqual([EVENT_ID]);
    expect(failed.cause).toBe(cause);
    expect(failed.message).toContain('Not enough in-sync replicas');
  });
});

describe('EventPublisher.publishMany', () => {
  it('sends the whole batch in one produce request, in order, each keyed by its company', async () => {
    const { producer, publisher } = setup();

    const envelopes = await publisher.publishMany([
      { eventType: 'scan.started', data: { ...dataOf('scan.started'), company: 'acme' } },
      {
        eventType: 'scan.completed',
        data: { ...dataOf('scan.completed'), company: 'globex' },
        eventId: EVENT_ID,
        correlationId: 'run-1',
      },
      { eventType: 'user.login', data: { ...dataOf('user.login'), company: 'acme' } },
    ]);

    expect(producer.sent).toHaveLength(1);
    expect(producer.sent[0]?.acks).toBe(-1);
    const messages = producer.messages;
    expect(messages.map((m) => m.key)).toEqual(['acme', 'globex', 'acme']);
    expect(messages.map((m) => JSON.parse(String(m.value)))).toEqual(envelopes);
    expect(envelopes.map((e) => e.event_type)).toEqual([
      'scan.started',
      'scan.completed',
      'user.login',
    ]);
    expect(envelopes[1]?.event_id).toBe(EVENT_ID);
    expect(messages[1]?.headers).toEqual(expect.objectContaining({ 'correlation-id': 'run-1' }));
    expect(messages[0]?.headers).toEqual(
      expect.objectContaining({ 'correlation-id': envelopes[0]?.event_id }),
    );
  });

  it('one invalid event fails the whole batch with every violation, paths prefixed by index; nothing is sent', async () => {
    const { producer, publisher } = setup();
    const error = await publisher
      .publishMany([
        { eventType: 'user.login', data: dataOf('user.login') },
        {
          eventType: 'user.login_failed',
          data: { ...dataOf('user.login_failed'), company: '' },
        },
        { eventType: 'user.login', data: dataOf('user.login'), eventId: 'nope' },
      ])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidEventError);
    const invalid = error as InvalidEventError;
    expect(invalid.eventType).toBe('user.login_failed');
    expect(invalid.violations.map(({ path, rule }) => ({ path, rule }))).toEqual([
      { path: '/1/data/company', rule: 'minLength' },
      { path: '/2/event_id', rule: 'pattern' },
      { path: '/2/event_id', rule: 'format' },
    ]);
    expect(invalid.violations[0]?.message).toMatch(/^\/1\/data\/company /);
    expect(producer.sent).toEqual([]);
  });

  it('an empty batch sends nothing', async () => {
    const { producer, publisher } = setup();
    expect(await publisher.publishMany([])).toEqual([]);
    expect(producer.sent).toEqual([]);
  });

  it('a failed batch names every event id to publish again', async () => {
    const { producer, publisher } = setup();
    producer.failWith = new Error('broker down');
    const error = await publisher
      .publishMany([
        { eventType: 'user.login', data: dataOf('user.login'), eventId: EVENT_ID },
        { eventType: 'user.login', data: dataOf('user.login'), eventId: OTHER_EVENT_ID },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishFailedError);
    expect((error as EventPublishFailedError).eventIds).toEqual([EVENT_ID, OTHER_EVENT_ID]);
  });
});
