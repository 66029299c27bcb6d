import { ACCESS_MIGRATIONS, ApiKeyStore } from '@hookline/access-data-access';
import {
  type DeliveryLogEvent,
  deliveryIdFor,
  type EventEnvelope,
  type EventType,
  KAFKA_TOPICS,
  SAMPLE_ENVELOPES,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { DELIVERIES_MIGRATIONS } from '@hookline/deliveries-data-access';
import { type AppName, parseEnv } from '@hookline/shared-config';
import { generateMasterKey } from '@hookline/shared-crypto';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import {
  createKafka,
  ensureTopics,
  followTopic,
  TOPIC_SETTINGS,
  topicCatalog,
} from '@hookline/shared-kafka';
import {
  type AppProcess,
  createTestDatabase,
  freePort,
  type HttpsReceiver,
  integrationEnv,
  startAppProcess,
  startHttpsReceiver,
  type TestDatabase,
  uniqueName,
} from '@hookline/shared-testing';
import { WEBHOOKS_MIGRATIONS } from '@hookline/webhooks-data-access';
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';

const MIGRATIONS = [
  ...EVENT_STORE_MIGRATIONS,
  ...WEBHOOKS_MIGRATIONS,
  ...ACCESS_MIGRATIONS,
  ...DELIVERIES_MIGRATIONS,
];

export interface DeliveryRow {
  delivery_id: string;
  webhook_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

export interface PlatformOptions {
  /** Settings of the delivery worker on top of the harness's. */
  readonly worker?: Readonly<Record<string, string>>;
  /** Settings of the event matcher on top of the harness's. */
  readonly matcher?: Readonly<Record<string, string>>;
  /** Settings of the config API on top of the harness's. */
  readonly configApi?: Readonly<Record<string, string>>;
  /** Partitions of the ingest and deliveries topics; default 2. */
  readonly partitions?: number;
  /** How long each app may take to report ready when it starts; default 90 s. */
  readonly readyTimeoutMs?: number;
  /**
   * Start the config API, and wait until it is ready, before the other two: on a broker that has
   * never seen the platform, its topics then exist before the matcher and the worker follow them.
   */
  readonly configApiFirst?: boolean;
  /** The Kafka cluster to run on; default the one `KAFKA_BROKERS` names. */
  readonly kafkaBrokers?: readonly string[];
  /**
   * Replication factor and `min.insync.replicas` of every topic, the platform's own and the
   * apps' (given to them as HOOKLINE_TOPIC_REPLICATION_FACTOR and
   * HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS, so the topic catalog creates and checks them so); default
   * 1 and 1, a single broker.
   */
  readonly replication?: { readonly factor: number; readonly minInsync: number };
}

/** The three app processes, by the name `startAppProcess` runs them under. */
export type PlatformApp = AppName;
export const PLATFORM_APPS: readonly PlatformApp[] = [
  'config-api',
  'event-matcher',
  'delivery-worker',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The three apps as separate processes (built `dist/apps/*`), on a database of their own and
 * topics of their own, with an HTTPS receiver on 127.0.0.2 that the worker is allowed to reach
 * (and nothing else private). Tests drive it through REST and the ingest topic, and read the
 * delivery log from PostgreSQL.
 */
export class Platform {
  readonly company = uniqueName('comp');
  readonly topics = {
    ingest: uniqueName('e2e.ingest'),
    deliveries: uniqueName('e2e.deliveries'),
    commands: uniqueName('e2e.commands'),
    deliveriesDlq: uniqueName('e2e.deliveries.dlq'),
  };
  /** `HOOKLINE_MASTER_KEY` of the apps: one key, `k1`. */
  readonly masterKey = generateMasterKey('k1');
  /** The consumer groups of the apps; a restarted app rejoins its group and goes on from its committed offsets. */
  readonly groups = {
    worker: uniqueName('e2e-worker'),
    matcher: uniqueName('e2e-matcher'),
    commands: uniqueName('e2e-commands'),
  };
  private db!: TestDatabase;
  private kafka!: Kafka;
  private producer!: Producer;
  /** By app and replica (`config-api`, `config-api#1`, ...): several processes of one app share its group. */
  private readonly processes = new Map<string, AppProcess>();
  /** Each process keeps its HTTP port across restarts, as it would behind a supervisor. */
  private readonly ports = new Map<string, number>();
  receiver!: HttpsReceiver;
  dataSource!: DataSource;
  apiUrl = '';
  private key = '';

  constructor(private readonly options: PlatformOptions = {}) {}

  /** The company's admin API key (for a browser to sign in with). */
  get adminKey(): string {
    return this.key;
  }

  async start(): Promise<this> {
    this.db = await createTestDatabase('e2e');
    await runMigrations({ url: this.db.url, migrations: MIGRATIONS });
    this.dataSource = await createDataSource({
      url: this.db.url,
      migrations: MIGRATIONS,
    }).initialize();
    this.key = (
      await new ApiKeyStore(this.dataSource).create({
        company: this.company,
        role: 'admin',
        name: 'e2e',
      })
    ).key;
    this.receiver = await startHttpsReceiver({ host: '127.0.0.2' });

    this.kafka = createKafka({ brokers: this.brokers, clientId: 'platform-e2e' });
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    // The platform's topics as the apps' catalog describes them, from the same settings, created
    // as the apps create theirs (waiting out a new topic's moment without a leader).
    const catalog = topicCatalog(
      parseEnv(TOPIC_SETTINGS, {
        ...this.topicSettings(),
        HOOKLINE_INGEST_TOPICS: this.topics.ingest,
        HOOKLINE_DELIVERIES_TOPIC: this.topics.deliveries,
        HOOKLINE_COMMANDS_TOPIC: this.topics.commands,
        HOOKLINE_DELIVERIES_DEAD_LETTER_TOPIC: this.topics.deliveriesDlq,
      }),
    );
    const partitions = this.options.partitions ?? 2;
    const ingest = catalog.topics.find((topic) => topic.role === 'ingest');
    if (ingest === undefined) throw new Error('the topic catalog has no ingest topic');
    await ensureTopics(this.kafka, [
      { ...ingest, numPartitions: partitions },
      { ...catalog.entry('deliveries'), numPartitions: partitions },
      { ...catalog.entry('commands'), numPartitions: 1 },
    ]);

    this.apiUrl = `http://127.0.0.1:${await this.port('config-api')}`;
    if (this.options.configApiFirst === true) await this.startApp('config-api');
    const started = await Promise.allSettled(
      PLATFORM_APPS.filter((app) => !this.processes.has(app)).map((app) => this.startApp(app)),
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      // An app that did not come up leaves none running behind it: those that did would go on
      // polling a database and topics their caller is about to remove, and load the machine.
      await Promise.all([...this.processes.values()].map((process) => process.kill('SIGKILL')));
      throw failed.reason;
    }
    return this;
  }

  /** The Kafka cluster the platform runs on. */
  get brokers(): string[] {
    return [...(this.options.kafkaBrokers ?? integrationEnv().kafkaBrokers)];
  }

  /** The HTTP port of the app's process (replica 0 unless given), the same across restarts. */
  async port(app: PlatformApp, replica = 0): Promise<number> {
    const key = processKey(app, replica);
    let port = this.ports.get(key);
    if (port === undefined) {
      port = await freePort();
      this.ports.set(key, port);
    }
    return port;
  }

  /** The app's running (or last) process: replica 0 unless given. */
  app(app: PlatformApp, replica = 0): AppProcess {
    const process = this.processes.get(processKey(app, replica));
    if (process === undefined) throw new Error(`${processKey(app, replica)} was never started`);
    return process;
  }

  /** How many processes of the app were started (replicas 0 to n - 1). */
  replicas(app: PlatformApp): number {
    let count = 0;
    while (this.processes.has(processKey(app, count))) count += 1;
    return count;
  }

  /** The delivery worker's running (or last) process. */
  get worker(): AppProcess {
    return this.app('delivery-worker');
  }

  /** The config API process's pid (to read its memory from /proc). */
  configApiPid(): number {
    const pid = this.app('config-api').child.pid;
    if (pid === undefined) throw new Error('the config API has no pid');
    return pid;
  }

  /** The platform's database URL, for tools run against it. */
  get databaseUrl(): string {
    return this.db.url;
  }

  /**
   * Starts (or starts again) the app's process; resolves once it is ready. `env` overrides its
   * settings for this start (e.g. another HOOKLINE_MASTER_KEY).
   */
  async startApp(
    app: PlatformApp,
    env: Readonly<Record<string, string>> = {},
    /** Another process of the app (1, 2, ...): same settings and group, a port of its own. */
    replica = 0,
  ): Promise<AppProcess> {
    const port = await this.port(app, replica);
    const started = startAppProcess(
      app,
      {
        KAFKA_BROKERS: this.brokers.join(','),
        HOOKLINE_LOG_LEVEL: 'warn',
        ...this.topicSettings(),
        ...this.settings(app, port),
        ...env,
      },
      port,
    );
    this.processes.set(processKey(app, replica), started);
    await started.waitForHttp('/ready', this.options.readyTimeoutMs ?? 90_000);
    return started;
  }

  /** Starts (or starts again) the delivery worker process; resolves once it is ready. */
  startWorker(env: Readonly<Record<string, string>> = {}): Promise<AppProcess> {
    return this.startApp('delivery-worker', env);
  }

  /** The replication settings of the topic catalog every app reads. */
  private topicSettings(): Record<string, string> {
    const replication = this.options.replication ?? { factor: 1, minInsync: 1 };
    return {
      HOOKLINE_TOPIC_REPLICATION_FACTOR: String(replication.factor),
      HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: String(replication.minInsync),
    };
  }

  /** Each app's settings: its port, the platform's topics and groups, the test's own. */
  private settings(app: PlatformApp, port: number): Record<string, string> {
    switch (app) {
      case 'config-api':
        return {
          DATABASE_URL: this.db.url,
          HOOKLINE_MASTER_KEY: this.masterKey,
          HOOKLINE_CONFIG_API_PORT: String(port),
          HOOKLINE_COMMANDS_TOPIC: this.topics.commands,
          HOOKLINE_DELIVERIES_TOPIC: this.topics.deliveries,
          HOOKLINE_CONFIG_API_COMMANDS_GROUP: this.groups.commands,
          ...this.options.configApi,
        };
      case 'event-matcher':
        return {
          HOOKLINE_EVENT_MATCHER_PORT: String(port),
          HOOKLINE_INGEST_TOPICS: this.topics.ingest,
          HOOKLINE_DELIVERIES_TOPIC: this.topics.deliveries,
          HOOKLINE_EVENT_MATCHER_GROUP: this.groups.matcher,
          ...this.options.matcher,
        };
      case 'delivery-worker':
        return {
          DATABASE_URL: this.db.url,
          HOOKLINE_MASTER_KEY: this.masterKey,
          HOOKLINE_DELIVERY_WORKER_PORT: String(port),
          HOOKLINE_DELIVERIES_TOPIC: this.topics.deliveries,
          HOOKLINE_COMMANDS_TOPIC: this.topics.commands,
          HOOKLINE_DELIVERIES_DEAD_LETTER_TOPIC: this.topics.deliveriesDlq,
          HOOKLINE_DELIVERY_WORKER_GROUP: this.groups.worker,
          HOOKLINE_EGRESS_ALLOW_CIDRS: '127.0.0.2/32',
          HOOKLINE_EXTRA_CA_FILE: this.receiver.ca.caFile,
          HOOKLINE_DELIVERY_POLL_MS: '100',
          ...this.options.worker,
        };
    }
  }

  /** Stops the apps (SIGKILL: without their drain) and removes the database. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await Promise.all([...this.processes.values()].map((process) => process.kill(signal)));
    await this.producer?.disconnect();
    await this.receiver?.close();
    await this.dataSource?.destroy();
    await this.db?.drop();
  }

  /** Calls the config API as the company's admin. */
  async api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T };
  }

  /**
   * Creates a webhook for `path` on the receiver and waits until the matcher and the worker
   * have its configuration (the relay publishes it to webhooks.config, both follow it).
   */
  async createWebhook(
    path: string,
    fields: Record<string, unknown> = {},
  ): Promise<{ id: string; secret?: string }> {
    const created = await this.api<{ id: string; secret?: string }>('POST', '/v1/webhooks', {
      name: `e2e ${path}`,
      url: this.receiver.url(path),
      type: 'other',
      events: ['scan.completed'],
      ...fields,
    });
    if (created.status !== 201) {
      throw new Error(`create webhook: ${created.status} ${JSON.stringify(created.body)}`);
    }
    await sleep(1500);
    return created.body;
  }

  /** Publishes a sample event of the company to the ingest topic; returns its envelope. */
  async publish(
    eventType: EventType = 'scan.completed',
    data: Record<string, unknown> = {},
  ): Promise<EventEnvelope> {
    const envelope = this.envelope(eventType, data);
    await this.producer.send({
      topic: this.topics.ingest,
      messages: [{ key: this.company, value: JSON.stringify(envelope) }],
      acks: -1,
    });
    return envelope;
  }

  /** A sample event of the company with a new id, not yet published. */
  envelope(
    eventType: EventType = 'scan.completed',
    data: Record<string, unknown> = {},
  ): EventEnvelope {
    const sample = SAMPLE_ENVELOPES[eventType];
    return {
      ...sample,
      event_id: randomUUID(),
      timestamp: new Date().toISOString(),
      data: { ...sample.data, ...data, company: this.company },
    } as EventEnvelope;
  }

  /** The webhook's latest record on `webhooks.config`, as the matcher and the worker read it. */
  async configRecord(webhookId: string): Promise<WebhookConfigRecord | null | undefined> {
    let latest: WebhookConfigRecord | null | undefined;
    const follower = await followTopic(this.kafka, {
      topic: KAFKA_TOPICS.webhooksConfig,
      groupIdPrefix: uniqueName('e2e-config-reader'),
      onMessage: (message) => {
        if (message.key?.toString('utf8') !== webhookId) return;
        latest = message.value
          ? (JSON.parse(message.value.toString('utf8')) as WebhookConfigRecord)
          : null;
      },
    });
    await follower.caughtUp;
    await follower.stop();
    return latest;
  }

  /** Produces raw values to one of the platform's topics, as a buggy producer might. */
  async produce(topic: string, key: string, values: ReadonlyArray<string>): Promise<void> {
    await this.producer.send({
      topic,
      messages: values.map((value) => ({ key, value })),
      acks: -1,
    });
  }

  /** Reads a topic from the beginning until `count` values arrived (or `timeoutMs` passed). */
  async readTopic(topic: string, count: number, timeoutMs = 20_000): Promise<string[]> {
    const values: string[] = [];
    const consumer = this.kafka.consumer({
      groupId: uniqueName('e2e-reader'),
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString('utf8') ?? '');
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (values.length < count && Date.now() < deadline) await sleep(100);
    await consumer.disconnect();
    return values;
  }

  deliveryId(envelope: EventEnvelope, webhookId: string): string {
    return deliveryIdFor(envelope.event_id, webhookId);
  }

  /** The delivery's log, oldest first. */
  async log(deliveryId: string): Promise<DeliveryLogEvent[]> {
    const rows: Array<{ data: DeliveryLogEvent }> = await this.dataSource.query(
      `SELECT data FROM delivery_events WHERE delivery_id = $1 ORDER BY global_position`,
      [deliveryId],
    );
    return rows.map((row) => row.data);
  }

  async delivery(deliveryId: string): Promise<DeliveryRow | undefined> {
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT delivery_id, webhook_id, status, attempts, last_error FROM deliveries WHERE delivery_id = $1`,
      [deliveryId],
    );
    return rows[0];
  }

  /** Waits until the delivery is in one of `statuses`; returns its row. */
  async waitForStatus(
    deliveryId: string,
    statuses: readonly string[],
    timeoutMs = 30_000,
  ): Promise<DeliveryRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.delivery(deliveryId);
      if (row && statuses.includes(row.status)) return row;
      if (Date.now() > deadline) {
        throw new Error(
          `delivery ${deliveryId} is ${row?.status ?? 'not recorded'} after ${timeoutMs} ms, expected ${statuses.join(' or ')}\n${this.worker.output().slice(-3000)}`,
        );
      }
      await sleep(100);
    }
  }

  /** Calls the config API as the company's admin and returns the body as text (e.g. a CSV). */
  async apiText(
    method: string,
    path: string,
  ): Promise<{ status: number; contentType: string | null; text: string }> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}` },
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      text: await response.text(),
    };
  }
}

const processKey = (app: PlatformApp, replica: number): string =>
  replica === 0 ? app : `${app}#${replica}`;
