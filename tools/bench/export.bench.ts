// Memory and speed of the delivery history's CSV export: a fresh database filled set-based with
// 100,000 attempts (50,000 deliveries, each a failed call then a successful retry, with
// realistic request and response details), then `DeliveryQueries.exportAttempts` streamed
// through csv-stringify into a byte-counting sink, RSS sampled every 50 ms. Starts the local
// PostgreSQL when none runs (and stops what it started). Prints numbers; asserts nothing.
//
//   npm run bench:export -- --attempts=100000
//
// The flag also reads from the environment: BENCH_ATTEMPTS (even: two attempts per delivery).
import {
  DELIVERIES_MIGRATIONS,
  DeliveryQueries,
  EXPORT_COLUMNS,
} from '@hookline/deliveries-data-access';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import { createTestDatabase } from '@hookline/shared-testing';
import { stringify } from 'csv-stringify';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import { infraDown, infraUp } from '../infra';

const COMPANY = 'bench-company';
const WEBHOOKS = 20;
const SAMPLE_MS = 50;

function setting(flag: string, envName: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${flag}=`));
  const raw = arg ? arg.slice(flag.length + 3) : process.env[envName];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 2 || value % 2 !== 0) {
    throw new Error(`--${flag} / ${envName} must be an even integer >= 2, got ${raw}`);
  }
  return value;
}

const ATTEMPTS = setting('attempts', 'BENCH_ATTEMPTS', 100_000);
const DELIVERIES = ATTEMPTS / 2;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// Every delivery: DeliveryRequested, AttemptFailed (503), RetryScheduled, AttemptSucceeded, as
// the worker writes them; one `deliveries` row in its final state. One statement each.
const FILL_EVENTS = `
  WITH d AS (
    SELECT i,
           'dlv_' || md5('d' || i)::uuid AS delivery_id,
           md5('e' || i)::uuid::text AS event_id,
           'wh_bench' || (i % ${WEBHOOKS}) AS webhook_id,
           timestamptz '2026-11-01T00:00:00Z' + i * interval '10 milliseconds' AS created_at
      FROM generate_series(1, $1::int) AS g(i)
  ), steps AS (
    SELECT d.*, s.n, s.type, s.attempt, s.trigger, d.created_at + s.n * interval '1 second' AS at
      FROM d CROSS JOIN (VALUES (0, 'DeliveryRequested', NULL::int, 'first'),
                                (1, 'AttemptFailed', 1, 'first'),
                                (2, 'RetryScheduled', 2, 'retry'),
                                (3, 'AttemptSucceeded', 2, 'retry')) AS s(n, type, attempt, trigger)
  )
  INSERT INTO delivery_events
    (idempotency_key, delivery_id, webhook_id, company, type, schema_version, data, recorded_at)
  SELECT delivery_id || ':' || type || ':' || n, delivery_id, webhook_id, $2::text, type, 1,
         jsonb_build_object(
           'schemaVersion', 1, 'type', type, 'deliveryId', delivery_id, 'webhookId', webhook_id,
           'company', $2::text, 'eventId', event_id, 'eventType', 'scan.completed',
           'attempt', attempt, 'trigger', trigger,
           'statusCode', CASE type WHEN 'AttemptFailed' THEN 503 WHEN 'AttemptSucceeded' THEN 200 END,
           'durationMs', CASE WHEN attempt IS NOT NULL AND type LIKE 'Attempt%' THEN 40 + i % 200 END,
           'error', CASE type WHEN 'AttemptFailed' THEN 'http_5xx: HTTP 503' END,
           'nextAttemptAt', CASE type WHEN 'RetryScheduled'
                              THEN to_char((at + interval '2 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
           'recordedAt', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'correlationId', event_id)
         || CASE WHEN type LIKE 'Attempt%' THEN jsonb_build_object(
           'failureClass', CASE type WHEN 'AttemptFailed' THEN 'http_5xx' END,
           'url', 'https://hooks.example.com/corgea/' || webhook_id,
           'requestHeaders', jsonb_build_object(
             'content-type', 'application/json', 'user-agent', 'Hookline/1.0',
             'x-corgea-delivery', substr(delivery_id, 5), 'x-corgea-event', 'scan.completed',
             'x-corgea-signature', '********', 'x-team-token', '********'),
           'requestBody', '{"event_id":"' || event_id || '","event_type":"scan.completed","timestamp":"'
             || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
             || '","data":{"company":"${COMPANY}","scan_id":"' || md5('s' || i)::uuid
             || '","project":{"name":"My Application","branch":"main"},"issues_found":' || i % 40
             || ',"severity":{"critical":1,"high":3,"medium":5,"low":3},"scan_type":"full"}}',
           'responseHeaders', jsonb_build_object('content-type', 'text/plain', 'server', 'nginx'),
           'responseBody', CASE type WHEN 'AttemptFailed' THEN '=HYPERLINK("upstream busy, try later")'
                                     ELSE 'ok' END,
           'responseTruncated', false) ELSE '{}'::jsonb END,
         at
    FROM steps
`;

const FILL_DELIVERIES = `
  INSERT INTO deliveries (delivery_id, webhook_id, company, event_id, event_type, status, attempts,
                          next_attempt_at, last_status_code, last_error, created_at, updated_at,
                          state, test)
  SELECT e.delivery_id, e.webhook_id, e.company, e.data->>'eventId', 'scan.completed', 'succeeded',
         2, NULL, 200, NULL, e.recorded_at - interval '3 seconds', e.recorded_at,
         jsonb_build_object(
           'deliveryId', e.delivery_id, 'webhookId', e.webhook_id, 'company', e.company,
           'eventId', e.data->>'eventId', 'eventType', 'scan.completed',
           'correlationId', e.data->>'eventId', 'trigger', 'first', 'status', 'succeeded',
           'attempts', 2, 'roundStart', 0, 'nextAttemptAt', NULL, 'lastStatusCode', 200,
           'lastError', NULL, 'lastManualRequestAt', NULL, 'updatedAt', e.data->>'recordedAt'),
         false
    FROM delivery_events e
   WHERE e.type = 'AttemptSucceeded'
`;

async function main(): Promise<void> {
  const infra = await infraUp({ quiet: true });
  // createTestDatabase reads the server from the environment, as integration specs do.
  process.env['DATABASE_URL'] = infra.databaseUrl;
  process.env['KAFKA_BROKERS'] = infra.kafkaBrokers;
  try {
    const db = await createTestDatabase('bench_export');
    try {
      const migrations = [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS];
      await runMigrations({ url: db.url, migrations });
      const dataSource = await createDataSource({ url: db.url, migrations }).initialize();
      try {
        await run(dataSource);
      } finally {
        await dataSource.destroy();
      }
    } finally {
      await db.drop();
    }
  } finally {
    await infraDown(infra.started, { quiet: true });
  }
}

async function run(dataSource: DataSource): Promise<void> {
  const fillStarted = Date.now();
  await dataSource.query(FILL_EVENTS, [DELIVERIES, COMPANY]);
  await dataSource.query(FILL_DELIVERIES);
  await dataSource.query(`ANALYZE delivery_events`);
  await dataSource.query(`ANALYZE deliveries`);
  const fillSeconds = (Date.now() - fillStarted) / 1000;

  const queries = new DeliveryQueries(dataSource);
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, SAMPLE_MS);

  let bytes = 0;
  let rows = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  const counter = new Transform({
    objectMode: true,
    transform(row: unknown, _encoding, callback) {
      rows += 1;
      callback(null, row);
    },
  });
  const started = Date.now();
  try {
    await pipeline(
      await queries.exportAttempts({ company: COMPANY }),
      counter,
      stringify({
        header: true,
        escape_formulas: true,
        columns: [...EXPORT_COLUMNS],
      }),
      sink,
    );
  } finally {
    clearInterval(sampler);
  }
  const seconds = (Date.now() - started) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const exported = rows;

  console.log(`export of ${ATTEMPTS} attempts (${DELIVERIES} deliveries), one company`);
  console.log(`  fill (set-based SQL)   ${fillSeconds.toFixed(1)} s`);
  console.log(`  rows exported          ${exported}`);
  console.log(`  CSV bytes              ${mb(bytes)}`);
  console.log(`  time                   ${seconds.toFixed(2)} s`);
  console.log(`  rows/s                 ${Math.round(exported / seconds)}`);
  console.log(`  RSS before             ${mb(rssBefore)}`);
  console.log(`  peak RSS               ${mb(peakRss)} (+${mb(peakRss - rssBefore)})`);
  if (exported !== ATTEMPTS) {
    throw new Error(`expected ${ATTEMPTS} rows, exported ${exported}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
