import { randomUUID } from 'node:crypto';

import { type Consumer, Kafka, logLevel, Partitioners, type Producer, type Admin } from 'kafkajs';

import { errorMessage, InfraError } from './infra-error';
import { isPortServing } from './ports';
import { sleep } from './processes';

/**
 * A one-partition topic the readiness check writes to; kept small by a one-hour retention. It is
 * replicated as the cluster replicates any topic (`default.replication.factor`): at one replica, a
 * cluster that loses the broker holding it has a partition without a leader, and kafkajs fails
 * every metadata request that names all topics (a client with none of its own yet: an admin, a
 * producer starting a session) while that broker is down.
 */
export const READINESS_TOPIC = 'hookline.infra.readiness';

export interface KafkaReadinessOptions {
  readonly timeoutMs: number;
  /** For a broker we started: false once its process has died, to fail at once. */
  readonly isAlive?: () => boolean;
  readonly logFile?: string;
}

/**
 * Waits until Kafka really serves: a topic can be created, a message produced, a consumer group
 * joined and the message consumed. A broker whose internal topics cannot be created (too few
 * replicas) accepts connections and even topics, but never finds a group coordinator; only the
 * full round trip catches that.
 */
export async function waitForKafka(brokers: string, options: KafkaReadinessOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const [host, port] = splitHostPort(brokers.split(',')[0] ?? brokers);
  let step = 'accept a TCP connection';
  let lastError: unknown;

  for (;;) {
    if (options.isAlive !== undefined && !options.isAlive()) {
      throw new InfraError(
        'PROCESS_EXITED',
        `The Kafka broker exited before it was ready (while waiting to ${step}).`,
        options.logFile,
      );
    }
    if (Date.now() >= deadline) break;
    try {
      if (!(await isPortServing(port, host))) throw new Error(`nothing accepts ${host}:${port}`);
      await roundTrip(brokers, deadline, (next) => (step = next));
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(500);
  }
  throw new InfraError(
    'KAFKA_NOT_READY',
    `Kafka at ${brokers} was not ready within ${Math.round(options.timeoutMs / 1000)} s: it ` +
      `failed to ${step}: ${errorMessage(lastError)}`,
    options.logFile,
  );
}

async function roundTrip(
  brokers: string,
  deadline: number,
  onStep: (step: string) => void,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'hookline-infra-readiness',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 10000,
    // Few client-side retries: waitForKafka starts over with fresh clients until its deadline.
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1000 },
  });
  const nonce = randomUUID();
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  try {
    onStep('connect');
    admin = kafka.admin();
    await withDeadline(admin.connect(), deadline);

    onStep(`create the topic ${READINESS_TOPIC}`);
    await withDeadline(
      admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: READINESS_TOPIC,
            numPartitions: 1,
            // No replicationFactor: -1, the broker's default for any topic.
            configEntries: [{ name: 'retention.ms', value: String(60 * 60 * 1000) }],
          },
        ],
      }),
      deadline,
    );

    onStep(`produce to ${READINESS_TOPIC}`);
    producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await withDeadline(producer.connect(), deadline);
    await withDeadline(
      producer.send({ topic: READINESS_TOPIC, messages: [{ value: nonce }] }),
      deadline,
    );

    onStep('join a consumer group (find the group coordinator)');
    // A fresh group that commits nothing: the broker forgets it once it is empty.
    consumer = kafka.consumer({
      groupId: `hookline-infra-readiness-${nonce}`,
      allowAutoTopicCreation: false,
      sessionTimeout: 10000,
      rebalanceTimeout: 10000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 100,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1000 },
    });
    const joined = consumer;
    let markReceived = (): void => undefined;
    const received = new Promise<void>((resolve, reject) => {
      markReceived = resolve;
      joined.on(joined.events.CRASH, (event) => reject(event.payload.error));
    });
    // Awaited below; this only keeps an early crash from counting as unhandled meanwhile.
    received.catch(() => undefined);
    joined.on(joined.events.GROUP_JOIN, () => onStep('consume the message it produced'));
    await withDeadline(joined.connect(), deadline);
    await withDeadline(joined.subscribe({ topic: READINESS_TOPIC, fromBeginning: true }), deadline);
    await withDeadline(
      joined.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === nonce) markReceived();
        },
      }),
      deadline,
    );
    await withDeadline(received, deadline);
  } finally {
    // Disconnect failures after a failed check would only hide the reason it failed.
    await Promise.allSettled([consumer?.disconnect(), producer?.disconnect(), admin?.disconnect()]);
  }
}

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new Error('timed out'));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), remaining);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function splitHostPort(address: string): [string, number] {
  const index = address.lastIndexOf(':');
  return [address.slice(0, index), Number(address.slice(index + 1))];
}
