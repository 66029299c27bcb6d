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
import {
  type AppProcess,
  createTestCa,
  freePort,
  startAppProcess,
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

      const consumer = client.consumer({ groupId: uniqueName('secure-group') });
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

describe('the delivery worker through both', () => {
  const workerEnv = (user: { mechanism: string; username: string; password: string }) => ({
    ...kafkaEnv(user),
    DATABASE_URL: `${postgres.url}?sslmode=verify-full`,
    DATABASE_SSL_CA_FILE: caFile,
    HOOKLINE_MASTER_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    HOOKLINE_DELIVERY_WORKER_GROUP: uniqueName('secure-worker'),
    HOOKLINE_LOG_LEVEL: 'warn',
  });
  let worker: AppProcess | undefined;

  afterEach(async () => {
    await worker?.kill('SIGTERM');
    worker = undefined;
  });

  it('boots and is ready over SASL_SSL (SCRAM-SHA-512) and PostgreSQL verify-full', async () => {
    await runMigrations({
      ...databaseConnection(`${postgres.url}?sslmode=verify-full`, caFile),
      migrations: ALL_MIGRATIONS,
    });
    const port = await freePort();
    worker = startAppProcess(
      'delivery-worker',
      { ...workerEnv(SCRAM_512), HOOKLINE_DELIVERY_WORKER_PORT: String(port) },
      port,
    );
    await worker.waitForHttp('/ready', 60_000);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as {
      info?: Record<string, { status: string }>;
    };
    expect(ready.info?.['kafka']?.status).toBe('up');
    expect(ready.info?.['postgres']?.status).toBe('up');
  });

  it('a wrong SASL password stops it at boot with a message naming KAFKA_SASL_PASSWORD', async () => {
    const port = await freePort();
    worker = startAppProcess(
      'delivery-worker',
      {
        ...workerEnv({ ...SCRAM_512, password: 'wrong' }),
        HOOKLINE_DELIVERY_WORKER_PORT: String(port),
      },
      port,
    );
    const code = await new Promise<number | null>((resolve) => worker?.child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(worker.output()).toMatch(
      /the broker refused the SASL credentials .*KAFKA_SASL_PASSWORD/,
    );
  });
});
