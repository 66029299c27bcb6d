import type { Kafka } from 'kafkajs';
import { uniqueName } from './infra';

/** A message as a spec compares it: key, value and headers as strings. */
export interface ConsumedMessage {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
  readonly partition: number;
  readonly offset: string;
}

export interface ConsumeTopicOptions {
  /** Rejects, naming how many came, when `count` messages have not come by then; default 30 s. */
  readonly timeoutMs?: number;
  /** Reads on this long after the `count`th, so that repeats are counted too; default 300 ms. */
  readonly settleMs?: number;
}

/**
 * Reads `topic` from its start in a consumer group of its own until `count` messages came, then
 * `settleMs` longer. The fetch waits at most 100 ms on an empty partition: the consumer's
 * disconnect waits for the fetch in flight, which at kafkajs's default of 5 s made every call
 * take 5 s.
 */
export async function consumeTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  options: ConsumeTopicOptions = {},
): Promise<ConsumedMessage[]> {
  const received: ConsumedMessage[] = [];
  const consumer = kafka.consumer({
    groupId: uniqueName('spec-reader'),
    sessionTimeout: 10_000,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`received ${received.length} of ${count} messages`)),
        options.timeoutMs ?? 30_000,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          received.push({
            key: message.key === null ? null : message.key.toString(),
            value: message.value === null ? null : message.value.toString(),
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
            partition,
            offset: message.offset,
          });
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 300));
  } finally {
    await consumer.disconnect();
  }
  return received;
}
