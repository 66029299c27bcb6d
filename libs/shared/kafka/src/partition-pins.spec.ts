import type { ICustomPartitioner, PartitionMetadata, RecordMetadata } from 'kafkajs';
import { PartitionPins } from './partition-pins';

const partitionMetadata: PartitionMetadata[] = [0, 1, 2].map((partitionId) => ({
  partitionErrorCode: 0,
  partitionId,
  leader: partitionId + 1,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
}));

/** Places the n-th message it is asked about in partition n % 3, as kafkajs's round robin does. */
const roundRobin: ICustomPartitioner = () => {
  let n = 0;
  return () => n++ % 3;
};

const acknowledged = (topicName: string, ...partitions: number[]): RecordMetadata[] =>
  partitions.map((partition) => ({ topicName, partition, errorCode: 0 }));

describe('PartitionPins', () => {
  it('keeps the partition a message was first placed in, however often kafkajs asks again', () => {
    const pins = new PartitionPins();
    const place = pins.partitioner(roundRobin)();
    const first = { value: 'a' };
    const second = { value: 'b' };

    expect(place({ topic: 't', partitionMetadata, message: first })).toBe(0);
    expect(place({ topic: 't', partitionMetadata, message: second })).toBe(1);
    // A retry of the same send: round robin alone would say 2 and 0.
    expect(place({ topic: 't', partitionMetadata, message: first })).toBe(0);
    expect(place({ topic: 't', partitionMetadata, message: second })).toBe(1);
    // A new producer (a renewed session) of the same pins keeps them too.
    expect(pins.partitioner(roundRobin)()({ topic: 't', partitionMetadata, message: second })).toBe(
      1,
    );
  });

  it("places a message as kafkajs's default partitioner does: by key", () => {
    const place = new PartitionPins().partitioner()();
    const byKey = (key: string) =>
      place({ topic: 't', partitionMetadata, message: { key, value: 'x' } });

    expect(new Set(['wh_1', 'wh_1', 'wh_1'].map(byKey)).size).toBe(1);
    expect(place({ topic: 't', partitionMetadata, message: { partition: 2, value: 'x' } })).toBe(2);
  });

  it('finds the messages of partitions the answers do not acknowledge, and only those', () => {
    const pins = new PartitionPins();
    const place = pins.partitioner(roundRobin)();
    const messages = ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value }));
    for (const message of messages) place({ topic: 't', partitionMetadata, message });
    const explicit = { value: 'f', partition: 1 };
    const neverPlaced = { value: 'g' };

    const left = pins.unwritten(
      [
        { topic: 't', messages: [...messages, explicit, neverPlaced] },
        { topic: 'u', messages: [messages[0] as { value: string }] },
      ],
      [...acknowledged('t', 2), ...acknowledged('u', 0)],
    );

    // a and d in 0, b, e and the explicit f in 1; c in 2 was written. A message placed for t says
    // nothing about u, and one never placed is not judged.
    expect(left.partitions).toEqual(['t/0', 't/1']);
    expect(left.topicMessages).toEqual([
      { topic: 't', messages: [messages[0], messages[1], messages[3], messages[4], explicit] },
    ]);
  });

  it('finds nothing when every partition was acknowledged', () => {
    const pins = new PartitionPins();
    const place = pins.partitioner(roundRobin)();
    const messages = ['a', 'b', 'c'].map((value) => ({ value }));
    for (const message of messages) place({ topic: 't', partitionMetadata, message });

    expect(pins.unwritten([{ topic: 't', messages }], acknowledged('t', 0, 1, 2))).toEqual({
      topicMessages: [],
      partitions: [],
    });
  });
});
