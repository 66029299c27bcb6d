import type { Producer, RecordMetadata } from 'kafkajs';
import { isProducerSessionLost, RenewingProducer } from './renewing-producer';

/** What the broker answers when a new leader does not know the session's sequence numbers. */
const sessionLost = () =>
  Object.assign(new Error('The broker received an out of order sequence number'), {
    type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
  });

interface FakeProducer {
  readonly producer: Producer;
  readonly calls: string[];
}

/** A producer whose sends answer, in turn, what `answers` says (the last repeats). */
function fakeProducer(answers: Array<'ok' | Error>): FakeProducer {
  const calls: string[] = [];
  let n = 0;
  const answer = async (): Promise<RecordMetadata[]> => {
    const next = answers[Math.min(n, answers.length - 1)];
    n += 1;
    if (next instanceof Error) throw next;
    return [];
  };
  const producer = {
    connect: async () => void calls.push('connect'),
    disconnect: async () => void calls.push('disconnect'),
    send: async () => {
      calls.push('send');
      return answer();
    },
    sendBatch: async () => {
      calls.push('sendBatch');
      return answer();
    },
  } as unknown as Producer;
  return { producer, calls };
}

describe('isProducerSessionLost', () => {
  it('finds the broker error wherever kafkajs wraps it', () => {
    expect(isProducerSessionLost(sessionLost())).toBe(true);
    expect(isProducerSessionLost(new Error('retries exhausted', { cause: sessionLost() }))).toBe(
      true,
    );
    expect(
      isProducerSessionLost({
        name: 'KafkaJSNumberOfRetriesExceeded',
        originalError: { type: 'UNKNOWN_PRODUCER_ID' },
      }),
    ).toBe(true);
    expect(isProducerSessionLost({ errors: [{ type: 'INVALID_PRODUCER_EPOCH' }] })).toBe(true);
  });

  it('leaves every other failure alone', () => {
    expect(isProducerSessionLost(new Error('Connection refused'))).toBe(false);
    expect(isProducerSessionLost({ type: 'NOT_LEADER_FOR_PARTITION' })).toBe(false);
    expect(isProducerSessionLost(undefined)).toBe(false);
  });
});

describe('RenewingProducer', () => {
  it('replaces a lost session with a new producer and sends the request once more on it', async () => {
    const first = fakeProducer([sessionLost()]);
    const second = fakeProducer(['ok']);
    const made = [first, second];
    const renewed: unknown[] = [];
    const producer = new RenewingProducer(
      () => (made.shift() as FakeProducer).producer,
      (error) => renewed.push(error),
    );
    await producer.connect();

    await expect(producer.send({ topic: 't', messages: [{ value: 'x' }] })).resolves.toEqual([]);

    expect(first.calls).toEqual(['connect', 'send', 'disconnect']);
    expect(second.calls).toEqual(['connect', 'send']);
    expect(producer.renewals).toBe(1);
    expect(renewed).toHaveLength(1);
  });

  it('passes any other failure to the caller, with the same producer', async () => {
    const only = fakeProducer([new Error('Connection refused'), 'ok']);
    const producer = new RenewingProducer(() => only.producer);
    await producer.connect();

    await expect(producer.sendBatch({ topicMessages: [] })).rejects.toThrow('Connection refused');
    await expect(producer.sendBatch({ topicMessages: [] })).resolves.toEqual([]);
    expect(producer.renewals).toBe(0);
    expect(only.calls).toEqual(['connect', 'sendBatch', 'sendBatch']);
  });

  it('fails when the new session fails too, and renews again on the next request', async () => {
    const made = [
      fakeProducer([sessionLost()]),
      fakeProducer([sessionLost()]),
      fakeProducer(['ok']),
    ];
    const producer = new RenewingProducer(() => (made.shift() as FakeProducer).producer);
    await producer.connect();

    await expect(producer.send({ topic: 't', messages: [] })).rejects.toThrow('out of order');
    await expect(producer.send({ topic: 't', messages: [] })).resolves.toEqual([]);
    expect(producer.renewals).toBe(2);
  });
});
