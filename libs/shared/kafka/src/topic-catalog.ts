import { KAFKA_TOPICS } from '@hookline/contracts';
import { ConfigError, env } from '@hookline/shared-config';
import type { TopicSpec } from './topics';

/** A dead letter wraps the original bytes (escaped as JSON text): room for the largest. */
export const DEAD_LETTER_MAX_MESSAGE_BYTES = 16 * 1_048_576;

/**
 * The topic settings every app and `npm run topics:create` read, spread into an app's `parseEnv`
 * call. Every app reads all of them, so no two apps can disagree on a name or a partition count.
 */
export const TOPIC_SETTINGS = {
  HOOKLINE_INGEST_TOPICS: env.list([KAFKA_TOPICS.platformEvents]),
  HOOKLINE_DEAD_LETTER_TOPIC: env.string(KAFKA_TOPICS.platformEventsDlq),
  HOOKLINE_CONFIG_TOPIC: env.string(KAFKA_TOPICS.webhooksConfig),
  HOOKLINE_DELIVERIES_TOPIC: env.string(KAFKA_TOPICS.webhooksDeliveries),
  HOOKLINE_DELIVERIES_DEAD_LETTER_TOPIC: env.string(KAFKA_TOPICS.webhooksDeliveriesDlq),
  HOOKLINE_COMMANDS_TOPIC: env.string(KAFKA_TOPICS.webhooksCommands),
  HOOKLINE_DELIVERY_LOG_TOPIC: env.string(KAFKA_TOPICS.webhooksDeliveryLog),
  HOOKLINE_TOPIC_PARTITIONS: env.int(6, { min: 1, max: 1000 }),
  HOOKLINE_TOPIC_REPLICATION_FACTOR: env.int(1, { min: 1, max: 32 }),
  HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: env.int(1, { min: 1, max: 32 }),
};

export interface TopicSettingValues {
  readonly HOOKLINE_INGEST_TOPICS: readonly string[];
  readonly HOOKLINE_DEAD_LETTER_TOPIC: string;
  readonly HOOKLINE_CONFIG_TOPIC: string;
  readonly HOOKLINE_DELIVERIES_TOPIC: string;
  readonly HOOKLINE_DELIVERIES_DEAD_LETTER_TOPIC: string;
  readonly HOOKLINE_COMMANDS_TOPIC: string;
  readonly HOOKLINE_DELIVERY_LOG_TOPIC: string;
  readonly HOOKLINE_TOPIC_PARTITIONS: number;
  readonly HOOKLINE_TOPIC_REPLICATION_FACTOR: number;
  readonly HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: number;
}

export type TopicUser = 'config-api' | 'event-matcher' | 'delivery-worker';

/** One topic of the platform: what it is for, who uses it, and how it is created. */
export interface CatalogTopic extends TopicSpec {
  readonly role:
    | 'ingest'
    | 'ingestDeadLetter'
    | 'config'
    | 'deliveries'
    | 'deliveriesDeadLetter'
    | 'deliveryLog'
    | 'commands';
  readonly usedBy: readonly TopicUser[];
}

/** Every topic of the platform, from the settings; the one place topics are described. */
export class TopicCatalog {
  constructor(readonly topics: readonly CatalogTopic[]) {}

  /** The topics one app creates at boot when they are missing, and checks when they exist. */
  for(user: TopicUser): TopicSpec[] {
    return this.topics.filter((topic) => topic.usedBy.includes(user));
  }

  get ingest(): string[] {
    return this.topics.filter((topic) => topic.role === 'ingest').map((topic) => topic.topic);
  }

  get ingestDeadLetter(): string {
    return this.named('ingestDeadLetter');
  }

  get config(): string {
    return this.named('config');
  }

  get deliveries(): string {
    return this.named('deliveries');
  }

  get deliveriesDeadLetter(): string {
    return this.named('deliveriesDeadLetter');
  }

  get deliveryLog(): string {
    return this.named('deliveryLog');
  }

  get commands(): string {
    return this.named('commands');
  }

  /** The one topic of a role (every role but ingest has one). */
  entry(role: Exclude<CatalogTopic['role'], 'ingest'>): CatalogTopic {
    const topic = this.topics.find((candidate) => candidate.role === role);
    if (!topic) throw new Error(`the topic catalog has no ${role} topic`);
    return topic;
  }

  private named(role: Exclude<CatalogTopic['role'], 'ingest'>): string {
    return this.entry(role).topic;
  }
}

/**
 * Builds the catalog and checks the settings agree: a replication factor the in-sync minimum
 * cannot be met with, or one topic name given two roles, stops the boot naming the settings.
 */
export function topicCatalog(values: TopicSettingValues): TopicCatalog {
  const partitions = values.HOOKLINE_TOPIC_PARTITIONS;
  const replicationFactor = values.HOOKLINE_TOPIC_REPLICATION_FACTOR;
  const minInsync = values.HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS;
  const problems: string[] = [];
  if (minInsync > replicationFactor) {
    problems.push(
      `HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS (${minInsync}) must not exceed HOOKLINE_TOPIC_REPLICATION_FACTOR (${replicationFactor}): no write could ever be acknowledged`,
    );
  }
  const common = { 'min.insync.replicas': String(minInsync) };
  const topic = (
    role: CatalogTopic['role'],
    name: string,
    usedBy: readonly TopicUser[],
    config: Record<string, string> = {},
  ): CatalogTopic => ({
    role,
    topic: name,
    usedBy,
    numPartitions: partitions,
    replicationFactor,
    config: { ...common, ...config },
  });
  const deadLetter = { 'max.message.bytes': String(DEAD_LETTER_MAX_MESSAGE_BYTES) };
  const topics: CatalogTopic[] = [
    ...values.HOOKLINE_INGEST_TOPICS.map((name) => topic('ingest', name, ['event-matcher'])),
    topic('ingestDeadLetter', values.HOOKLINE_DEAD_LETTER_TOPIC, ['event-matcher'], deadLetter),
    // Compacted: the latest state per webhook is kept forever, a tombstone removes it. A lag of
    // 0 lets the cleaner drop superseded states as soon as it runs.
    topic(
      'config',
      values.HOOKLINE_CONFIG_TOPIC,
      ['config-api', 'event-matcher', 'delivery-worker'],
      { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' },
    ),
    topic('deliveries', values.HOOKLINE_DELIVERIES_TOPIC, [
      'config-api',
      'event-matcher',
      'delivery-worker',
    ]),
    topic(
      'deliveriesDeadLetter',
      values.HOOKLINE_DELIVERIES_DEAD_LETTER_TOPIC,
      ['delivery-worker'],
      deadLetter,
    ),
    // The config API's relay and the worker both write the log through the shared outbox.
    topic('deliveryLog', values.HOOKLINE_DELIVERY_LOG_TOPIC, ['config-api', 'delivery-worker']),
    topic('commands', values.HOOKLINE_COMMANDS_TOPIC, ['config-api', 'delivery-worker']),
  ];
  const roles = new Map<string, string>();
  for (const entry of topics) {
    const earlier = roles.get(entry.topic);
    if (earlier !== undefined) {
      problems.push(`topic "${entry.topic}" is named for two uses (${earlier} and ${entry.role})`);
    }
    roles.set(entry.topic, entry.role);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new TopicCatalog(topics);
}
