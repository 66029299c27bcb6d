// The whole pipeline end to end, as production runs it: the three built apps as processes
// (config API, event matcher, delivery worker) on a fresh database and topics, `scan.completed`
// events of several companies published to the ingest topic (keyed by company, so several
// partitions), each fanned out to every webhook of its company, calls counted at a local HTTPS
// receiver. Two modes: saturation (a burst, as fast as the pipeline goes) and a fixed rate for a
// duration. Prints throughput, publish-to-receipt latency (the publish time is the envelope's
// `timestamp`) and its stages (to the matcher's request, to the worker's intake, to the first
// call), the first call of a lone event, CPU per delivery of the apps and of PostgreSQL
// (from /proc), resident memory, idle CPU, what each delivery costs in transactions, rows,
// statements and Kafka messages, whether every attempt was recorded, and the bare axios ceiling
// against the same receiver, each beside the target of the throughput issue. Starts the local
// infrastructure when none runs (and stops what it started). Asserts nothing.
//
//   npm run bench:platform -- --mode=both --events=10000 --webhooks=5 --companies=6 \
//     --rate=100 --duration=60 --warmup=15 --partitions=6
//
// Each flag also reads from the environment: BENCH_MODE (saturation, rate or both), BENCH_EVENTS,
// BENCH_WEBHOOKS, BENCH_COMPANIES, BENCH_RATE (events/s), BENCH_DURATION (s), BENCH_WARMUP (s at
// the same rate before the fixed-rate phase, printed on its own; 0 for none), BENCH_PARTITIONS,
// BENCH_CONCURRENCY (the worker's and the bare ceiling's), BENCH_BARE_POSTS, BENCH_TIMEOUT_S.
// PostgreSQL started here preloads pg_stat_statements (HOOKLINE_POSTGRES_PRELOAD) so statements
// per delivery can be counted; on a server started without it that figure is left out.
// BENCH_APP_NODE_OPTIONS is given to the three apps as NODE_OPTIONS (a profiler's `--require`, say).
import { ApiKeyStore } from '@hookline/access-data-access';
import { DELIVERY_ID_PREFIX, KAFKA_TOPICS } from '@hookline/contracts';
import { Platform, PLATFORM_APPS, type PlatformApp } from '@hookline/platform-testing';
import { createKafka } from '@hookline/shared-kafka';
import type { ReceivedRequest } from '@hookline/shared-testing';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { Client } from 'pg';
import { infraDown, infraUp } from '../infra';
import {
  barePosts,
  choice,
  cpuMs,
  DELIVERY_HEADER,
  loadAverage,
  perSecond,
  quantile,
  seconds,
  serverCpuMs,
  setting,
  sleep,
  statusKb,
  pssKb,
  machineTicks,
} from './bench-support';

const MODE = choice('mode', 'BENCH_MODE', ['saturation', 'rate', 'both'] as const, 'both');
const EVENTS = setting('events', 'BENCH_EVENTS', 10_000);
const WEBHOOKS = setting('webhooks', 'BENCH_WEBHOOKS', 5);
const COMPANIES = setting('companies', 'BENCH_COMPANIES', 6);
const RATE = setting('rate', 'BENCH_RATE', 100);
const DURATION_S = setting('duration', 'BENCH_DURATION', 60);
const WARMUP_S = setting('warmup', 'BENCH_WARMUP', 15, 0);
const PARTITIONS = setting('partitions', 'BENCH_PARTITIONS', 6);
const CONCURRENCY = setting('concurrency', 'BENCH_CONCURRENCY', 64);
const BARE_POSTS = setting('bare-posts', 'BENCH_BARE_POSTS', 20_000);
const TIMEOUT_MS = setting('timeout', 'BENCH_TIMEOUT_S', 600) * 1000;
const IDLE_MS = 10_000;
const LONE_EVENTS = 3;
const PRODUCE_BATCH = 1000;
const POLL_MS = 50;
const PSS_EVERY_POLLS = 10;
const WINDOW_MS = 10_000;
// PostgreSQL flushes a backend's statistics at most once a second while busy and within 10 s of
// it going idle: the database's counters are read that long after a phase.
const STATS_FLUSH_MS = 11_000;
// The worker's own default, instead of the quicker poll the end-to-end tests give it.
const WORKER_DEFAULTS = { HOOKLINE_DELIVERY_POLL_MS: '1000' };
const APP_NODE_OPTIONS: Record<string, string> = process.env['BENCH_APP_NODE_OPTIONS']
  ? { NODE_OPTIONS: process.env['BENCH_APP_NODE_OPTIONS'] }
  : {};

const TARGETS = {
  saturationPerSecond: 1000,
  bareRatio: 0.8,
  p99Ms: 250,
  firstCallMs: 50,
  cpuMsPerDelivery: 1.5,
  idleCores: 0.02,
  workerRssMb: 200,
  appsRssMb: 400,
};

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
const mb = (kb: number) => Math.round(kb / 1024);
const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

interface DbCounters {
  readonly xacts: number;
  readonly rollbacks: number;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  /** Rows written by table (partitions on their own), inserted + updated + deleted. */
  readonly tables: ReadonlyMap<string, { ins: number; upd: number; del: number }>;
  /** Calls and execution time by statement text; undefined without pg_stat_statements. */
  readonly statements: ReadonlyMap<string, { calls: number; ms: number }> | undefined;
}

interface Snapshot {
  readonly at: number;
  readonly apps: Readonly<Record<PlatformApp, number>>;
  readonly db: number;
  readonly broker: number;
  readonly offsets: ReadonlyMap<string, number>;
}

interface PhaseResult {
  readonly name: string;
  readonly deliveries: number;
  readonly perSecond: number;
  readonly p99Ms: number;
  /** p99 publish-to-receipt of the calls of events published in each 10 s of the phase. */
  readonly p99ByWindow: readonly number[];
  readonly cpuMsPerDelivery: number;
  readonly peakRssKb: Readonly<Record<PlatformApp, number>>;
}

/** Publish-to-receipt of a delivery's first call, and its stages, in ms. */
interface Stages {
  readonly total: number;
  /** Publish to the matcher's request (its `requestedAt`). */
  readonly matched: number;
  /** The matcher's request to the worker's intake (the request's `recorded_at`). */
  readonly recorded: number;
  /** Intake to the call received. */
  readonly called: number;
}

/** Publish-to-receipt of one call, from the `timestamp` its event was published with. */
function latencyMs(request: ReceivedRequest): number {
  const published = Date.parse((JSON.parse(request.body) as { timestamp: string }).timestamp);
  return request.receivedAt - published;
}

class PlatformBench {
  private readonly kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly companies: string[];
  private readonly topics: string[];
  private readonly pids: Record<PlatformApp, number>;
  private postmaster = 0;
  private seen = 0;
  private readonly peakRss = new Map<PlatformApp, number>();
  private peakPss = 0;
  private polls = 0;
  private statements = false;

  constructor(
    private readonly platform: Platform,
    private readonly db: Client,
    private readonly brokerPid: number | undefined,
  ) {
    this.kafka = createKafka({ brokers: platform.brokers, clientId: 'platform-bench' });
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.admin = this.kafka.admin();
    this.companies = [
      platform.company,
      ...Array.from({ length: COMPANIES - 1 }, (_, i) => `${platform.company}-${i + 1}`),
    ];
    this.topics = [
      platform.topics.ingest,
      platform.topics.deliveries,
      platform.topics.commands,
      platform.topics.deliveriesDlq,
      KAFKA_TOPICS.webhooksDeliveryLog,
      KAFKA_TOPICS.webhooksConfig,
      KAFKA_TOPICS.platformEventsDlq,
    ];
    this.pids = Object.fromEntries(
      PLATFORM_APPS.map((app) => [app, platform.app(app).child.pid ?? 0]),
    ) as Record<PlatformApp, number>;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    await this.admin.connect();
    const [backend] = (await this.db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    // A backend's parent is the postmaster.
    const stat = readFileSync(`/proc/${backend?.pid}/stat`, 'utf8');
    this.postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    try {
      await this.db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await this.db.query('SELECT count(*) FROM pg_stat_statements');
      this.statements = true;
    } catch {
      this.statements = false;
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  /** Creates WEBHOOKS webhooks for every company through the config API. */
  async createWebhooks(): Promise<void> {
    const keys = new ApiKeyStore(this.platform.dataSource);
    for (const [c, company] of this.companies.entries()) {
      const { key } = await keys.create({ company, role: 'admin', name: 'bench' });
      for (let w = 0; w < WEBHOOKS; w += 1) {
        const response = await fetch(`${this.platform.apiUrl}/v1/webhooks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: `bench ${c}.${w}`,
            url: this.platform.receiver.url(`/hooks/${c * WEBHOOKS + w}`),
            type: 'other',
            events: ['scan.completed'],
          }),
        });
        if (response.status !== 201) {
          throw new Error(`create webhook: ${response.status} ${await response.text()}`);
        }
      }
    }
  }

  /** Publishes `count` events, companies in turn, in one send; resolves when acknowledged. */
  async publish(count: number, firstCompany = 0): Promise<void> {
    const timestamp = new Date().toISOString();
    await this.producer.send({
      topic: this.platform.topics.ingest,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => {
        const company = this.companies[(firstCompany + i) % this.companies.length] ?? '';
        const envelope = this.platform.envelope('scan.completed');
        return {
          key: company,
          value: JSON.stringify({
            ...envelope,
            timestamp,
            data: { ...envelope.data, company },
          }),
        };
      }),
    });
  }

  /** Requests received since the last call. */
  private fresh(): ReceivedRequest[] {
    const all = this.platform.receiver.requests();
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh;
  }

  private pollRss(): void {
    for (const app of PLATFORM_APPS) {
      this.peakRss.set(
        app,
        Math.max(this.peakRss.get(app) ?? 0, statusKb(this.pids[app], 'VmRSS')),
      );
    }
    // The kernel walks a process's page tables for its PSS: every tenth poll is enough.
    if (this.polls++ % PSS_EVERY_POLLS === 0) {
      const together = PLATFORM_APPS.reduce((sum, app) => sum + pssKb(this.pids[app]), 0);
      this.peakPss = Math.max(this.peakPss, together);
    }
  }

  /** Until `expected` distinct deliveries arrived after now (or time runs out). */
  async collect(
    expected: () => number,
    onPoll: (distinct: number) => void = () => undefined,
  ): Promise<{ requests: ReceivedRequest[]; distinct: number }> {
    const requests: ReceivedRequest[] = [];
    const ids = new Set<string>();
    const deadline = Date.now() + TIMEOUT_MS;
    while (Date.now() < deadline) {
      for (const request of this.fresh()) {
        requests.push(request);
        const id = request.headers[DELIVERY_HEADER];
        if (typeof id === 'string') ids.add(id);
      }
      this.pollRss();
      onPoll(ids.size);
      if (ids.size >= expected()) break;
      if (PLATFORM_APPS.some((app) => this.platform.app(app).child.exitCode !== null)) break;
      await sleep(POLL_MS);
    }
    return { requests, distinct: ids.size };
  }

  private async offsets(): Promise<Map<string, number>> {
    const offsets = new Map<string, number>();
    for (const topic of this.topics) {
      try {
        const partitions = await this.admin.fetchTopicOffsets(topic);
        offsets.set(
          topic,
          partitions.reduce((sum, p) => sum + Number(p.high), 0),
        );
      } catch {
        offsets.set(topic, 0);
      }
    }
    return offsets;
  }

  async snapshot(): Promise<Snapshot> {
    return {
      at: Date.now(),
      apps: Object.fromEntries(PLATFORM_APPS.map((app) => [app, cpuMs(this.pids[app])])) as Record<
        PlatformApp,
        number
      >,
      db: serverCpuMs(this.postmaster),
      broker: this.brokerPid === undefined ? 0 : serverCpuMs(this.brokerPid),
      offsets: await this.offsets(),
    };
  }

  async dbCounters(): Promise<DbCounters> {
    await this.db.query('SELECT pg_stat_clear_snapshot()');
    const [row] = (
      await this.db.query<Record<string, string>>(
        `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted
           FROM pg_stat_database WHERE datname = current_database()`,
      )
    ).rows;
    const tables = new Map<string, { ins: number; upd: number; del: number }>();
    for (const t of (
      await this.db.query<{ relname: string; ins: string; upd: string; del: string }>(
        `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del FROM pg_stat_user_tables`,
      )
    ).rows) {
      tables.set(t.relname, { ins: Number(t.ins), upd: Number(t.upd), del: Number(t.del) });
    }
    let statements: Map<string, { calls: number; ms: number }> | undefined;
    if (this.statements) {
      statements = new Map();
      for (const s of (
        await this.db.query<{ query: string; calls: string; ms: string }>(
          `SELECT query, sum(calls) AS calls, sum(total_exec_time) AS ms FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            GROUP BY query`,
        )
      ).rows) {
        statements.set(s.query, { calls: Number(s.calls), ms: Number(s.ms) });
      }
    }
    return {
      xacts: Number(row?.['xact_commit']),
      rollbacks: Number(row?.['xact_rollback']),
      inserted: Number(row?.['tup_inserted']),
      updated: Number(row?.['tup_updated']),
      deleted: Number(row?.['tup_deleted']),
      tables,
      statements,
    };
  }

  /** Waits until the delivery-log topic stops growing (the outbox relayed everything). */
  async settle(): Promise<void> {
    let last = -1;
    let stableSince = Date.now();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const now = (await this.offsets()).get(KAFKA_TOPICS.webhooksDeliveryLog) ?? 0;
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= 2000) {
        return;
      }
      await sleep(250);
    }
  }

  /** Cores the apps used over IDLE_MS with no traffic. */
  async idle(): Promise<void> {
    const before = await this.snapshot();
    await sleep(IDLE_MS);
    const after = await this.snapshot();
    const elapsed = after.at - before.at;
    const cores = (app: PlatformApp) => (after.apps[app] - before.apps[app]) / elapsed;
    const total = PLATFORM_APPS.reduce((sum, app) => sum + cores(app), 0);
    console.log(
      `idle (${seconds(elapsed)}, no traffic): apps ${fixed(total, 3)} core ` +
        `(${PLATFORM_APPS.map((app) => `${app} ${fixed(cores(app), 3)}`).join(', ')}); ` +
        `PostgreSQL ${fixed((after.db - before.db) / elapsed, 3)} core; ` +
        `target <= ${TARGETS.idleCores}: ${verdict(total <= TARGETS.idleCores)}`,
    );
  }

  /** Lone events published when idle, one at a time: the first call's latency of each. */
  async loneEvents(): Promise<void> {
    const firsts: Stages[] = [];
    for (let i = 0; i < LONE_EVENTS; i += 1) {
      await this.publish(1);
      const { requests } = await this.collect(() => WEBHOOKS);
      const stages = await this.stagesOf(requests);
      firsts.push(stages.reduce((first, s) => (s.total < first.total ? s : first)));
      await sleep(1000);
    }
    const worst = Math.max(...firsts.map((s) => s.total));
    const described = firsts.map(
      (s) => `${s.total} ms (matched ${s.matched}, intake ${s.recorded}, call ${s.called})`,
    );
    console.log(
      `lone event when idle, first call after publish: ${described.join(', ')}; ` +
        `target <= ${TARGETS.firstCallMs} ms: ${verdict(worst <= TARGETS.firstCallMs)}`,
    );
  }

  /** One warm-up event per company until all their calls arrive (the config has reached both apps). */
  async warmUp(): Promise<void> {
    for (let round = 0; round < 20; round += 1) {
      await this.publish(COMPANIES);
      const deadline = Date.now() + 5000;
      let got = 0;
      while (Date.now() < deadline && got < COMPANIES * WEBHOOKS) {
        got += this.fresh().length;
        await sleep(100);
      }
      await sleep(500);
      got += this.fresh().length;
      if (got === COMPANIES * WEBHOOKS) return;
    }
    throw new Error('the webhooks never all received the warm-up events');
  }

  async phase(
    name: string,
    expected: number,
    drive: (progress: () => number) => Promise<void>,
  ): Promise<PhaseResult> {
    for (const app of PLATFORM_APPS) this.peakRss.set(app, 0);
    this.peakPss = 0;
    const ticks0 = machineTicks();
    const db0 = await this.dbCounters();
    const before = await this.snapshot();
    const load0 = loadAverage();
    let distinctNow = 0;
    const driving = drive(() => distinctNow);
    const { requests, distinct } = await this.collect(
      () => expected,
      (d) => {
        distinctNow = d;
      },
    );
    await driving;
    const backlogAtEnd = expected - distinct;
    await this.settle();
    const after = await this.snapshot();
    const load1 = loadAverage();
    const ticks1 = machineTicks();
    await sleep(STATS_FLUSH_MS);
    const db1 = await this.dbCounters();

    const latencies = requests.map(latencyMs).sort((a, b) => a - b);
    const lastAt = Math.max(...requests.map((r) => r.receivedAt));
    const elapsed = lastAt - before.at;
    const rate = perSecond(distinct, elapsed);
    const p = (q: number) => quantile(latencies, q);
    const n = Math.max(distinct, 1);
    const appMs = (app: PlatformApp) => after.apps[app] - before.apps[app];
    const appsTotal = PLATFORM_APPS.reduce((sum, app) => sum + appMs(app), 0);
    const dbMs = after.db - before.db;
    const perDelivery = (appsTotal + dbMs) / n;

    console.log(`\n== ${name} (load average before ${load0}, after ${load1})`);
    if (distinct < expected) {
      console.log(
        `INCOMPLETE: ${distinct} of ${expected} deliveries arrived (backlog ${backlogAtEnd})`,
      );
    }
    console.log(
      `${distinct} distinct deliveries (${requests.length - distinct} duplicate calls) in ${seconds(elapsed)} = ${rate} deliveries/s`,
    );
    console.log(
      `publish-to-receipt: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms`,
    );
    console.log(
      `CPU per delivery: apps ${fixed(appsTotal / n)} ms (` +
        PLATFORM_APPS.map((app) => `${app} ${fixed(appMs(app) / n)}`).join(', ') +
        `), PostgreSQL ${fixed(dbMs / n)} ms, together ${fixed(perDelivery)} ms; ` +
        `target <= ${TARGETS.cpuMsPerDelivery} ms: ${verdict(perDelivery <= TARGETS.cpuMsPerDelivery)}` +
        (this.brokerPid === undefined
          ? ''
          : `; Kafka broker ${fixed((after.broker - before.broker) / n)} ms`),
    );
    const cores = (appsTotal + dbMs + after.broker - before.broker) / (after.at - before.at);
    console.log(`cores used by apps + PostgreSQL + broker over the phase: ${fixed(cores)}`);
    const stolen = (ticks1.steal - ticks0.steal) / Math.max(ticks1.total - ticks0.total, 1);
    console.log(
      `CPU time the hypervisor gave to others (steal) over the phase: ${(stolen * 100).toFixed(1)} %`,
    );
    const rss = Object.fromEntries(
      PLATFORM_APPS.map((app) => [app, this.peakRss.get(app) ?? 0]),
    ) as Record<PlatformApp, number>;
    const rssTotal = PLATFORM_APPS.reduce((sum, app) => sum + rss[app], 0);
    console.log(
      `peak RSS: ${PLATFORM_APPS.map((app) => `${app} ${mb(rss[app])} MB`).join(', ')}, together ${mb(rssTotal)} MB; ` +
        `worker target <= ${TARGETS.workerRssMb} MB: ${verdict(mb(rss['delivery-worker']) <= TARGETS.workerRssMb)}, ` +
        `apps target <= ${TARGETS.appsRssMb} MB: ${verdict(mb(rssTotal) <= TARGETS.appsRssMb)}`,
    );
    console.log(
      `  the three together with shared pages counted once (PSS, every ${POLL_MS * PSS_EVERY_POLLS} ms), ` +
        `peak: ${mb(this.peakPss)} MB (not the target's figure: each RSS counts the Node binary's pages in full)`,
    );
    await this.printStages(requests);
    this.printCosts(n, db0, db1, before, after);
    const windows: number[][] = [];
    for (const request of requests) {
      const published = request.receivedAt - latencyMs(request);
      const w = Math.max(0, Math.floor((published - before.at) / WINDOW_MS));
      (windows[w] ??= []).push(request.receivedAt - published);
    }
    return {
      name,
      deliveries: distinct,
      perSecond: rate,
      p99Ms: p(0.99),
      p99ByWindow: [...windows].map((w) =>
        quantile(
          (w ?? []).sort((a, b) => a - b),
          0.99,
        ),
      ),
      cpuMsPerDelivery: perDelivery,
      peakRssKb: rss,
    };
  }

  /**
   * Where publish-to-receipt goes, delivery by delivery: to the matcher's request (its
   * `requestedAt`), to the worker's intake (the time the request was recorded), and from intake
   * to the first call received.
   */
  private async printStages(requests: readonly ReceivedRequest[]): Promise<void> {
    const stages = await this.stagesOf(requests);
    const describe = (values: number[]) => {
      const sorted = values.sort((a, b) => a - b);
      return `p50 ${quantile(sorted, 0.5)} / p99 ${quantile(sorted, 0.99)} / max ${quantile(sorted, 1)} ms`;
    };
    console.log(
      `stages of the first call (${stages.length} deliveries): publish -> matched ${describe(stages.map((s) => s.matched))}; ` +
        `matched -> worker intake ${describe(stages.map((s) => s.recorded))}; intake -> call received ${describe(stages.map((s) => s.called))}`,
    );
  }

  /** The stages of each delivery's first call among `requests`. */
  private async stagesOf(requests: readonly ReceivedRequest[]): Promise<Stages[]> {
    const firstCall = new Map<string, ReceivedRequest>();
    for (const request of requests) {
      const id = request.headers[DELIVERY_HEADER];
      // The header carries the delivery id without its prefix.
      const deliveryId = `${DELIVERY_ID_PREFIX}${String(id)}`;
      if (typeof id === 'string' && !firstCall.has(deliveryId)) firstCall.set(deliveryId, request);
    }
    const rows = (
      await this.db.query<{ delivery_id: string; requested_at: string; recorded_at: Date }>(
        `SELECT delivery_id, request->>'requestedAt' AS requested_at, recorded_at
           FROM delivery_requests WHERE delivery_id = ANY($1)`,
        [[...firstCall.keys()]],
      )
    ).rows;
    const stages: Stages[] = [];
    for (const row of rows) {
      const call = firstCall.get(row.delivery_id);
      if (!call) continue;
      const total = latencyMs(call);
      const published = call.receivedAt - total;
      const requested = Date.parse(row.requested_at);
      const recorded = row.recorded_at.getTime();
      stages.push({
        total,
        matched: requested - published,
        recorded: recorded - requested,
        called: call.receivedAt - recorded,
      });
    }
    return stages;
  }

  private printCosts(
    n: number,
    db0: DbCounters,
    db1: DbCounters,
    before: Snapshot,
    after: Snapshot,
  ): void {
    const per = (value: number) => fixed(value / n);
    console.log(
      `per delivery: ${per(db1.xacts - db0.xacts)} transactions (${per(db1.rollbacks - db0.rollbacks)} rolled back), ` +
        `rows ${per(db1.inserted - db0.inserted)} inserted / ${per(db1.updated - db0.updated)} updated / ` +
        `${per(db1.deleted - db0.deleted)} deleted`,
    );
    const tables = [...db1.tables]
      .map(([table, t]) => {
        const t0 = db0.tables.get(table) ?? { ins: 0, upd: 0, del: 0 };
        return { table, ins: t.ins - t0.ins, upd: t.upd - t0.upd, del: t.del - t0.del };
      })
      .filter((t) => t.ins + t.upd + t.del > 0)
      .sort((a, b) => b.ins + b.upd + b.del - (a.ins + a.upd + a.del));
    console.log(
      `  rows by table (ins/upd/del per delivery): ` +
        tables.map((t) => `${t.table} ${per(t.ins)}/${per(t.upd)}/${per(t.del)}`).join(', '),
    );
    if (db0.statements === undefined || db1.statements === undefined) {
      console.log('  statements: not counted (PostgreSQL runs without pg_stat_statements)');
    } else {
      const calls = [...db1.statements]
        .map(([query, c]) => {
          const was = db0.statements?.get(query);
          return { query, calls: c.calls - (was?.calls ?? 0), ms: c.ms - (was?.ms ?? 0) };
        })
        .filter((s) => s.calls > 0)
        .sort((a, b) => b.calls - a.calls);
      const total = calls.reduce((sum, s) => sum + s.calls, 0);
      const totalMs = calls.reduce((sum, s) => sum + s.ms, 0);
      console.log(
        `  statements: ${per(total)} per delivery, executing ${per(totalMs)} ms per delivery; ` +
          `the most called (calls, then execution ms, per delivery):`,
      );
      for (const s of calls.slice(0, 12)) {
        console.log(
          `    ${per(s.calls).padStart(6)} ${per(s.ms).padStart(6)}  ${s.query.replace(/\s+/g, ' ').slice(0, 120)}`,
        );
      }
    }
    console.log(
      `  Kafka messages per delivery (end offsets; control records of transactions count too): ` +
        [...after.offsets]
          .map(([topic, end]) => ({ topic, written: end - (before.offsets.get(topic) ?? 0) }))
          .filter((t) => t.written > 0)
          .map((t) => `${t.topic} ${per(t.written)}`)
          .join(', '),
    );
  }

  /** Every call the receiver got recorded as an attempt, every delivery in the projections and on the topic. */
  async verify(startOffsets: ReadonlyMap<string, number>): Promise<void> {
    const all = this.platform.receiver.requests();
    const distinct = new Set(all.map((r) => r.headers[DELIVERY_HEADER])).size;
    const events = new Map(
      (
        await this.db.query<{ type: string; n: string }>(
          'SELECT type, count(*) AS n FROM delivery_events GROUP BY type',
        )
      ).rows.map((r) => [r.type, Number(r.n)]),
    );
    const [deliveries] = (
      await this.db.query<{ n: string; succeeded: string; attempts: string }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                coalesce(sum(attempts), 0) AS attempts FROM deliveries`,
      )
    ).rows;
    const logged = [...events.values()].reduce((sum, n) => sum + n, 0);
    const onTopic =
      ((await this.offsets()).get(KAFKA_TOPICS.webhooksDeliveryLog) ?? 0) -
      (startOffsets.get(KAFKA_TOPICS.webhooksDeliveryLog) ?? 0);
    const attempts = (events.get('AttemptSucceeded') ?? 0) + (events.get('AttemptFailed') ?? 0);
    const check = (what: string, got: number, want: number) =>
      console.log(`  ${got === want ? 'ok      ' : 'MISMATCH'} ${what}: ${got} (expected ${want})`);
    console.log(
      `\n== every attempt recorded (whole run: ${all.length} calls, ${distinct} deliveries)`,
    );
    check('attempt events in delivery_events vs calls received', attempts, all.length);
    check('deliveries rows vs distinct deliveries received', Number(deliveries?.n), distinct);
    check(
      'succeeded deliveries vs distinct deliveries received',
      Number(deliveries?.succeeded),
      distinct,
    );
    check('sum of deliveries.attempts vs calls received', Number(deliveries?.attempts), all.length);
    check(
      'DeliveryRequested events vs deliveries rows',
      events.get('DeliveryRequested') ?? 0,
      Number(deliveries?.n),
    );
    check(`${KAFKA_TOPICS.webhooksDeliveryLog} messages vs delivery_events rows`, onTopic, logged);
  }
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  for (const app of ['config-api', 'event-matcher', 'delivery-worker']) {
    execFileSync(
      process.execPath,
      [path.join(root, 'tools/scripts/build-app.mjs'), `apps/${app}`],
      {
        stdio: 'ignore',
      },
    );
  }
  process.env['HOOKLINE_POSTGRES_PRELOAD'] ??= 'pg_stat_statements';
  const infra = await infraUp({ quiet: true });
  // Platform and createTestDatabase read the servers from the environment, as integration specs do.
  process.env['KAFKA_BROKERS'] = infra.kafkaBrokers;
  process.env['DATABASE_URL'] = infra.databaseUrl;
  let platform: Platform | undefined;
  try {
    platform = new Platform({
      partitions: PARTITIONS,
      worker: {
        ...WORKER_DEFAULTS,
        ...APP_NODE_OPTIONS,
        HOOKLINE_DELIVERY_CONCURRENCY: String(CONCURRENCY),
      },
      matcher: APP_NODE_OPTIONS,
      configApi: APP_NODE_OPTIONS,
    });
    // Held before it starts, so an app that fails to start does not leave the others running.
    await platform.start();
    const db = new Client({ connectionString: platform.databaseUrl });
    await db.connect();
    const bench = new PlatformBench(platform, db, infra.pids.kafka);
    try {
      await bench.connect();
      await run(bench, platform);
    } finally {
      await bench.close();
      await db.end();
    }
  } finally {
    await platform?.stop();
    await infraDown(infra.started, { quiet: true });
  }
}

async function run(bench: PlatformBench, platform: Platform): Promise<void> {
  const startOffsets = (await bench.snapshot()).offsets;
  await bench.createWebhooks();
  await bench.warmUp();
  console.log(
    'whole platform end to end (ingest topic -> matcher -> worker -> HTTPS receiver), three processes',
  );
  console.log(
    `settings: mode=${MODE} companies=${COMPANIES} webhooks each=${WEBHOOKS} partitions=${PARTITIONS} ` +
      `worker concurrency=${CONCURRENCY}; load average ${loadAverage()}`,
  );
  await bench.idle();
  await bench.loneEvents();

  let saturation: PhaseResult | undefined;
  if (MODE !== 'rate') {
    saturation = await bench.phase(
      `saturation: ${EVENTS} events -> ${EVENTS * WEBHOOKS} deliveries, published at once`,
      EVENTS * WEBHOOKS,
      async () => {
        for (let i = 0; i < EVENTS; i += PRODUCE_BATCH)
          await bench.publish(Math.min(PRODUCE_BATCH, EVENTS - i), i);
      },
    );
    console.log(
      `target >= ${TARGETS.saturationPerSecond} deliveries/s: ${verdict(saturation.perSecond >= TARGETS.saturationPerSecond)}`,
    );
  }
  if (MODE !== 'saturation') {
    if (WARMUP_S > 0) {
      // Processes just started run their code unoptimized and their heaps small: the figures of
      // the first seconds are a cold start's. Printed, and not counted in the phase that follows.
      const warm = await atRate(bench, WARMUP_S, `warm-up (not counted in the next phase)`);
      console.log(`warm-up p99 (from cold): ${warm.result.p99Ms} ms`);
    }
    const { result, backlog } = await atRate(bench, DURATION_S, 'fixed rate');
    console.log(`backlog (deliveries published, not yet received): ${backlog.join(', ')}`);
    console.log(
      `p99 by when the event was published: ` +
        result.p99ByWindow
          .map((ms, i) => `${(i * WINDOW_MS) / 1000}-${((i + 1) * WINDOW_MS) / 1000} s: ${ms} ms`)
          .join(', '),
    );
    console.log(`target p99 <= ${TARGETS.p99Ms} ms: ${verdict(result.p99Ms <= TARGETS.p99Ms)}`);
  }

  await bench.verify(startOffsets);

  const bodyBytes = platform.receiver.requests().at(-1)?.rawBody.length ?? 0;
  platform.receiver.reset();
  const bareMs = await barePosts(platform.receiver, {
    count: BARE_POSTS,
    concurrency: CONCURRENCY,
    bodyBytes,
    paths: COMPANIES * WEBHOOKS,
  });
  const bareRate = perSecond(BARE_POSTS, bareMs);
  console.log(
    `\nbare axios: ${BARE_POSTS} posts of ${bodyBytes} bytes, ${CONCURRENCY} at once, keep-alive, to the same receiver, ` +
      `in ${seconds(bareMs)} = ${bareRate} posts/s (load average ${loadAverage()})`,
  );
  if (saturation !== undefined) {
    const ratio = saturation.perSecond / bareRate;
    console.log(
      `ratio saturation/bare: ${fixed(ratio, 3)}; target >= ${TARGETS.bareRatio}: ${verdict(ratio >= TARGETS.bareRatio)}`,
    );
  }
}

/** RATE events a second for `seconds`, as one phase; with the backlog every 10 s. */
async function atRate(
  bench: PlatformBench,
  seconds: number,
  name: string,
): Promise<{ result: PhaseResult; backlog: string[] }> {
  const total = RATE * seconds;
  const backlog: string[] = [];
  const result = await bench.phase(
    `${name}: ${RATE} events/s for ${seconds} s = ${RATE * WEBHOOKS} deliveries/s asked, ${total * WEBHOOKS} in all`,
    total * WEBHOOKS,
    async (received) => {
      const started = Date.now();
      let sent = 0;
      let nextReport = WINDOW_MS;
      while (sent < total) {
        const elapsed = Date.now() - started;
        const due = Math.min(total, Math.floor((elapsed / 1000) * RATE));
        if (due > sent) {
          await bench.publish(due - sent, sent);
          sent = due;
        }
        if (elapsed >= nextReport) {
          backlog.push(`${nextReport / 1000} s: ${sent * WEBHOOKS - received()}`);
          nextReport += WINDOW_MS;
        }
        await sleep(10);
      }
      backlog.push(`end of publishing: ${sent * WEBHOOKS - received()}`);
    },
  );
  return { result, backlog };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
