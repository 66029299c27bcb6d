import type { Kafka } from 'kafkajs';

export interface KafkaHealth {
  readonly ok: boolean;
  readonly brokers?: number;
  readonly controller?: number | null;
  readonly error?: string;
}

/** Asks the cluster to describe itself; a health endpoint's view of the broker. */
export async function checkKafka(kafka: Kafka): Promise<KafkaHealth> {
  const admin = kafka.admin();
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
