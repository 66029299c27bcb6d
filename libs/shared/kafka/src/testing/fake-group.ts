import type { Consumer, ConsumerConfig, ConsumerRunConfig, Kafka } from 'kafkajs';

// kafkajs's own consumer runner (fetch loop, retries, rejoin on a rebalance) and its pieces.
const Runner = require('kafkajs/src/consumer/runner') as new (options: object) => {
  start(): Promise<void>;
  stop(): Promise<void>;
  commitOffsets(offsets: object): Promise<void>;
};
const Batch = require('kafkajs/src/consumer/batch') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: object,
) => object;
const InstrumentationEventEmitter = require('kafkajs/src/instrumentation/emitter') as new () => {
  emit(type: string, payload?: object): void;
};
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger: (options: object) => object;
  LEVELS: { NOTHING: number };
};
const { KafkaJSProtocolError } = require('kafkajs/src/errors') as {
  KafkaJSProtocolError: new (error: object) => Error;
};
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => object;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the group coordinator answers a commit sent to a broker that no longer is the coordinator. */
export const notCoordinator = (): Error => new KafkaJSProtocolError(createErrorFromCode(16));

/**
 * One consumer group of one member on one partition, in memory, under kafkajs's own runner: the
 * topic holds `messages` values; a join finds the coordinator `coordinator` names at the time and
 * keeps it, as kafkajs does, until the member joins again. `moveCoordinator()` makes the broker
 * the member knows answer every commit with "not the coordinator" from then on.
 */
export class FakeGroup {
  readonly joins: number[] = [];
  readonly commits: Array<{ coordinator: number; offset: string; ok: boolean }> = [];
  coordinator = 1;
  committed = '0';
  private joinedWith = 0;
  private position = 0;

  constructor(
    private readonly topic: string,
    private readonly values: readonly string[],
  ) {}

  moveCoordinator(): void {
    this.coordinator += 1;
  }

  /** A `Kafka` whose consumers are members of this group. */
  kafka(): Kafka {
    return { consumer: (config: ConsumerConfig) => this.consumer(config) } as unknown as Kafka;
  }

  private consumer(config: ConsumerConfig): Consumer {
    const group = this.consumerGroup();
    let runner: InstanceType<typeof Runner> | undefined;
    const events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' };
    return {
      events,
      on: () => () => undefined,
      connect: async () => undefined,
      subscribe: async () => undefined,
      disconnect: async () => {
        await runner?.stop();
      },
      run: async (run: ConsumerRunConfig) => {
        runner = new Runner({
          logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }),
          consumerGroup: group,
          instrumentationEmitter: new InstrumentationEventEmitter(),
          eachBatchAutoResolve: run.eachBatchAutoResolve,
          eachBatch: run.eachBatch,
          concurrency: 1,
          heartbeatInterval: 3_000,
          retry: config.retry,
          autoCommit: run.autoCommit,
          onCrash: () => undefined,
        });
        await runner.start();
      },
      // As kafkajs's consumer.commitOffsets: through the runner and its retries.
      commitOffsets: (offsets: Array<{ topic: string; partition: number; offset: string }>) =>
        runner?.commitOffsets({
          topics: [
            {
              topic: this.topic,
              partitions: offsets.map(({ partition, offset }) => ({ partition, offset })),
            },
          ],
        }),
    } as unknown as Consumer;
  }

  private consumerGroup() {
    const commit = async (offsets: {
      topics: Array<{ partitions: Array<{ offset: string }> }>;
    }) => {
      const offset = offsets.topics[0]?.partitions[0]?.offset ?? '0';
      const ok = this.joinedWith === this.coordinator;
      this.commits.push({ coordinator: this.joinedWith, offset, ok });
      if (!ok) throw notCoordinator();
      this.committed = offset;
    };
    return {
      groupId: 'fake-group',
      memberId: 'member',
      connect: async () => undefined,
      joinAndSync: async () => {
        this.joinedWith = this.coordinator;
        this.joins.push(this.coordinator);
        this.position = Number(this.committed);
      },
      leave: async () => undefined,
      getNodeIds: () => [1],
      heartbeat: async () => undefined,
      hasSeekOffset: () => false,
      isPaused: () => false,
      pause: () => undefined,
      resume: () => undefined,
      resolveOffset: ({ offset }: { offset: string }) => {
        this.position = Number(offset) + 1;
      },
      commitOffsets: commit,
      commitOffsetsIfNecessary: commit,
      uncommittedOffsets: () => ({ topics: [] }),
      fetch: async () => {
        if (this.position >= this.values.length) {
          await sleep(10);
          return [];
        }
        const messages = this.values.slice(this.position).map((value, i) => ({
          offset: String(this.position + i),
          key: null,
          value: Buffer.from(value),
          headers: {},
          timestamp: '0',
          attributes: 0,
        }));
        return [
          new Batch(this.topic, String(this.position), {
            partition: 0,
            highWatermark: String(this.values.length),
            messages,
          }),
        ];
      },
    };
  }
}
