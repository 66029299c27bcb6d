// End-to-end throughput of the delivery worker as a process: DeliveryRequested produced to a
// deliveries topic, calls counted at a local HTTPS receiver (distinct X-Corgea-Delivery ids).
// Then the same receiver's ceiling for bare axios posts of the same body at the same
// concurrency, and the ratio of the two. Starts the local infrastructure when none runs (and
// stops what it started). Prints numbers; asserts nothing.
//
//   npm run bench:delivery -- --count=2000 --webhooks=50 --concurrency=64 [--signed]
//
// Each flag also reads from the environment: BENCH_COUNT, BENCH_WEBHOOKS, BENCH_CONCURRENCY,
// BENCH_ENDPOINT_CONCURRENCY, BENCH_SIGNED=1; BENCH_LOG_LEVEL sets the worker's log level and
// BENCH_WORKER_NODE_OPTIONS its NODE_OPTIONS (e.g. `--require` of a profiler preload).
import {
  deliveryIdFor,
  type DeliveryRequested,
  type EventEnvelope,
  SAMPLE_ENVELOPES,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { DELIVERIES_MIGRATIONS } from '@hookline/deliveries-data-access';
import { generateMasterKey, parseMasterKeys, webhookSecretAad } from '@hookline/shared-crypto';
import { EVENT_STORE_MIGRATIONS, runMigrations } from '@hookline/shared-event-store';
import { createKafka } from '@hookline/shared-kafka';
import { generateSecret } from '@hookline/shared-signing';
import {
  createTestDatabase,
  freePort,
  startAppProcess,
  startHttpsReceiver,
  uniqueName,
} from '@hookline/shared-testing';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { infraDown, infraUp } from '../infra';
import { barePosts, DELIVERY_HEADER, perSecond, seconds, setting, sleep } from './bench-support';

const PARTITIONS = 6;
const PRODUCE_BATCH = 1000;
const POLL_MS = 50;
const TIMEOUT_MS = Number(process.env['BENCH_TIMEOUT_S'] ?? 600) * 1000;

const COUNT = setting('count', 'BENCH_COUNT', 20_000);
const WEBHOOKS = setting('webhooks', 'BENCH_WEBHOOKS', 50);
const CONCURRENCY = setting('concurrency', 'BENCH_CONCURRENCY', 64);
const ENDPOINT_CONCURRENCY = setting(
  'endpoint-concurrency',
  'BENCH_ENDPOINT_CONCURRENCY',
  Math.min(8, CONCURRENCY),
);
const SIGNED = process.argv.includes('--signed') || process.env['BENCH_SIGNED'] === '1';
const COMPANY = 'bench-company';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const infra = await infraUp({ quiet: true });
  // createTestDatabase reads the server from the environment, as integration specs do.
  process.env['KAFKA_BROKERS'] = infra.kafkaBrokers;
  process.env['DATABASE_URL'] = infra.databaseUrl;
  try {
    execFileSync(
      process.execPath,
      [path.join(root, 'tools/scripts/build-app.mjs'), 'apps/delivery-worker'],
      { stdio: 'ignore' },
    );
    const db = await createTestDatabase('bench_delivery');
    const receiver = await startHttpsReceiver({ host: '127.0.0.2' });
    try {
      await runMigrations({
        url: db.url,
        migrations: [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS],
      });
      await run(infra.kafkaBrokers, db.url, receiver);
    } finally {
      await receiver.close();
      await db.drop();
    }
  } finally {
    await infraDown(infra.started, { quiet: true });
  }
}

async function run(
  brokers: string,
  databaseUrl: string,
  receiver: Awaited<ReturnType<typeof startHttpsReceiver>>,
): Promise<void> {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'delivery-bench' });
  const topics = {
    deliveries: uniqueName('bench.deliveries'),
    config: uniqueName('bench.config'),
    commands: uniqueName('bench.commands'),
  };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.deliveries, numPartitions: PARTITIONS },
      { topic: topics.commands, numPartitions: PARTITIONS },
      {
        topic: topics.config,
        numPartitions: PARTITIONS,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
  });
  await admin.disconnect();

  const masterKey = generateMasterKey('bench');
  const keyRing = parseMasterKeys(masterKey);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const records: WebhookConfigRecord[] = Array.from({ length: WEBHOOKS }, (_, i) => {
    const webhookId = `wh_bench${i}`;
    return {
      schemaVersion: 1,
      webhookId,
      company: COMPANY,
      name: `bench ${i}`,
      url: receiver.url(`/hooks/${i}`),
      type: 'other',
      events: ['scan.completed'],
      projectIds: [],
      statusFilter: [],
      status: 'active',
      version: 1,
      updatedAt: new Date().toISOString(),
      bodyTemplate: null,
      signingSecret: SIGNED ? keyRing.seal(generateSecret(), webhookSecretAad(webhookId)) : null,
      headers: [],
    };
  });
  await producer.send({
    topic: topics.config,
    messages: records.map((r) => ({ key: r.webhookId, value: JSON.stringify(r) })),
    acks: -1,
  });

  const port = await freePort();
  const bootStart = Date.now();
  const worker = startAppProcess(
    'delivery-worker',
    {
      KAFKA_BROKERS: brokers,
      DATABASE_URL: databaseUrl,
      HOOKLINE_MASTER_KEY: masterKey,
      HOOKLINE_DELIVERY_WORKER_PORT: String(port),
      HOOKLINE_DELIVERIES_TOPIC: topics.deliveries,
      HOOKLINE_CONFIG_TOPIC: topics.config,
      HOOKLINE_COMMANDS_TOPIC: topics.commands,
      HOOKLINE_DELIVERY_WORKER_GROUP: uniqueName('bench-worker'),
      HOOKLINE_EGRESS_ALLOW_CIDRS: '127.0.0.2/32',
      HOOKLINE_EXTRA_CA_FILE: receiver.ca.caFile,
      HOOKLINE_DELIVERY_CONCURRENCY: String(CONCURRENCY),
      HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY: String(ENDPOINT_CONCURRENCY),
      HOOKLINE_TOPIC_PARTITIONS: String(PARTITIONS),
      HOOKLINE_LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
      NODE_OPTIONS: process.env['BENCH_WORKER_NODE_OPTIONS'] ?? '',
    },
    port,
  );
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  let bodyBytes = 0;
  try {
    await worker.waitForHttp('/ready', 120_000);
    const bootMs = Date.now() - bootStart;

    // Progress of the two stages, sampled from the worker's own tables while it runs.
    let intakeDoneAt: number | undefined;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = (await db.query<{ n: string }>('SELECT count(*) AS n FROM delivery_requests'))
          .rows;
        if (Number(row?.n ?? 0) >= COUNT) {
          intakeDoneAt = Date.now();
          return;
        }
        await sleep(200);
      }
    })();

    const started = Date.now();
    const sample = SAMPLE_ENVELOPES['scan.completed'];
    for (let i = 0; i < COUNT; i += PRODUCE_BATCH) {
      await producer.send({
        topic: topics.deliveries,
        messages: Array.from({ length: Math.min(PRODUCE_BATCH, COUNT - i) }, (_, j) => {
          const webhookId = `wh_bench${(i + j) % WEBHOOKS}`;
          const eventId = randomUUID();
          const envelope = {
            ...sample,
            event_id: eventId,
            timestamp: new Date().toISOString(),
            data: { ...sample.data, company: COMPANY },
          } as EventEnvelope;
          const request: DeliveryRequested = {
            schemaVersion: 1,
            deliveryId: deliveryIdFor(eventId, webhookId),
            eventId,
            webhookId,
            webhookVersion: 1,
            company: COMPANY,
            eventType: 'scan.completed',
            envelope,
            trigger: 'first',
            requestedAt: new Date().toISOString(),
            correlationId: eventId,
          };
          return { key: webhookId, value: JSON.stringify(request) };
        }),
        acks: -1,
      });
    }
    const producedMs = Date.now() - started;

    const distinct = new Set<string>();
    let seen = 0;
    let lastAt = started;
    let firstAt: number | undefined;
    const deadline = started + TIMEOUT_MS;
    while (distinct.size < COUNT && Date.now() < deadline) {
      const requests = receiver.requests();
      for (; seen < requests.length; seen += 1) {
        const request = requests[seen];
        if (!request) continue;
        firstAt ??= request.receivedAt;
        bodyBytes = request.rawBody.length;
        const id = request.headers[DELIVERY_HEADER];
        if (typeof id === 'string' && !distinct.has(id)) {
          distinct.add(id);
          lastAt = request.receivedAt;
        }
      }
      if (worker.child.exitCode !== null) break;
      await sleep(POLL_MS);
    }
    sampling = false;
    await sampler;
    const total = receiver.requests().length;
    const workerMs = lastAt - started;
    const workerRate = perSecond(distinct.size, workerMs);

    console.log('delivery worker end to end (deliveries topic -> HTTPS receiver), one process');
    console.log(
      `settings: N=${COUNT} W=${WEBHOOKS} concurrency=${CONCURRENCY} endpoint concurrency=${ENDPOINT_CONCURRENCY} ` +
        `body=${bodyBytes} bytes ${SIGNED ? 'signed (sealed secrets opened and HMAC per call)' : 'unsigned'} partitions=${PARTITIONS}`,
    );
    console.log(
      `worker ready ${seconds(bootMs)} after start; produced N in ${seconds(producedMs)}`,
    );
    if (intakeDoneAt !== undefined) {
      console.log(
        `intake: all N recorded after ${seconds(intakeDoneAt - started)} (${perSecond(COUNT, intakeDoneAt - started)}/s)`,
      );
    }
    if (firstAt !== undefined) console.log(`first call at ${seconds(firstAt - started)}`);
    console.log(
      `worker: ${distinct.size} distinct deliveries in ${seconds(workerMs)} = ${workerRate} deliveries/s; ` +
        `duplicates ${total - distinct.size}`,
    );
    if (distinct.size < COUNT) {
      console.log(`INCOMPLETE: ${distinct.size} of ${COUNT} arrived; worker output:`);
      console.log(worker.output().slice(-4000));
    }

    receiver.reset();
    const bareMs = await barePosts(receiver, {
      count: COUNT,
      concurrency: CONCURRENCY,
      bodyBytes,
      paths: WEBHOOKS,
    });
    const bareRate = perSecond(COUNT, bareMs);
    console.log(
      `bare axios: ${COUNT} posts of ${bodyBytes} bytes, ${CONCURRENCY} at once, keep-alive, in ${seconds(bareMs)} = ${bareRate} posts/s`,
    );
    console.log(`ratio worker/bare: ${(workerRate / bareRate).toFixed(3)}`);
  } finally {
    await db.end();
    await worker.kill('SIGTERM');
    await producer.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
