import { runMigrations } from '@hookline/shared-event-store';
import {
  createKafka,
  describeTopics,
  ensureTopics,
  TopicMismatchError,
} from '@hookline/shared-kafka';
import {
  type AppProcess,
  createTestDatabase,
  freePort,
  integrationEnv,
  startAppProcess,
  type TestDatabase,
  uniqueName,
} from '@hookline/shared-testing';
import { ALL_MIGRATIONS } from './migrations';
import { createPlatformTopics } from './topics-create';

/** Every topic setting, with names of this test only. */
function topicEnv(prefix: string): Record<string, string> {
  const name = (topic: string) => `${prefix}.${topic}`;
  return {
    KAFKA_BROKERS: integrationEnv().kafkaBrokers.join(','),
    HOOKLINE_INGEST_TOPICS: `${name('events')},${name('more-events')}`,
    HOOKLINE_DEAD_LETTER_TOPIC: name('events.dlq'),
    HOOKLINE_CONFIG_TOPIC: name('config'),
    HOOKLINE_DELIVERIES_TOPIC: name('deliveries'),
    HOOKLINE_DELIVERIES_DEAD_LETTER_TOPIC: name('deliveries.dlq'),
    HOOKLINE_COMMANDS_TOPIC: name('commands'),
    HOOKLINE_TOPIC_PARTITIONS: '3',
  };
}

const prefixOf = (env: Record<string, string>) => `${env['HOOKLINE_CONFIG_TOPIC']?.split('.')[0]}.`;

/** A topic with the broker's defaults: deleted by age, not compacted. */
async function createPlainTopic(topic: string): Promise<void> {
  expect(await ensureTopics(kafka(), [{ topic, numPartitions: 1 }])).toEqual([topic]);
}

const kafka = () =>
  createKafka({ brokers: integrationEnv().kafkaBrokers, clientId: 'topics-spec' });
const quiet = { write: () => undefined };

describe('npm run topics:create', () => {
  it('creates every topic of the catalog with its partitions and configs, then finds them matching', async () => {
    const env = topicEnv(uniqueName('tc'));
    const first = await createPlatformTopics(env, quiet);
    const ours = first.created.filter((topic) => topic.startsWith(prefixOf(env)));
    expect(ours).toHaveLength(7);
    expect(ours).toContain(env['HOOKLINE_CONFIG_TOPIC']);
    // The delivery log's name is fixed: another spec may have created it already.
    expect([...first.created, ...first.checked]).toContain('webhooks.delivery-log');

    const [config, deadLetter] = await describeTopics(kafka(), [
      { topic: env['HOOKLINE_CONFIG_TOPIC'] as string, numPartitions: 3 },
      { topic: env['HOOKLINE_DEAD_LETTER_TOPIC'] as string, numPartitions: 3 },
    ]);
    expect(config?.config).toMatchObject({
      'cleanup.policy': 'compact',
      'min.insync.replicas': '1',
    });
    expect(deadLetter?.config).toMatchObject({
      'cleanup.policy': 'delete',
      'max.message.bytes': '16777216',
    });
    const admin = kafka().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({
        topics: [env['HOOKLINE_COMMANDS_TOPIC'] as string],
      });
      expect(topics[0]?.partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }

    const again = await createPlatformTopics(env, quiet);
    expect(again.created).toEqual([]);
    expect(again.checked.sort()).toEqual([...first.created, ...first.checked].sort());
  });

  it('refuses an existing config topic that is not compacted, and says so', async () => {
    const env = topicEnv(uniqueName('tc'));
    await createPlainTopic(env['HOOKLINE_CONFIG_TOPIC'] as string);
    const failure = await createPlatformTopics(env, quiet).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TopicMismatchError);
    expect((failure as TopicMismatchError).problems).toEqual([
      `${env['HOOKLINE_CONFIG_TOPIC']}: cleanup.policy is "delete", needs "compact"`,
    ]);
  });

  it('refuses a replication factor the single broker cannot give, naming the setting', async () => {
    const env = { ...topicEnv(uniqueName('tc')), HOOKLINE_TOPIC_REPLICATION_FACTOR: '3' };
    await expect(createPlatformTopics(env, quiet)).rejects.toThrow(
      /INVALID_REPLICATION_FACTOR .*\(HOOKLINE_TOPIC_REPLICATION_FACTOR\)/,
    );
  });
});

describe('an app against an existing topic configured against what it needs', () => {
  let db: TestDatabase;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('topics_refuse');
    await runMigrations({ url: db.url, migrations: ALL_MIGRATIONS });
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await db?.drop();
  });

  it('the delivery worker refuses to start on a config topic that deletes, and says why', async () => {
    const env = topicEnv(uniqueName('tc'));
    await createPlainTopic(env['HOOKLINE_CONFIG_TOPIC'] as string);
    const port = await freePort();
    worker = startAppProcess(
      'delivery-worker',
      {
        ...env,
        DATABASE_URL: db.url,
        HOOKLINE_MASTER_KEY: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
        HOOKLINE_DELIVERY_WORKER_PORT: String(port),
        HOOKLINE_DELIVERY_WORKER_GROUP: uniqueName('topics-worker'),
      },
      port,
    );
    const code = await new Promise<number | null>((resolve) => worker?.child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(worker.output()).toContain(`${env['HOOKLINE_CONFIG_TOPIC']}: cleanup.policy is `);
    expect(worker.output()).toMatch(/cleanup\.policy is \\?"delete\\?", needs \\?"compact\\?"/);
  });
});
