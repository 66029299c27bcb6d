import { type ICustomPartitioner, Partitioners } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`, which kafkajs's default partitioner also
 * computes) in 32-bit integer arithmetic. kafkajs computes it on 64-bit `Long` objects, a dozen
 * of them per four bytes of key: for the worker, which keys every delivery-log message, that was
 * 5 % of everything it allocated.
 */
export function murmur2(key: Buffer | string): number {
  const data = typeof key === 'string' ? Buffer.from(key) : key;
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes, as the Java client's fall-through switch takes them.
  const left = length & 3;
  if (left > 0) {
    if (left === 3) h ^= data.readUInt8(whole + 2) << 16;
    if (left >= 2) h ^= data.readUInt8(whole + 1) << 8;
    h ^= data.readUInt8(whole);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's default partitioner with the keyed case computed by {@link murmur2}: a message goes
 * where kafkajs (and the Java client) would put it, so keys keep their partitions across an
 * upgrade. A message with a partition keeps it; one with neither partition nor key goes round
 * robin, through kafkajs's own partitioner.
 */
export const KeyPartitioner: ICustomPartitioner = () => {
  const unkeyed = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key === null || message.key === undefined) return unkeyed(args);
    return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
  };
};
