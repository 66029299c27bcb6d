import { type Admin, ConfigResourceTypes, type Kafka } from 'kafkajs';
import { explainKafkaConnectError, KafkaConnectRefusedError } from './kafka-client';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** 1 on a single development broker; 3 in production. */
  readonly replicationFactor?: number;
  /** e.g. `{ 'cleanup.policy': 'compact' }` for a state topic. */
  readonly config?: Readonly<Record<string, string>>;
}

/** What an existing topic holds: its replication and the configs a spec asks about. */
export interface ExistingTopic {
  readonly topic: string;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

/** Existing topics configured against what the app needs; the message says how, per topic. */
export class TopicMismatchError extends Error {
  override readonly name = 'TopicMismatchError';

  constructor(readonly problems: readonly string[]) {
    super(
      `Existing topics are configured against what Hookline needs (fix them or point the settings at other topics):\n  - ${problems.join('\n  - ')}`,
    );
  }
}

/**
 * How an existing topic falls short of its spec. Only what the app relies on is checked: the
 * cleanup policy (a compacted state topic that deletes loses webhooks; a log that compacts loses
 * events), a message size limit at least as large, and replication and in-sync minimum at least
 * as strong. Partition counts and other configs are an operator's choice.
 */
export function topicMismatches(spec: TopicSpec, existing: ExistingTopic): string[] {
  const problems: string[] = [];
  const wanted = spec.config ?? {};
  const policy = (value: string | undefined) =>
    (value ?? 'delete')
      .split(',')
      .map((part) => part.trim())
      .sort()
      .join(',');
  if (policy(wanted['cleanup.policy']) !== policy(existing.config['cleanup.policy'])) {
    problems.push(
      `${spec.topic}: cleanup.policy is "${existing.config['cleanup.policy'] ?? 'delete'}", needs "${wanted['cleanup.policy'] ?? 'delete'}"`,
    );
  }
  for (const name of ['max.message.bytes', 'min.insync.replicas'] as const) {
    const need = wanted[name];
    if (need === undefined) continue;
    const have = existing.config[name];
    if (have === undefined || Number(have) < Number(need)) {
      problems.push(`${spec.topic}: ${name} is ${have ?? 'unknown'}, needs at least ${need}`);
    }
  }
  const replicas = spec.replicationFactor ?? 1;
  if (existing.replicationFactor < replicas) {
    problems.push(
      `${spec.topic}: replication factor is ${existing.replicationFactor}, needs at least ${replicas} (HOOKLINE_TOPIC_REPLICATION_FACTOR)`,
    );
  }
  return problems;
}

/**
 * Creates the topics that do not exist yet and waits for their leaders, then checks the ones that
 * already existed against their specs: an existing topic configured against what the app needs
 * fails with a {@link TopicMismatchError} saying why, since the app would lose data on it.
 * Existing topics are never changed: that is an operator's decision. Returns the names it created.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    const explained = explainKafkaConnectError(error);
    if (explained === undefined) throw error;
    throw new KafkaConnectRefusedError(explained, { cause: error });
  }
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    const present = specs.filter((spec) => existing.has(spec.topic));
    if (missing.length > 0) {
      await createMissing(admin, missing);
    }
    if (present.length > 0) {
      const problems = (await describeTopics(kafka, present)).flatMap((topic, i) =>
        topicMismatches(present[i] as TopicSpec, topic),
      );
      if (problems.length > 0) throw new TopicMismatchError(problems);
    }
    return missing.map((spec) => spec.topic);
  } finally {
    await admin.disconnect();
  }
}

/** Topic creation errors kafkajs gathers, one per topic, each with the broker's error type. */
interface CreationErrors {
  readonly errors?: ReadonlyArray<{
    readonly topic?: string;
    readonly type?: string;
    readonly message?: string;
  }>;
}

async function createMissing(admin: Admin, missing: readonly TopicSpec[]): Promise<void> {
  try {
    await admin.createTopics({
      // Waited for below: kafkajs retries only LEADER_NOT_AVAILABLE, while a busy KRaft broker
      // answers UNKNOWN_TOPIC_OR_PARTITION for a moment after creating a topic too.
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.numPartitions,
        replicationFactor: spec.replicationFactor ?? 1,
        configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({
          name,
          value,
        })),
      })),
    });
  } catch (error) {
    const errors = (error as CreationErrors).errors;
    if (!Array.isArray(errors) || errors.length === 0) throw error;
    const hint = (type: string | undefined): string => {
      if (type === 'INVALID_REPLICATION_FACTOR') return ' (HOOKLINE_TOPIC_REPLICATION_FACTOR)';
      if (type === 'POLICY_VIOLATION' || type === 'TOPIC_AUTHORIZATION_FAILED')
        return ' (create the topics ahead with npm run topics:create, as an operator)';
      return '';
    };
    throw new Error(
      `Creating topics failed:\n  - ${errors
        .map(
          (entry) =>
            `${entry.topic ?? '?'}: ${entry.type ?? ''} ${entry.message ?? ''}${hint(entry.type)}`,
        )
        .join('\n  - ')}`,
      { cause: error },
    );
  }
  await waitForLeaders(
    admin,
    missing.map((spec) => spec.topic),
  );
}

const LEADER_WAIT_MS = 30_000;

async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const led = metadata.topics.every(
        (topic) =>
          topic.partitions.length > 0 &&
          topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (led) return;
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw error;
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.join(', ')} have no leaders after ${LEADER_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each topic's replication factor and the configs its spec checks, in the order given. */
export async function describeTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
): Promise<ExistingTopic[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = specs.map((spec) => spec.topic);
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['cleanup.policy', 'max.message.bytes', 'min.insync.replicas'],
      })),
    });
    return names.map((name) => {
      const metadata = topics.find((topic) => topic.name === name);
      const resource = described.resources.find((entry) => entry.resourceName === name);
      const config: Record<string, string> = {};
      for (const entry of resource?.configEntries ?? [])
        config[entry.configName] = entry.configValue;
      return {
        topic: name,
        replicationFactor: Math.min(
          ...(metadata?.partitions ?? []).map((partition) => partition.replicas.length),
        ),
        config,
      };
    });
  } finally {
    await admin.disconnect();
  }
}
