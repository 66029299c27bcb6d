import { ConfigError, parseEnv } from '@hookline/shared-config';
import { TOPIC_SETTINGS, topicCatalog } from './topic-catalog';
import { topicMismatches } from './topics';

const catalogOf = (env: Record<string, string> = {}) => topicCatalog(parseEnv(TOPIC_SETTINGS, env));

describe('topic catalog', () => {
  it('holds every topic of the platform with the defaults of a single development broker', () => {
    const catalog = catalogOf();
    expect(catalog.topics.map((t) => [t.role, t.topic])).toEqual([
      ['ingest', 'platform.events'],
      ['ingestDeadLetter', 'platform.events.dlq'],
      ['config', 'webhooks.config'],
      ['deliveries', 'webhooks.deliveries'],
      ['deliveriesDeadLetter', 'webhooks.deliveries.dlq'],
      ['deliveryLog', 'webhooks.delivery-log'],
      ['commands', 'webhooks.commands'],
    ]);
    for (const topic of catalog.topics) {
      expect(topic).toMatchObject({ numPartitions: 6, replicationFactor: 1 });
      expect(topic.config?.['min.insync.replicas']).toBe('1');
    }
  });

  it('compacts the config topic and gives dead letters room for the largest message', () => {
    const catalog = catalogOf();
    expect(catalog.entry('config').config).toMatchObject({ 'cleanup.policy': 'compact' });
    expect(catalog.entry('ingestDeadLetter').config?.['max.message.bytes']).toBe('16777216');
    expect(catalog.entry('deliveriesDeadLetter').config?.['max.message.bytes']).toBe('16777216');
    expect(catalog.entry('deliveries').config?.['cleanup.policy']).toBeUndefined();
  });

  it('takes names, partitions, replication and the in-sync minimum from the settings', () => {
    const catalog = catalogOf({
      HOOKLINE_INGEST_TOPICS: 'orders,billing',
      HOOKLINE_CONFIG_TOPIC: 'prod.webhooks.config',
      HOOKLINE_DELIVERY_LOG_TOPIC: 'prod.webhooks.delivery-log',
      HOOKLINE_TOPIC_PARTITIONS: '24',
      HOOKLINE_TOPIC_REPLICATION_FACTOR: '3',
      HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: '2',
    });
    expect(catalog.ingest).toEqual(['orders', 'billing']);
    expect(catalog.config).toBe('prod.webhooks.config');
    expect(catalog.deliveryLog).toBe('prod.webhooks.delivery-log');
    expect(catalog.entry('commands')).toMatchObject({
      numPartitions: 24,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    });
  });

  it('gives every app the same config topic, the one the config API writes', () => {
    const catalog = catalogOf({ HOOKLINE_CONFIG_TOPIC: 'other.config' });
    for (const app of ['config-api', 'event-matcher', 'delivery-worker'] as const) {
      expect(catalog.for(app).find((t) => t.topic === 'other.config')).toBeDefined();
      expect(catalog.for(app).find((t) => t.topic === 'webhooks.config')).toBeUndefined();
    }
  });

  it('lists for each app only the topics it reads or writes', () => {
    const catalog = catalogOf();
    expect(catalog.for('event-matcher').map((t) => t.topic)).toEqual([
      'platform.events',
      'platform.events.dlq',
      'webhooks.config',
      'webhooks.deliveries',
    ]);
    expect(catalog.for('config-api').map((t) => t.topic)).toEqual([
      'webhooks.config',
      'webhooks.deliveries',
      'webhooks.delivery-log',
      'webhooks.commands',
    ]);
  });

  it('refuses an in-sync minimum above the replication factor, naming both settings', () => {
    expect(() => catalogOf({ HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: '2' })).toThrow(
      /HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS \(2\) must not exceed HOOKLINE_TOPIC_REPLICATION_FACTOR \(1\)/,
    );
  });

  it('refuses one name for two uses', () => {
    expect(() => catalogOf({ HOOKLINE_DEAD_LETTER_TOPIC: 'webhooks.config' })).toThrow(ConfigError);
  });
});

describe('an existing topic against its spec', () => {
  const spec = catalogOf({
    HOOKLINE_TOPIC_REPLICATION_FACTOR: '3',
    HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: '2',
  }).entry('config');
  const fine = {
    topic: spec.topic,
    replicationFactor: 3,
    config: { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
  };

  it('matches when compacted, replicated and in sync as asked (or more)', () => {
    expect(topicMismatches(spec, fine)).toEqual([]);
    expect(
      topicMismatches(spec, {
        ...fine,
        replicationFactor: 5,
        config: { 'cleanup.policy': 'compact', 'min.insync.replicas': '3' },
      }),
    ).toEqual([]);
  });

  it('says why a config topic that deletes, replicated once, does not fit', () => {
    expect(
      topicMismatches(spec, {
        ...fine,
        replicationFactor: 1,
        config: { 'cleanup.policy': 'delete', 'min.insync.replicas': '1' },
      }),
    ).toEqual([
      'webhooks.config: cleanup.policy is "delete", needs "compact"',
      'webhooks.config: min.insync.replicas is 1, needs at least 2',
      'webhooks.config: replication factor is 1, needs at least 3 (HOOKLINE_TOPIC_REPLICATION_FACTOR)',
    ]);
  });

  it('refuses a log topic that compacts, and a dead-letter topic that takes smaller messages', () => {
    const catalog = catalogOf();
    expect(
      topicMismatches(catalog.entry('deliveries'), {
        topic: 'webhooks.deliveries',
        replicationFactor: 1,
        config: { 'cleanup.policy': 'compact,delete', 'min.insync.replicas': '1' },
      }),
    ).toEqual(['webhooks.deliveries: cleanup.policy is "compact,delete", needs "delete"']);
    expect(
      topicMismatches(catalog.entry('deliveriesDeadLetter'), {
        topic: 'webhooks.deliveries.dlq',
        replicationFactor: 1,
        config: { 'max.message.bytes': '1048588', 'min.insync.replicas': '1' },
      }),
    ).toEqual(['webhooks.deliveries.dlq: max.message.bytes is 1048588, needs at least 16777216']);
  });
});
