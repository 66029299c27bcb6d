// End-to-end throughput of the event matcher as a process: events produced to an ingest topic,
// DeliveryRequested read back from the delivery topic. Starts the local infrastructure when none
// runs (and stops what it started). Prints numbers; asserts nothing.
import { SAMPLE_ENVELOPES, type WebhookConfigRecord } from '@hookline/contracts';
import { createKafka } from '@hookline/shared-kafka';
import { freePort, startAppProcess, uniqueName } from '@hookline/shared-testing';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { infraDown, infraUp } from '../infra';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const WEBHOOKS = 10_000;
const COMPANIES = 100;

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const infra = await infraUp({ quiet: true });
  try {
    execFileSync(
      process.execPath,
      [path.join(root, 'tools/scripts/build-app.mjs'), 'apps/event-matcher'],
      {
        stdio: 'ignore',
      },
    );
    const kafka = createKafka({
      brokers: infra.kafkaBrokers.split(','),
      clientId: 'matcher-e2e-bench',
    });
    const topics = {
      ingest: uniqueName('bench.ingest'),
      config: uniqueName('bench.config'),
      deliveries: uniqueName('bench.deliveries'),
    };
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.ingest, numPartitions: 6 },
        { topic: topics.deliveries, numPartitions: 6 },
        {
          topic: topics.config,
          numPartitions: 6,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // Each company has 100 webhooks; ten of them subscribe to scan.completed with no filter.
    const records: WebhookConfigRecord[] = Array.from({ length: WEBHOOKS }, (_, i) => ({
      schemaVersion: 1,
      webhookId: `wh_bench${i}`,
      company: `company-${i % COMPANIES}`,
      name: `bench ${i}`,
      url: 'https://hooks.example.com/bench',
      type: 'other',
      events: Math.floor(i / COMPANIES) % 10 === 0 ? ['scan.completed'] : ['user.login'],
      projectIds: [],
      statusFilter: [],
      status: 'active',
      version: 1,
      updatedAt: '2026-01-01T00:00:00.000Z',
      bodyTemplate: null,
      signingSecret: null,
      headers: [],
    }));
    for (let i = 0; i < records.length; i += 1000) {
      await producer.send({
        topic: topics.config,
        messages: records
          .slice(i, i + 1000)
          .map((r) => ({ key: r.webhookId, value: JSON.stringify(r) })),
        acks: -1,
      });
    }
    const perEvent = records.filter(
      (r) => r.company === 'company-0' && r.events.includes('scan.completed'),
    ).length;

    const port = await freePort();
    const indexStart = Date.now();
    const matcher = startAppProcess(
      'event-matcher',
      {
        KAFKA_BROKERS: infra.kafkaBrokers,
        HOOKLINE_EVENT_MATCHER_PORT: String(port),
        HOOKLINE_INGEST_TOPICS: topics.ingest,
        HOOKLINE_CONFIG_TOPIC: topics.config,
        HOOKLINE_DELIVERIES_TOPIC: topics.deliveries,
        HOOKLINE_DEAD_LETTER_TOPIC: uniqueName('bench.dlq'),
        HOOKLINE_EVENT_MATCHER_GROUP: uniqueName('bench-matcher'),
        HOOKLINE_LOG_LEVEL: 'warn',
      },
      port,
    );
    try {
      await matcher.waitForHttp('/ready', 120_000);
      const indexMs = Date.now() - indexStart;

      let received = 0;
      let lastAt = 0;
      const reader = kafka.consumer({ groupId: uniqueName('bench-reader') });
      await reader.connect();
      await reader.subscribe({ topic: topics.deliveries, fromBeginning: true });
      await reader.run({
        partitionsConsumedConcurrently: 6,
        eachBatch: async ({ batch }) => {
          received += batch.messages.length;
          lastAt = Date.now();
        },
      });

      const sample = SAMPLE_ENVELOPES['scan.completed'];
      const started = Date.now();
      for (let i = 0; i < EVENTS; i += 1000) {
        await producer.send({
          topic: topics.ingest,
          messages: Array.from({ length: Math.min(1000, EVENTS - i) }, (_, j) => {
            const company = `company-${(i + j) % COMPANIES}`;
            return {
              key: company,
              value: JSON.stringify({
                ...sample,
                event_id: randomUUID(),
                data: { ...sample.data, company },
              }),
            };
          }),
          acks: -1,
        });
      }
      const expected = EVENTS * perEvent;
      const deadline = Date.now() + 120_000;
      while (received < expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await reader.disconnect();
      const seconds = (lastAt - started) / 1000;
      console.log(`event matcher end to end (ingest topic -> delivery topic), one process`);
      console.log(
        `webhooks: ${WEBHOOKS} across ${COMPANIES} companies; index ready ${(indexMs / 1000).toFixed(1)} s after start`,
      );
      console.log(`events: ${EVENTS}, requests expected ${expected}, received ${received}`);
      if (received < expected) console.log('INCOMPLETE: not every request arrived within 120 s');
      console.log(
        `throughput: ${Math.round(EVENTS / seconds)} events/s, ${Math.round(received / seconds)} requests/s (${seconds.toFixed(1)} s)`,
      );
    } finally {
      await matcher.kill('SIGTERM');
      await producer.disconnect();
    }
  } finally {
    await infraDown(infra.started, { quiet: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
