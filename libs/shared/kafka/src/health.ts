import type { Kafka } from 'kafkajs';

export interface KafkaHealth {
  readonly ok: boolean;
  readonly brokers?: number;
  readonly controller?: number | null;
  readonly error?: string;
}

/** Asks the cluster to describe itself; a health endpoint's view of the broker. */
export async function checkKafka(kafka: Kafka): Promise<KafkaHealth> {
  // One retry at most: a probe must answer within the prober's timeout, not kafkajs' backoff.
  const admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 100 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { ok: true, brokers: cluster.brokers.length, controller: cluster.controller };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
