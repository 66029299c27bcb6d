// Retention over a full week: a fresh database, one week's partition of `delivery_events` filled
// set-based with 10 million rows (and that week's `deliveries` and `delivery_requests` with a
// tenth as many each), then the retention run that drops the week (`DeliveryPartitions.maintain`:
// the cut, DETACH ... CONCURRENTLY of every table's expired weeks, then the DROP of each detached
// table) while a stream of deliveries goes on in a later week: intake, claim and outcome, one
// delivery after the other, each timed. Prints every step's time, the cut's and the drops'. Starts the local
// PostgreSQL when none runs (and stops what it started). Prints numbers; asserts nothing.
//
//   npm run bench:retention -- --rows=10000000
//
// The flag also reads from the environment: BENCH_ROWS (rows of delivery_events in the week).
import { type DeliveryRequested, newWebhookId, SAMPLE_ENVELOPES } from '@hookline/contracts';
import {
  DELIVERIES_MIGRATIONS,
  DeliveryPartitions,
  DeliveryWorkStore,
  weekStart,
} from '@hookline/deliveries-data-access';
import { DEFAULT_RETRY_POLICY, recordAttempt } from '@hookline/deliveries-domain';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import { createTestDatabase, sampleDeliveryRequest } from '@hookline/shared-testing';
import type { DataSource } from 'typeorm';
import { infraDown, infraUp } from '../infra';

const WEEK_MS = 7 * 86_400_000;
const CHUNK_ROWS = 1_000_000;

function setting(flag: string, envName: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${flag}=`));
  const raw = arg ? arg.slice(flag.length + 3) : process.env[envName];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 10) {
    throw new Error(`--${flag} / ${envName} must be an integer >= 10, got ${raw}`);
  }
  return value;
}

const ROWS = setting('rows', 'BENCH_ROWS', 10_000_000);

const stamp = (date: Date) => date.toISOString().slice(0, 10).replaceAll('-', '');

async function main(): Promise<void> {
  const infra = await infraUp({ quiet: true });
  process.env['DATABASE_URL'] = infra.databaseUrl;
  process.env['KAFKA_BROKERS'] = infra.kafkaBrokers;
  try {
    const db = await createTestDatabase('bench_retention');
    try {
      const migrations = [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS];
      await runMigrations({ url: db.url, migrations });
      const dataSource = await createDataSource({
        url: db.url,
        migrations,
        statementTimeoutMs: 0,
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

/** One week's rows, straight into the week's partitions, a million at a time. */
async function fill(dataSource: DataSource, week: Date): Promise<void> {
  const suffix = `p${stamp(week)}`;
  for (let from = 0; from < ROWS; from += CHUNK_ROWS) {
    const to = Math.min(ROWS, from + CHUNK_ROWS);
    await dataSource.query(
      `INSERT INTO delivery_events_${suffix}
         (global_position, transaction_id, idempotency_key, delivery_id, webhook_id, company, type,
          schema_version, data, recorded_at, delivery_created_at)
       OVERRIDING SYSTEM VALUE
       SELECT i, pg_current_xact_id(), 'k' || i, 'dlv_b' || (i / 10), 'wh_b' || (i % 50), 'bench',
              'AttemptSucceeded', 1, jsonb_build_object('attempt', 1, 'statusCode', 200, 'n', i),
              $3::timestamptz + (i % 600000) * interval '1 second',
              $3::timestamptz + (i / 10 % 600000) * interval '1 second'
         FROM generate_series($1::bigint, $2::bigint - 1) AS i`,
      [from, to, week.toISOString()],
    );
    if (from % (CHUNK_ROWS * 10) === 0) {
      await dataSource.query(
        `INSERT INTO deliveries_${suffix}
           (delivery_id, webhook_id, company, event_id, event_type, status, attempts, created_at,
            updated_at, state, test)
         SELECT 'dlv_b' || i, 'wh_b' || (i % 50), 'bench', md5(i::text), 'scan.completed',
                'succeeded', 1, $3::timestamptz + (i % 600000) * interval '1 second',
                $3::timestamptz + (i % 600000) * interval '1 second', '{}'::jsonb, false
           FROM generate_series($1::bigint, $2::bigint - 1) AS i`,
        [from / 10, Math.ceil(ROWS / 10), week.toISOString()],
      );
      await dataSource.query(
        `INSERT INTO delivery_requests_${suffix} (delivery_id, webhook_id, company, request, recorded_at)
         SELECT 'dlv_b' || i, 'wh_b' || (i % 50), 'bench', '{}'::json,
                $3::timestamptz + (i % 600000) * interval '1 second'
           FROM generate_series($1::bigint, $2::bigint - 1) AS i`,
        [from / 10, Math.ceil(ROWS / 10), week.toISOString()],
      );
    }
    process.stderr.write(`  filled ${to} of ${ROWS} log rows\n`);
  }
  await dataSource.query(
    `SELECT setval(pg_get_serial_sequence('delivery_events', 'global_position'), $1::bigint)`,
    [ROWS + 1],
  );
}

/** A first delivery request of the sample company's `scan.completed` to the webhook. */
function request(webhookId: string): DeliveryRequested {
  return sampleDeliveryRequest({
    id: webhookId,
    company: SAMPLE_ENVELOPES['scan.completed'].data.company,
  });
}

/** Deliveries one after the other until `stop()`: each intake, claim and outcome timed. */
function stream(dataSource: DataSource, at: Date) {
  const work = new DeliveryWorkStore(dataSource);
  const webhooks = Array.from({ length: 4 }, () => newWebhookId());
  const latencies: number[] = [];
  /** When each delivery ended (`performance.now()`), beside its latency. */
  const ends: number[] = [];
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const started = performance.now();
      const r = request(webhooks[i % webhooks.length] ?? '');
      await work.intake([r], at);
      // Taken in a later week (`at`): due on the database's clock now.
      await dataSource.query(`UPDATE delivery_queue SET due_at = now() WHERE delivery_id = $1`, [
        r.deliveryId,
      ]);
      const [claim] = await work.claim({
        limit: 1,
        perWebhookLimit: 1,
        skipWebhooks: [],
        leaseMs: 60_000,
      });
      if (!claim) throw new Error('nothing to claim');
      await work.finish(claim, (state) =>
        recordAttempt(
          state,
          { ok: true, statusCode: 200, durationMs: 1 },
          DEFAULT_RETRY_POLICY,
          at,
        ),
      );
      latencies.push(performance.now() - started);
      ends.push(performance.now());
    }
  })();
  return {
    latencies,
    /** The latencies of the deliveries that ended within `[from, to]`. */
    between: (from: number, to: number) =>
      latencies.filter((_, i) => (ends[i] ?? 0) >= from && (ends[i] ?? 0) <= to),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

async function run(dataSource: DataSource): Promise<void> {
  const now = new Date();
  const week = weekStart(now);
  const fillStarted = Date.now();
  await fill(dataSource, week);
  await dataSource.query(`ANALYZE delivery_events, deliveries, delivery_requests`);
  const fillSeconds = (Date.now() - fillStarted) / 1000;
  const [size]: Array<{ bytes: string }> = await dataSource.query(
    `SELECT sum(pg_total_relation_size(c.oid))::text AS bytes FROM pg_class c
      WHERE c.relname IN ($1, $2, $3)`,
    [
      `delivery_events_p${stamp(week)}`,
      `deliveries_p${stamp(week)}`,
      `delivery_requests_p${stamp(week)}`,
    ],
  );

  // The stream runs four weeks on, in the last week created ahead; retention as of then with a
  // 7-day window drops the filled week (and the two empty ones after it).
  const later = new Date(week.getTime() + 4 * WEEK_MS + 3_600_000);
  const baseline = stream(dataSource, later);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await baseline.stop();

  const live = stream(dataSource, later);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = performance.now();
  const report = await new DeliveryPartitions(dataSource).maintain({
    retentionDays: 7,
    now: later,
  });
  const ended = performance.now();
  const runMs = ended - started;
  const dropMs = report.dropMs ?? 0;
  await new Promise((resolve) => setTimeout(resolve, 500));
  await live.stop();
  const [left]: Array<{ n: string }> = await dataSource.query(
    `SELECT count(*)::text AS n FROM delivery_events WHERE delivery_created_at < $1`,
    [new Date(week.getTime() + WEEK_MS)],
  );

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const latency = (values: readonly number[]) =>
    `${values.length}; p50 ${ms(quantile(values, 0.5))}, max ${ms(Math.max(0, ...values))}`;
  console.log(
    `retention of one week: ${ROWS} rows of delivery_events, ${Math.ceil(ROWS / 10)} of deliveries and of delivery_requests`,
  );
  console.log(
    `  fill (generate_series)         ${fillSeconds.toFixed(1)} s, ${(Number(size?.bytes ?? 0) / 1024 ** 3).toFixed(2)} GB on disk`,
  );
  for (const step of report.steps ?? []) {
    console.log(`  ${step.step.padEnd(8)} ${step.name.padEnd(40)} ${ms(step.ms)}`);
  }
  console.log(`  the cut (detach, attach, queue) ${ms(report.cutMs ?? 0)}`);
  console.log(`  the drops of detached tables   ${ms(dropMs)}`);
  console.log(`  retention run in all           ${ms(runMs)} (with the weeks ahead checked)`);
  console.log(`  rows of the week left          ${left?.n}`);
  console.log(
    `  deliveries before, alone       ${baseline.latencies.length} in 3 s; p50 ${ms(quantile(baseline.latencies, 0.5))}, p99 ${ms(quantile(baseline.latencies, 0.99))}, max ${ms(Math.max(...baseline.latencies))}`,
  );
  console.log(
    `  deliveries during the cut      ${latency(live.between(started, ended - dropMs))} (intake + claim + outcome each)`,
  );
  console.log(`  deliveries during the drops    ${latency(live.between(ended - dropMs, ended))}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
