// Throughput of the event matcher's per-event CPU cost: finding the webhooks an event is for.
// Run with `npx tsx tools/bench/matcher.bench.ts`. Prints numbers; it asserts nothing.
import { cpus } from 'node:os';
import {
  ISSUE_STATUSES,
  parseEnvelope,
  samplePayload,
  type EventEnvelope,
  type EventType,
  type IssueStatus,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { SubscriptionIndex, matches, subscriptionFromConfig } from '@hookline/webhooks-domain';

const WARMUP_MS = 500;
const MEASURE_MS = 2_000;
const BATCH = 256;
const COMPANIES = 100;
const WEBHOOKS = 10_000;
const PROJECTS_PER_COMPANY = 30;
const ENVELOPES = 1_000;
const MATCH_TARGET_PER_SECOND = 200_000;

// Deterministic (mulberry32), so two runs measure the same index and the same events.
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
function sample<T>(items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) {
    out.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T);
  }
  return out;
}
function weighted<T>(choices: readonly (readonly [number, T])[]): T {
  const total = choices.reduce((sum, [w]) => sum + w, 0);
  let r = random() * total;
  for (const [w, value] of choices) {
    r -= w;
    if (r < 0) return value;
  }
  return (choices[choices.length - 1] as readonly [number, T])[1];
}
const hex = (digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

const companyId = (c: number): string => `comp-${c.toString().padStart(4, '0')}-${'0'.repeat(27)}`;
const projectId = (c: number, p: number): string =>
  `proj-${c.toString().padStart(4, '0')}-${p.toString().padStart(4, '0')}-${'0'.repeat(22)}`;

const ISSUE_EVENTS: readonly EventType[] = ['issue.status_changed', 'issue.assigned'];
const SCAN_EVENTS: readonly EventType[] = ['scan.started', 'scan.completed', 'scan.failed'];
const USER_EVENTS: readonly EventType[] = ['user.login', 'user.login_failed'];
const ALL_EVENTS: readonly EventType[] = [...ISSUE_EVENTS, ...SCAN_EVENTS, ...USER_EVENTS];

/** A webhook as admins configure them: Slack channels for fixes, CI hooks for scans, SIEMs. */
function webhookRecord(n: number): WebhookConfigRecord {
  const company = n % COMPANIES;
  const events = weighted<readonly EventType[]>([
    [25, ['issue.status_changed']],
    [15, ISSUE_EVENTS],
    [20, ['scan.completed', 'scan.failed']],
    [10, SCAN_EVENTS],
    [10, USER_EVENTS],
    [10, ALL_EVENTS],
    [10, sample(ALL_EVENTS, 1 + Math.floor(random() * 4))],
  ]);
  const projects = Array.from({ length: PROJECTS_PER_COMPANY }, (_, p) => projectId(company, p));
  const projectCount = weighted([
    [60, 0],
    [30, 1 + Math.floor(random() * 3)],
    [10, 10 + Math.floor(random() * 20)],
  ]);
  const statusFilter: IssueStatus[] =
    events.includes('issue.status_changed') && random() < 0.5
      ? sample(ISSUE_STATUSES, 1 + Math.floor(random() * 2))
      : [];
  return {
    schemaVersion: 1,
    webhookId: `wh_${n.toString(16).padStart(32, '0')}`,
    company: companyId(company),
    name: `Webhook ${n}`,
    url: `https://hooks.example.com/${n}`,
    type: pick(['slack', 'zapier', 'other'] as const),
    events: [...events],
    projectIds: sample(projects, projectCount),
    statusFilter,
    status: random() < 0.05 ? 'paused' : 'active',
    version: 1 + Math.floor(random() * 5),
    updatedAt: '2025-01-15T14:30:00.000Z',
    bodyTemplate: null,
    signingSecret: null,
    headers: [],
  };
}

/** A sample envelope of a weighted type, for a random company (2 % unknown), project, status. */
function eventEnvelope(): EventEnvelope {
  const type = weighted<EventType>([
    [35, 'issue.status_changed'],
    [10, 'issue.assigned'],
    [10, 'scan.started'],
    [10, 'scan.completed'],
    [5, 'scan.failed'],
    [25, 'user.login'],
    [5, 'user.login_failed'],
  ]);
  const company = random() < 0.02 ? COMPANIES + 1 : Math.floor(random() * COMPANIES);
  const e: EventEnvelope = samplePayload(type);
  e.event_id = uuid();
  e.data.company = companyId(company);
  if ('project' in e.data) {
    e.data.project = {
      id: projectId(company, Math.floor(random() * PROJECTS_PER_COMPANY)),
      name: 'Production API',
    };
  }
  if ('status' in e.data) e.data.status = pick(ISSUE_STATUSES);
  return e;
}

interface Result {
  readonly ops: number;
  readonly seconds: number;
}

function run(fn: () => number, ms: number): Result {
  let sink = 0;
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < BATCH; i += 1) sink += fn();
    ops += BATCH;
    elapsed = process.hrtime.bigint() - start;
  }
  // Keeps the optimiser from dropping the work.
  if (sink === -1) console.log(sink);
  return { ops, seconds: Number(elapsed) / 1e9 };
}

function measure(label: string, fn: () => number, ms = MEASURE_MS): number {
  run(fn, Math.min(WARMUP_MS, ms));
  const { ops, seconds } = run(fn, ms);
  const perSecond = ops / seconds;
  const meanMicros = (seconds * 1e6) / ops;
  console.log(
    `${label.padEnd(46)} ${Math.round(perSecond).toString().padStart(9)} events/s  ` +
      `${meanMicros.toFixed(2).padStart(7)} µs/event  (${ops} events in ${seconds.toFixed(2)} s)`,
  );
  return perSecond;
}

/** Cycles through `items`, one per call. */
function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => {
    const item = items[i] as T;
    i = i + 1 === items.length ? 0 : i + 1;
    return item;
  };
}

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function main(): void {
  // Through JSON, as the matcher gets them from Kafka: the strings are flat, as JSON.parse makes
  // them (template-literal ropes would make every string comparison slower than in production).
  const records = roundTrip(Array.from({ length: WEBHOOKS }, (_, n) => webhookRecord(n)));
  const index = new SubscriptionIndex();
  const buildStart = process.hrtime.bigint();
  for (const r of records) index.apply(r.webhookId, r);
  const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
  const all = records.map(subscriptionFromConfig);
  const envelopes = roundTrip(Array.from({ length: ENVELOPES }, eventEnvelope));
  const buffers = envelopes.map((e) => Buffer.from(JSON.stringify(e)));

  // A benchmark of a wrong result is worthless: check every event once against the rules.
  let totalMatches = 0;
  envelopes.forEach((e, i) => {
    const got = index
      .match(e)
      .map((s) => s.webhookId)
      .sort();
    const want = all
      .filter((s) => matches(s, e))
      .map((s) => s.webhookId)
      .sort();
    if (got.join() !== want.join())
      throw new Error(`index disagrees with matches on ${e.event_id}`);
    const parsed = parseEnvelope(buffers[i] as Buffer);
    if (!parsed.ok) throw new Error(`sample envelope ${e.event_id} does not parse`);
    totalMatches += got.length;
  });

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const paused = records.filter((r) => r.status === 'paused').length;
  const projectFiltered = records.filter((r) => r.projectIds.length > 0).length;
  const statusFiltered = records.filter((r) => r.statusFilter.length > 0).length;
  const meanBytes = buffers.reduce((sum, b) => sum + b.length, 0) / buffers.length;
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpu}), one core used`);
  console.log(`warm-up ${WARMUP_MS} ms, measure ${MEASURE_MS} ms per case`);
  console.log(
    `index: ${index.size} webhooks, ${COMPANIES} companies, ${projectFiltered} with a project ` +
      `filter, ${statusFiltered} with a status filter, ${paused} paused; built in ${buildMs.toFixed(1)} ms`,
  );
  console.log(
    `events: ${ENVELOPES} envelopes from the contracts' samples (pre-parsed; ${Math.round(meanBytes)} bytes as JSON)`,
  );
  console.log(
    `average matches per event: ${(totalMatches / ENVELOPES).toFixed(2)} (active and paused)`,
  );
  console.log('');

  const nextEnvelope = cycle(envelopes);
  const matchesPerSecond = measure('index.match (pre-parsed envelope)', () => {
    return index.match(nextEnvelope()).length;
  });
  const nextBuffer = cycle(buffers);
  measure('parseEnvelope(Buffer) + index.match', () => {
    const parsed = parseEnvelope(nextBuffer());
    return parsed.ok ? index.match(parsed.value).length : -2;
  });
  // What the index saves: every webhook checked against every event.
  const scanEnvelope = cycle(envelopes);
  measure(
    `baseline: scan all ${WEBHOOKS} with matches()`,
    () => {
      const e = scanEnvelope();
      let n = 0;
      for (const s of all) if (matches(s, e)) n += 1;
      return n;
    },
    500,
  );

  console.log('');
  const meets = matchesPerSecond >= MATCH_TARGET_PER_SECOND ? 'yes' : 'no';
  console.log(
    `>= ${MATCH_TARGET_PER_SECOND} events/s: ${meets} (${Math.round(matchesPerSecond)} events/s)`,
  );
}

main();
