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
import { createTestDatabase, fillDeliveryLog } from '@hookline/shared-testing';
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
      const dataSource = await createDataSource({
        url: db.url,
        migrations,
        clientQueryTimeout: false,
      }).initialize();
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
  await fillDeliveryLog(dataSource, {
    deliveries: DELIVERIES,
    company: COMPANY,
    webhookPrefix: 'wh_bench',
    webhooks: WEBHOOKS,
    startAt: new Date('2026-11-01T00:00:00Z'),
  });
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
