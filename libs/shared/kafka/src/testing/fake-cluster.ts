import { KafkaJSConnectionError, type Producer, type ProducerConfig } from 'kafkajs';

// kafkajs's own producer, the one `kafka.producer()` returns, made on a cluster of our choosing.
const createKafkajsProducer = require('kafkajs/src/producer') as (options: object) => Producer;
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger: (options: object) => object;
  LEVELS: { NOTHING: number };
};

/** One produce request a broker wrote: which node, which partition, which values. */
export interface Write {
  readonly node: number;
  readonly topic: string;
  readonly partition: number;
  readonly values: readonly string[];
}

interface ProducedPartition {
  readonly partition: number;
  readonly firstSequence?: number;
  readonly messages: ReadonlyArray<{ value: Buffer | string | null }>;
}

const { KafkaJSProtocolError } = require('kafkajs/src/errors') as {
  KafkaJSProtocolError: new (error: object) => Error;
};
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => object;
};
/** OUT_OF_ORDER_SEQUENCE_NUMBER, as the broker answers it. */
const OUT_OF_ORDER_SEQUENCE = 45;

/**
 * Brokers 1 to 3 in memory, as kafkajs's producer sees them through its cluster: the leader of
 * each partition (of every topic alike) and a produce request per broker. A killed node refuses
 * connections, and the metadata refresh after it moves its partitions to the node named, as the
 * controller does once it fenced the dead one. Partitions keep an idempotent producer's
 * sequence numbers as a broker does: a batch that repeats the last one's (first sequence and
 * count) is acknowledged as a duplicate without being written, one that skips is refused. kafkajs
 * runs its own send, retry and idempotence code over it, unchanged.
 */
export class FakeCluster {
  readonly writes: Write[] = [];
  private readonly dead = new Set<number>();
  private readonly successors = new Map<number, number>();
  private readonly dyingAfterWrite = new Set<number>();
  private producerIds = 0;
  /** By `topic/partition/producerId`: the last batch written and the sequence expected next. */
  private readonly sequences = new Map<string, { first: number; count: number }>();
  private readonly brokers = new Map([1, 2, 3].map((nodeId) => [nodeId, this.broker(nodeId)]));

  /** @param leaders the leader of partition 0, 1, ... */
  constructor(private leaders: number[]) {}

  /** A producer as `kafka.producer(config)` makes it, on this cluster. */
  producer(config: ProducerConfig = {}): Producer {
    const cluster = this.cluster();
    return createKafkajsProducer({
      cluster,
      logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }),
      ...config,
      // As `kafka.producer()` does: the client's retries, unless the config has its own.
      retry: { ...cluster.retry, ...config.retry },
    });
  }

  /** SIGKILL of a node: its port refuses, and its partitions go to `successor` at the next refresh. */
  kill(nodeId: number, successor: number): void {
    this.dead.add(nodeId);
    this.successors.set(nodeId, successor);
  }

  /**
   * The node's next produce request is written, and the node dies before it answers: the
   * connection is cut and its port refuses until {@link revive}, as with a broker stopped
   * mid-request.
   */
  dieAfterWriting(nodeId: number): void {
    this.dyingAfterWrite.add(nodeId);
  }

  revive(nodeId: number): void {
    this.dead.delete(nodeId);
    this.successors.delete(nodeId);
  }

  /** Every value written to `topic`, in the order written. */
  valuesWritten(topic: string): string[] {
    return this.writes.filter((w) => w.topic === topic).flatMap((w) => w.values);
  }

  private broker(nodeId: number) {
    return {
      nodeId,
      initProducerId: async () => ({ producerId: (this.producerIds += 1), producerEpoch: 0 }),
      produce: async ({
        producerId,
        topicData,
      }: {
        producerId?: number;
        topicData: ReadonlyArray<{ topic: string; partitions: readonly ProducedPartition[] }>;
      }) => {
        if (this.dead.has(nodeId)) {
          throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
            broker: `127.0.0.1:${nodeId}`,
            code: 'ECONNREFUSED',
          });
        }
        for (const { topic, partitions } of topicData) {
          for (const { partition, firstSequence, messages } of partitions) {
            if (
              !this.accepts(`${topic}/${partition}/${producerId}`, firstSequence, messages.length)
            )
              continue;
            const values = messages.map((m) => String(m.value));
            this.writes.push({ node: nodeId, topic, partition, values });
          }
        }
        if (this.dyingAfterWrite.delete(nodeId)) {
          this.dead.add(nodeId);
          throw new KafkaJSConnectionError('Connection error: read ECONNRESET', {
            broker: `127.0.0.1:${nodeId}`,
            code: 'ECONNRESET',
          });
        }
        return {
          topics: topicData.map(({ topic, partitions }) => ({
            topicName: topic,
            partitions: partitions.map(({ partition }) => ({
              partition,
              errorCode: 0,
              baseOffset: '0',
              logAppendTime: '-1',
              logStartOffset: '0',
            })),
          })),
        };
      },
    };
  }

  /**
   * Whether a batch is new (written), a duplicate of the last one (acknowledged, not written) or
   * out of order (refused), by the producer's sequence numbers. Without a producer id, new.
   */
  private accepts(key: string, first: number | undefined, count: number): boolean {
    if (first === undefined || key.endsWith('/undefined') || key.endsWith('/-1')) return true;
    const last = this.sequences.get(key);
    if (last !== undefined && last.first === first && last.count === count) return false;
    const expected = last === undefined ? 0 : last.first + last.count;
    if (first !== expected)
      throw new KafkaJSProtocolError(createErrorFromCode(OUT_OF_ORDER_SEQUENCE));
    this.sequences.set(key, { first, count });
    return true;
  }

  private cluster() {
    const metadata = () =>
      this.leaders.map((leader, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader,
        replicas: [1, 2, 3],
        isr: [1, 2, 3].filter((node) => !this.dead.has(node)),
        offlineReplicas: [],
      }));
    return {
      // Retries a millisecond apart: the scenario, not the backoff, is under test.
      retry: { initialRetryTime: 1, maxRetryTime: 5, retries: 5 },
      connect: async () => undefined,
      disconnect: async () => undefined,
      isConnected: () => true,
      refreshMetadata: async () => {
        this.leaders = this.leaders.map((leader) => this.successors.get(leader) ?? leader);
      },
      refreshMetadataIfNecessary: async () => undefined,
      addMultipleTargetTopics: async () => undefined,
      removeBroker: () => undefined,
      findTopicPartitionMetadata: () => metadata(),
      findLeaderForPartitions: (_topic: string, partitions: readonly string[]) => {
        const byLeader: Record<number, number[]> = {};
        for (const id of partitions) {
          const leader = this.leaders[Number(id)];
          if (leader !== undefined) (byLeader[leader] ??= []).push(Number(id));
        }
        return byLeader;
      },
      findBroker: async ({ nodeId }: { nodeId: string | number }) =>
        this.brokers.get(Number(nodeId)),
      findControllerBroker: async () =>
        [...this.brokers.values()].find((b) => !this.dead.has(b.nodeId)),
    };
  }
}
