import { parseEnv } from '@hookline/shared-config';
import {
  createDataSource,
  DatabaseConnectRefusedError,
  databaseConnection,
  initializeDataSource,
  runMigrations,
} from '@hookline/shared-event-store';
import {
  createKafka,
  ensureTopics,
  KAFKA_CONNECTION_SETTINGS,
  KafkaConnectRefusedError,
  kafkaConnection,
  TOPIC_SETTINGS,
  topicCatalog,
} from '@hookline/shared-kafka';
import { ApiKeyStore } from '@hookline/access-data-access';
import { samplePayload } from '@hookline/contracts';
import { EventPublisher } from '@hookline/events-publisher';
import {
  type AppProcess,
  createTestCa,
  freePort,
  type HttpsReceiver,
  startAppProcess,
  startHttpsReceiver,
  type TestCa,
  uniqueName,
} from '@hookline/shared-testing';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALL_MIGRATIONS } from '../scripts/migrations';
import {
  type SecureKafka,
  startSecureKafka,
  startTlsPostgres,
  type TlsPostgres,
} from './secure-servers';

// The servers these specs need are their own, on free ports: a broker that serves SASL_SSL only
// and a PostgreSQL that refuses plaintext. Both start in beforeAll and stop in afterAll.
jest.setTimeout(120_000);

const SCRAM_512 = {
  mechanism: 'SCRAM-SHA-512',
  username: 'svc-512',
  password: 'pw-512-x',
} as const;
const SCRAM_256 = {
  mechanism: 'SCRAM-SHA-256',
  username: 'svc-256',
  password: 'pw-256-x',
} as const;
const PLAIN = { mechanism: 'PLAIN', username: 'svc-plain', password: 'pw-plain-x' } as const;

let ca: TestCa;
let kafka: SecureKafka;
let postgres: TlsPostgres;
let caFile: string;

beforeAll(async () => {
  ca = await createTestCa();
  caFile = ca.caFile;
  const [brokerPort, controllerPort, postgresPort] = await distinctFreePorts(3);
  const tls = { caPem: ca.caPem, certPem: ca.certPem, keyPem: ca.keyPem };
  // Settled, not all: a server that started is stopped in afterAll even when the other failed.
  const [startedKafka, startedPostgres] = await Promise.allSettled([
    startSecureKafka({ brokerPort, controllerPort, tls, users: [SCRAM_512, SCRAM_256, PLAIN] }),
    startTlsPostgres({ port: postgresPort, tls }),
  ]);
  if (startedKafka.status === 'fulfilled') kafka = startedKafka.value;
  if (startedPostgres.status === 'fulfilled') postgres = startedPostgres.value;
  for (const started of [startedKafka, startedPostgres]) {
    if (started.status === 'rejected') throw started.reason;
  }
});

afterAll(async () => {
  await Promise.all([kafka?.stop(), postgres?.stop()]);
});

async function distinctFreePorts(count: number): Promise<[number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports] as [number, number, number];
}

/** The settings an operator writes for a managed cluster, parsed as every app parses them. */
function kafkaEnv(user: { mechanism: string; username: string; password: string }) {
  return {
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: caFile,
    KAFKA_SASL_MECHANISM: user.mechanism.toLowerCase(),
    KAFKA_SASL_USERNAME: user.username,
    KAFKA_SASL_PASSWORD: user.password,
  };
}

function clientFor(env: Record<string, string>) {
  const connection = kafkaConnection(parseEnv(KAFKA_CONNECTION_SETTINGS, env));
  return createKafka({
    brokers: connection.brokers,
    security: connection.security,
    clientId: uniqueName('secure-spec'),
    retries: 2,
  });
}

describe('Kafka over SASL_SSL', () => {
  it.each([SCRAM_512, SCRAM_256, PLAIN])(
    'a client with the CA and $mechanism credentials creates the catalog topics, produces and consumes',
    async (user) => {
      const client = clientFor(kafkaEnv(user));
      const catalog = topicCatalog(
        parseEnv(TOPIC_SETTINGS, { HOOKLINE_CONFIG_TOPIC: uniqueName('secure.config') }),
      );
      const spec = catalog.entry('config');
      expect(await ensureTopics(client, [spec])).toEqual([spec.topic]);

      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic: spec.topic, messages: [{ key: 'wh_1', value: user.username }] });
      await producer.disconnect();

      const consumer = client.consumer({
        groupId: uniqueName('secure-group'),
        maxWaitTimeInMs: 100,
      });
      await consumer.connect();
      await consumer.subscribe({ topic: spec.topic, fromBeginning: true });
      const received = new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
      });
      try {
        expect(await received).toBe(user.username);
      } finally {
        await consumer.disconnect();
      }
    },
  );

  it('a wrong SASL password fails the first connection naming KAFKA_SASL_PASSWORD', async () => {
    const client = clientFor({ ...kafkaEnv(SCRAM_512), KAFKA_SASL_PASSWORD: 'wrong' });
    const failure = await ensureTopics(client, []).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KafkaConnectRefusedError);
    expect(String((failure as Error).message)).toMatch(/KAFKA_SASL_PASSWORD/);
  });

  it('a broker certificate from a CA the client does not trust fails naming KAFKA_SSL_CA_FILE', async () => {
    const otherCa = path.join(os.tmpdir(), `${uniqueName('other-ca')}.pem`);
    // The system's CAs do not include the test CA; an unrelated CA stands for "the wrong file".
    writeFileSync(otherCa, (await import('node:tls')).rootCertificates[0] ?? '');
    const client = clientFor({ ...kafkaEnv(SCRAM_512), KAFKA_SSL_CA_FILE: otherCa });
    const failure = await ensureTopics(client, []).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KafkaConnectRefusedError);
    expect(String((failure as Error).message)).toMatch(/KAFKA_SSL_CA_FILE/);
  });
});

describe('PostgreSQL over TLS', () => {
  it('migrations and queries run over verify-full with DATABASE_SSL_CA_FILE', async () => {
    const connection = databaseConnection(`${postgres.url}?sslmode=verify-full`, caFile);
    const applied = await runMigrations({ ...connection, migrations: ALL_MIGRATIONS });
    expect(applied.length).toBeGreaterThan(0);
    const dataSource = await initializeDataSource(
      createDataSource({ url: connection.url, ssl: connection.ssl, migrations: [] }),
    );
    try {
      const [row] = await dataSource.query(
        'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
      );
      expect(row).toEqual({ ssl: true });
    } finally {
      await dataSource.destroy();
    }
  });

  it('the server refuses plaintext: sslmode=disable fails naming DATABASE_URL sslmode', async () => {
    const connection = databaseConnection(`${postgres.url}?sslmode=disable`);
    const failure = await initializeDataSource(
      createDataSource({ url: connection.url, ssl: connection.ssl, migrations: [] }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseConnectRefusedError);
    expect(String((failure as Error).message)).toMatch(/DATABASE_URL sslmode/);
  });

  it('a wrong password fails naming DATABASE_URL', async () => {
    const wrong = postgres.url.replace(`:${postgres.password}@`, ':wrong@');
    const connection = databaseConnection(`${wrong}?sslmode=verify-full`, caFile);
    const failure = await initializeDataSource(
      createDataSource({ url: connection.url, ssl: connection.ssl, migrations: [] }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseConnectRefusedError);
    expect(String((failure as Error).message)).toMatch(/user or password of DATABASE_URL/);
  });

  it('without the CA, verify-full refuses the server certificate naming DATABASE_SSL_CA_FILE', async () => {
    const connection = databaseConnection(`${postgres.url}?sslmode=verify-full`);
    const failure = await initializeDataSource(
      createDataSource({ url: connection.url, ssl: connection.ssl, migrations: [] }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseConnectRefusedError);
    expect(String((failure as Error).message)).toMatch(/DATABASE_SSL_CA_FILE/);
  });
});

describe('the platform through both', () => {
  const masterKey = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
  const databaseUrl = () => `${postgres.url}?sslmode=verify-full`;
  /** Settings every app gets: SASL_SSL, TLS PostgreSQL and this spec's own topics. */
  const platformEnv = (user: { mechanism: string; username: string; password: string }) => ({
    ...kafkaEnv(user),
    DATABASE_URL: databaseUrl(),
    DATABASE_SSL_CA_FILE: caFile,
    HOOKLINE_MASTER_KEY: masterKey,
    HOOKLINE_INGEST_TOPICS: topics.ingest,
    HOOKLINE_CONFIG_TOPIC: topics.config,
    HOOKLINE_DELIVERIES_TOPIC: topics.deliveries,
    HOOKLINE_COMMANDS_TOPIC: topics.commands,
    HOOKLINE_LOG_LEVEL: 'warn',
  });
  const topics = {
    ingest: uniqueName('secure.events'),
    config: uniqueName('secure.config'),
    deliveries: uniqueName('secure.deliveries'),
    commands: uniqueName('secure.commands'),
  };
  const apps: AppProcess[] = [];
  let receiver: HttpsReceiver | undefined;

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.kill('SIGTERM')));
    await receiver?.close();
  });

  async function start(name: string, portSetting: string, env: Record<string, string>) {
    const port = await freePort();
    const app = startAppProcess(name, { ...env, [portSetting]: String(port) }, port);
    apps.push(app);
    return { app, port };
  }

  it('the three apps boot over SASL_SSL and PostgreSQL verify-full and deliver a published event', async () => {
    await runMigrations({
      ...databaseConnection(databaseUrl(), caFile),
      migrations: ALL_MIGRATIONS,
    });
    const { url, ssl } = databaseConnection(databaseUrl(), caFile);
    const dataSource = await initializeDataSource(createDataSource({ url, ssl, migrations: [] }));
    const company = uniqueName('secure-co');
    let key: string;
    try {
      key = (await new ApiKeyStore(dataSource).create({ company, role: 'admin', name: 'secure' }))
        .key;
    } finally {
      await dataSource.destroy();
    }
    receiver = await startHttpsReceiver({ host: '127.0.0.2' });

    const [api, matcher, worker] = await Promise.all([
      start('config-api', 'HOOKLINE_CONFIG_API_PORT', {
        ...platformEnv(SCRAM_256),
        HOOKLINE_CONFIG_API_COMMANDS_GROUP: uniqueName('secure-commands'),
      }),
      start('event-matcher', 'HOOKLINE_EVENT_MATCHER_PORT', {
        ...platformEnv(PLAIN),
        HOOKLINE_EVENT_MATCHER_GROUP: uniqueName('secure-matcher'),
      }),
      start('delivery-worker', 'HOOKLINE_DELIVERY_WORKER_PORT', {
        ...platformEnv(SCRAM_512),
        HOOKLINE_DELIVERY_WORKER_GROUP: uniqueName('secure-worker'),
        HOOKLINE_EGRESS_ALLOW_CIDRS: '127.0.0.2/32',
        HOOKLINE_EXTRA_CA_FILE: caFile,
        HOOKLINE_DELIVERY_POLL_MS: '100',
      }),
    ]);
    await Promise.all([
      api.app.waitForHttp('/ready', 90_000),
      matcher.app.waitForHttp('/ready', 90_000),
      worker.app.waitForHttp('/ready', 90_000),
    ]);
    const ready = (await (await fetch(`http://127.0.0.1:${worker.port}/ready`)).json()) as {
      info?: Record<string, { status: string }>;
    };
    expect(ready.info?.['kafka']?.status).toBe('up');
    expect(ready.info?.['postgres']?.status).toBe('up');

    const created = await fetch(`http://127.0.0.1:${api.port}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'secure',
        url: receiver.url('/secure'),
        type: 'other',
        events: ['scan.completed'],
      }),
    });
    expect(created.status).toBe(201);

    // The publisher library over the same settings: the client is createKafka's.
    const producer = clientFor(kafkaEnv(SCRAM_512)).producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const published = new Set<string>();
    try {
      const publisher = new EventPublisher({ producer, topic: topics.ingest, source: 'secure' });
      // The webhook reaches the matcher through the config topic shortly after it is created;
      // an event published before that matches nothing, so one is published every 2 s.
      const delivered = receiver.waitFor(1, { path: '/secure', timeoutMs: 45_000 });
      let done = false;
      void delivered.finally(() => (done = true)).catch(() => undefined);
      while (!done) {
        const envelope = await publisher.publish('scan.completed', {
          ...samplePayload('scan.completed').data,
          company,
        });
        published.add(envelope.event_id);
        await Promise.race([delivered, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      }
      const [request] = await delivered;
      expect(request?.headers['x-corgea-event']).toBe('scan.completed');
      expect(
        published.has((JSON.parse(request?.body ?? '{}') as { event_id: string }).event_id),
      ).toBe(true);
    } finally {
      await producer.disconnect();
    }
  });

  it('a wrong SASL password stops an app at boot with a message naming KAFKA_SASL_PASSWORD', async () => {
    const { app } = await start('delivery-worker', 'HOOKLINE_DELIVERY_WORKER_PORT', {
      ...platformEnv({ ...SCRAM_512, password: 'wrong' }),
      HOOKLINE_DELIVERY_WORKER_GROUP: uniqueName('secure-worker'),
    });
    const code = await new Promise<number | null>((resolve) => {
      if (app.child.exitCode !== null) resolve(app.child.exitCode);
      else app.child.once('exit', resolve);
    });
    expect(code).not.toBe(0);
    expect(app.output()).toMatch(/the broker refused the SASL credentials .*KAFKA_SASL_PASSWORD/);
  });
});
