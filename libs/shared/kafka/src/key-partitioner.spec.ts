import { randomBytes } from 'node:crypto';
import type { PartitionMetadata } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { KeyPartitioner, murmur2 } from './key-partitioner';

const partitionMetadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
  }));

describe('murmur2', () => {
  it("gives the Java client's hashes (Kafka's own UtilsTest cases)", () => {
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
  });
});

describe('KeyPartitioner', () => {
  it("places every keyed message where kafkajs's default partitioner does", () => {
    const ours = KeyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 6, 12, 50]) {
      const metadata = partitionMetadata(count);
      for (let n = 0; n < 400; n += 1) {
        const bytes = randomBytes(n % 70);
        // Strings of every length class, with multi-byte characters, and raw bytes.
        const key = n % 3 === 0 ? bytes : n % 3 === 1 ? bytes.toString('hex') : `wh_é${n}✓`;
        const message = { key, value: 'v' };
        expect(ours({ topic: 't', partitionMetadata: metadata, message })).toBe(
          theirs({ topic: 't', partitionMetadata: metadata, message }),
        );
      }
    }
  });

  it('keeps a given partition, and spreads unkeyed messages round robin', () => {
    const place = KeyPartitioner();
    const metadata = partitionMetadata(4);
    expect(
      place({
        topic: 't',
        partitionMetadata: metadata,
        message: { partition: 3, key: 'k', value: 'v' },
      }),
    ).toBe(3);
    const unkeyed = Array.from({ length: 8 }, () =>
      place({ topic: 't', partitionMetadata: metadata, message: { value: 'v' } }),
    );
    expect(new Set(unkeyed)).toEqual(new Set([0, 1, 2, 3]));
  });
});
