import type { ICustomPartitioner, Message, RecordMetadata, TopicMessages } from 'kafkajs';
import { KeyPartitioner } from './key-partitioner';

/**
 * Where each message of a send goes, chosen once and kept for every retry of it, so a send can be
 * checked against what the brokers acknowledged.
 *
 * kafkajs 2.2.4 can resolve a send without writing some of its partitions (tulios/kafkajs#1303):
 * it keeps the answer of each broker across the retries of a send and, on a retry, sends only to
 * the brokers that have not answered yet. When a broker dies, its partitions move to the brokers
 * that are left; a partition that moved to one of those that already answered is sent to no one,
 * and the send resolves with the answers it has. The partitions missing from those answers are
 * exactly the ones not written: {@link unwritten} finds their messages.
 */
export class PartitionPins {
  private readonly pins = new WeakMap<Message, { topic: string; partition: number }>();

  /**
   * A kafkajs `createPartitioner`: `base` (kafkajs's default placement, see
   * {@link KeyPartitioner}) places a message the first time it is asked, and that partition is
   * kept. Without it a message without a key could be placed elsewhere on a retry (kafkajs places
   * round-robin), under a partition another broker answered.
   */
  partitioner(base: ICustomPartitioner = KeyPartitioner): ICustomPartitioner {
    return () => {
      const place = base();
      return (args) => {
        const pinned = this.pins.get(args.message);
        if (pinned?.topic === args.topic) return pinned.partition;
        const partition = place(args);
        this.pins.set(args.message, { topic: args.topic, partition });
        return partition;
      };
    };
  }

  /**
   * The messages of `sent` whose partition is not among those `written` acknowledges, by topic,
   * with the `topic/partition` names they were meant for. A message that was never placed (sent
   * through a producer without {@link partitioner}) is not judged.
   */
  unwritten(
    sent: readonly TopicMessages[],
    written: readonly RecordMetadata[],
  ): { topicMessages: TopicMessages[]; partitions: string[] } {
    const acknowledged = new Set(written.map((r) => partitionName(r.topicName, r.partition)));
    const partitions = new Set<string>();
    const topicMessages = sent.flatMap(({ topic, messages }) => {
      const left = messages.filter((message) => {
        const pinned = this.pins.get(message);
        const partition = message.partition ?? (pinned?.topic === topic ? pinned.partition : null);
        if (partition === null || partition === undefined) return false;
        const name = partitionName(topic, partition);
        if (acknowledged.has(name)) return false;
        partitions.add(name);
        return true;
      });
      return left.length > 0 ? [{ topic, messages: left }] : [];
    });
    return { topicMessages, partitions: [...partitions].sort() };
  }
}

function partitionName(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
