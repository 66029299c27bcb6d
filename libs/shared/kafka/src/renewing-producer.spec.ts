import type { ICustomPartitioner, Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { isProducerSessionLost, RenewingProducer } from './renewing-producer';
import { FakeCluster } from './testing/fake-cluster';

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
      (message, fields) => renewed.push({ message, ...fields }),
    );
    await producer.connect();

    await expect(producer.send({ topic: 't', messages: [{ value: 'x' }] })).resolves.toEqual([]);

    expect(first.calls).toEqual(['connect', 'sendBatch', 'disconnect']);
    expect(second.calls).toEqual(['connect', 'sendBatch']);
    expect(producer.renewals).toBe(1);
    expect(renewed).toHaveLength(1);
  });

  it('passes any other failure to the caller, and sends the next request on a new session', async () => {
    const first = fakeProducer([new Error('Connection refused')]);
    const second = fakeProducer(['ok']);
    const made = [first, second];
    const producer = new RenewingProducer(() => (made.shift() as FakeProducer).producer);
    await producer.connect();

    await expect(producer.sendBatch({ topicMessages: [] })).rejects.toThrow('Connection refused');
    expect(producer.renewals).toBe(0);
    await expect(producer.sendBatch({ topicMessages: [] })).resolves.toEqual([]);
    expect(producer.renewals).toBe(1);
    expect(first.calls).toEqual(['connect', 'sendBatch', 'disconnect']);
    expect(second.calls).toEqual(['connect', 'sendBatch']);
  });

  it('fails the next request too while no new session connects, and renews on the one after', async () => {
    const cannotConnect = fakeProducer(['ok']);
    cannotConnect.producer.connect = async () => {
      throw new Error('Connection refused');
    };
    const made = [
      fakeProducer([new Error('Connection refused')]),
      cannotConnect,
      fakeProducer(['ok']),
    ];
    const producer = new RenewingProducer(() => (made.shift() as FakeProducer).producer);
    await producer.connect();

    await expect(producer.send({ topic: 't', messages: [] })).rejects.toThrow('refused');
    await expect(producer.send({ topic: 't', messages: [] })).rejects.toThrow('refused');
    await expect(producer.send({ topic: 't', messages: [] })).resolves.toEqual([]);
    expect(producer.renewals).toBe(2);
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

/** Eight messages keyed so that kafkajs's default partitioner puts some in each of two partitions. */
const KEYS = ['wh_a', 'wh_b', 'wh_c', 'wh_d', 'wh_e', 'wh_f', 'wh_g', 'wh_h'];
const messages = () => KEYS.map((key) => ({ key, value: `request for ${key}` }));

describe('a send while the leader of one of its partitions dies', () => {
  // Partition 0 led by node 1, partition 1 by node 2. Node 1 dies; partition 0 moves to node 2,
  // which has already written partition 1 of the same send.
  const killLeaderOfPartition0 = (cluster: FakeCluster) => cluster.kill(1, 2);

  it('kafkajs 2.2.4 alone resolves it with partition 0 written nowhere (tulios/kafkajs#1303)', async () => {
    const cluster = new FakeCluster([1, 2]);
    const producer = cluster.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    killLeaderOfPartition0(cluster);

    const sent = messages();
    const answers = await producer.send({ topic: 'deliveries', messages: sent, acks: -1 });

    // If this fails, kafkajs writes every partition by itself and RenewingProducer's check of
    // what was written has nothing left to find.
    expect(answers.map((a) => a.partition)).toEqual([1]);
    expect(cluster.writes.map((w) => [w.node, w.partition])).toEqual([[2, 1]]);
    const written = cluster.valuesWritten('deliveries');
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(sent.length);
  });

  it('RenewingProducer resolves it only once every message is written, each once', async () => {
    const cluster = new FakeCluster([1, 2]);
    const warnings: Array<{ message: string; partitions?: unknown }> = [];
    const producer = new RenewingProducer(
      (createPartitioner) =>
        cluster.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner }),
      (message, fields) => warnings.push({ message, ...fields }),
    );
    await producer.connect();
    killLeaderOfPartition0(cluster);

    const sent = messages();
    const answers = await producer.send({ topic: 'deliveries', messages: sent, acks: -1 });

    expect(cluster.valuesWritten('deliveries').sort()).toEqual(sent.map((m) => m.value).sort());
    expect(cluster.writes.map((w) => [w.node, w.partition])).toEqual([
      [2, 1],
      [2, 0],
    ]);
    expect(answers.map((a) => a.partition).sort()).toEqual([0, 1]);
    expect(producer.resends).toBe(1);
    expect(warnings).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('partitions unwritten'),
        partitions: ['deliveries/0'],
      }),
    ]);
  });

  it('RenewingProducer sends a batch of several topics whole, and a healthy cluster once', async () => {
    const cluster = new FakeCluster([1, 2]);
    const producer = new RenewingProducer((createPartitioner) =>
      cluster.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner }),
    );
    await producer.connect();

    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: 'log', messages: messages() },
        { topic: 'commands', messages: [{ key: 'wh_a', value: 'pause' }] },
      ],
    });
    expect(producer.resends).toBe(0);
    expect(cluster.valuesWritten('log')).toHaveLength(KEYS.length);

    killLeaderOfPartition0(cluster);
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: 'log', messages: messages() },
        { topic: 'commands', messages: [{ key: 'wh_a', value: 'pause' }] },
      ],
    });
    expect(cluster.valuesWritten('log')).toHaveLength(2 * KEYS.length);
    expect(cluster.valuesWritten('commands')).toEqual(['pause', 'pause']);
  });
});

describe('RenewingProducer, against a broker that never writes a partition', () => {
  /** A producer that places every message and acknowledges nothing of what it placed. */
  const acknowledgingNothing = (calls: string[]) => (createPartitioner: ICustomPartitioner) => {
    const place = createPartitioner();
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: async ({ topicMessages = [] }: ProducerBatch) => {
        calls.push('sendBatch');
        for (const { topic, messages: placed } of topicMessages) {
          for (const message of placed) place({ topic, partitionMetadata: [], message });
        }
        return [];
      },
    } as unknown as Producer;
  };

  it('fails the send after five rounds, naming the partitions, so the caller retries it', async () => {
    const calls: string[] = [];
    const producer = new RenewingProducer(acknowledgingNothing(calls));
    await producer.connect();

    await expect(
      producer.send({ topic: 't', messages: [{ value: 'x', partition: 3 }], acks: -1 }),
    ).rejects.toThrow('without writing t/3 after 5 rounds');
    expect(calls).toHaveLength(5);
  });

  it('does not check a send made without acknowledgements (acks 0)', async () => {
    const calls: string[] = [];
    const producer = new RenewingProducer(acknowledgingNothing(calls));
    await producer.connect();

    await expect(
      producer.send({ topic: 't', messages: [{ value: 'x', partition: 3 }], acks: 0 }),
    ).resolves.toEqual([]);
    expect(calls).toHaveLength(1);
  });
});

describe('the send after one whose answer was lost', () => {
  // The broker writes 'b' and stops before it answers; the send fails once kafkajs's retries
  // run out, and the broker is back for the next one.
  const loseTheAnswerToB = async (producer: Pick<Producer, 'send'>, cluster: FakeCluster) => {
    await producer.send({ topic: 'events', messages: [{ key: 'co', value: 'a' }], acks: -1 });
    cluster.dieAfterWriting(1);
    await expect(
      producer.send({ topic: 'events', messages: [{ key: 'co', value: 'b' }], acks: -1 }),
    ).rejects.toThrow();
    cluster.revive(1);
    return producer.send({ topic: 'events', messages: [{ key: 'co', value: 'c' }], acks: -1 });
  };

  it('kafkajs 2.2.4 alone acknowledges it without writing it: its sequence was rolled back, so the broker takes it for b again', async () => {
    const cluster = new FakeCluster([1]);
    const producer = cluster.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    await expect(loseTheAnswerToB(producer, cluster)).resolves.toHaveLength(1);

    // If this fails, kafkajs no longer reuses a sequence number after a failed send.
    expect(cluster.valuesWritten('events')).toEqual(['a', 'b']);
  });

  it('RenewingProducer writes it: the send after a failure goes out on a new session', async () => {
    const cluster = new FakeCluster([1]);
    const producer = new RenewingProducer((createPartitioner) =>
      cluster.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner }),
    );
    await producer.connect();

    await expect(loseTheAnswerToB(producer, cluster)).resolves.toHaveLength(1);

    expect(cluster.valuesWritten('events')).toEqual(['a', 'b', 'c']);
    expect(producer.renewals).toBe(1);
  });
});
