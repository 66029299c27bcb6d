import {
  type DeliveryAttemptDetails,
  deliveryIdFor,
  type DeliveryLogEvent,
  type DeliveryRequested,
  type EventType,
  newWebhookId,
  SAMPLE_ENVELOPES,
} from '@hookline/contracts';
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  type DeliveryState,
  type DeliveryStatus,
  recordAttempt,
  type RetryPolicy,
} from '@hookline/deliveries-domain';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type {
  ExportRow,
  HistoryFilter,
  HistoryStatus,
  ReplayCursor,
  WebhookStats,
} from './delivery-queries';
import { DeliveryQueries } from './delivery-queries.store';
import { DeliveryWorkStore } from './delivery-work.store';
import { InvalidCursorError } from './history-cursor';
import { DELIVERIES_MIGRATIONS } from './migrations';
import { AddDeliveryHistoryIndexes1764464400000 } from './migrations/1764464400000-add-delivery-history-indexes';
import { recomputeStats } from './recompute-stats';

const COMPANY = 'acme';
const OTHER_COMPANY = 'globex';
const LEASE_MS = 60_000;

const SUCCEEDED: AttemptOutcome = { ok: true, statusCode: 200, durationMs: 8 };
const FAILED: AttemptOutcome = {
  ok: false,
  failure: 'http_5xx',
  statusCode: 500,
  message: 'HTTP 500',
  durationMs: 12,
};
const REFUSED: AttemptOutcome = {
  ok: false,
  failure: 'blocked_by_policy',
  message: 'private address',
  durationMs: 1,
};
/** Retries due at once, so a test can claim them without waiting. */
const NO_WAIT_POLICY: RetryPolicy = {
  maxAttempts: 3,
  delaysSeconds: [0, 0],
  retryAfterCapSeconds: 0,
};
const TEST_POLICY: RetryPolicy = { maxAttempts: 1, delaysSeconds: [], retryAfterCapSeconds: 0 };

const DETAILS: DeliveryAttemptDetails = {
  failureClass: null,
  url: 'https://receiver.example.com/hooks',
  requestHeaders: { 'content-type': 'application/json', 'x-corgea-signature': '********' },
  requestBody: '{"event_type":"scan.completed"}',
  responseHeaders: { 'content-type': 'text/plain' },
  responseBody: 'ok',
  responseTruncated: false,
};

interface RequestOptions {
  readonly company?: string;
  readonly eventType?: EventType;
  readonly trigger?: DeliveryRequested['trigger'];
  readonly held?: boolean;
}

function request(webhookId: string, options: RequestOptions = {}): DeliveryRequested {
  const eventId = randomUUID();
  const eventType = options.eventType ?? 'scan.completed';
  const sample = SAMPLE_ENVELOPES[eventType];
  const company = options.company ?? COMPANY;
  return {
    schemaVersion: 1,
    deliveryId: deliveryIdFor(eventId, webhookId),
    eventId,
    webhookId,
    webhookVersion: 1,
    company,
    eventType,
    envelope: { ...sample, event_id: eventId, data: { ...sample.data, company } },
    trigger: options.trigger ?? 'first',
    requestedAt: new Date().toISOString(),
    correlationId: eventId,
    ...(options.held ? { held: true } : {}),
  } as DeliveryRequested;
}

type Plan = 'pending' | 'succeeded' | 'failed' | 'retrying' | 'skipped' | 'test';

interface Fixture {
  readonly request: DeliveryRequested;
  readonly plan: Plan;
  readonly createdAt: Date;
}

const byNewest = (a: Fixture, b: Fixture) =>
  b.createdAt.getTime() - a.createdAt.getTime() ||
  (a.request.deliveryId < b.request.deliveryId ? 1 : -1);

const PLAN_STATUS: Record<Plan, HistoryStatus> = {
  pending: 'pending',
  retrying: 'pending',
  succeeded: 'delivered',
  test: 'delivered',
  failed: 'failed',
  skipped: 'skipped',
};

async function collect<T>(stream: Readable): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of stream) rows.push(row as T);
  return rows;
}

const zeroStats = (webhookId: string): WebhookStats => ({
  webhookId,
  totalCalls: 0,
  successfulCalls: 0,
  failedCalls: 0,
  consecutiveFailures: 0,
  lastTriggeredAt: null,
  totalDeliveries: 0,
  successfulDeliveries: 0,
  failedDeliveries: 0,
  successRate: null,
});

describe('DeliveryQueries against the real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let work: DeliveryWorkStore;
  let queries: DeliveryQueries;

  /** Every page of a replay, 2 at a time, so the paging itself is what is tested. */
  const replayAll = async (
    company: string,
    webhookId: string,
    statuses: DeliveryStatus[],
    window: { since?: Date; until?: Date },
  ): Promise<DeliveryRequested[]> => {
    const all: DeliveryRequested[] = [];
    let after: ReplayCursor | undefined;
    for (;;) {
      const page = await queries.replayPage({
        company,
        webhookId,
        statuses,
        ...window,
        limit: 2,
        ...(after ? { after } : {}),
      });
      all.push(...page.requests);
      if (!page.next) return all;
      after = page.next;
    }
  };

  /** Claims `deliveryId` alone, handing back anything else that was due. */
  const claimOne = async (deliveryId: string) => {
    const claims = await work.claim({
      limit: 1000,
      perWebhookLimit: 1000,
      skipWebhooks: [],
      leaseMs: LEASE_MS,
    });
    const mine = claims.find((c) => c.deliveryId === deliveryId);
    await work.release(claims.filter((c) => c !== mine));
    if (!mine) throw new Error(`delivery ${deliveryId} was not due`);
    return mine;
  };

  /** Makes one call of an open delivery and records its outcome. */
  const attempt = async (deliveryId: string, outcome: AttemptOutcome, policy: RetryPolicy) => {
    const claim = await claimOne(deliveryId);
    return work.finish(claim, (state: DeliveryState) =>
      recordAttempt(state, outcome, policy, new Date(), DETAILS),
    );
  };

  /** Takes `req` in at `createdAt` and plays `plan` through the work store. */
  const play = async (req: DeliveryRequested, plan: Plan, createdAt: Date) => {
    await work.intake([req], createdAt);
    const id = req.deliveryId;
    if (plan === 'succeeded') {
      await attempt(id, FAILED, NO_WAIT_POLICY);
      await attempt(id, SUCCEEDED, NO_WAIT_POLICY);
    } else if (plan === 'failed') {
      await attempt(id, REFUSED, NO_WAIT_POLICY);
    } else if (plan === 'retrying') {
      await attempt(id, FAILED, DEFAULT_RETRY_POLICY);
    } else if (plan === 'test') {
      await attempt(id, SUCCEEDED, TEST_POLICY);
    }
  };

  const allEvents = async (): Promise<DeliveryLogEvent[]> =>
    (
      (await dataSource.query(
        `SELECT data FROM delivery_events ORDER BY global_position`,
      )) as Array<{
        data: DeliveryLogEvent;
      }>
    ).map((row) => row.data);

  beforeAll(async () => {
    db = await createTestDatabase('delivery_queries');
    const migrations = [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS];
    await runMigrations({ url: db.url, migrations });
    // Exports read through cursors: a pool without pg's client-side query timer, as the API's.
    dataSource = await createDataSource({
      url: db.url,
      migrations,
      clientQueryTimeout: false,
    }).initialize();
    work = new DeliveryWorkStore(dataSource);
    queries = new DeliveryQueries(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  describe('history and export', () => {
    const wh1 = newWebhookId();
    const wh2 = newWebhookId();
    const whOther = newWebhookId();
    const base = Date.now() - 3_600_000;
    const at = (seconds: number) => new Date(base + seconds * 1000);
    const tie = at(6);
    const fixtures: Fixture[] = [
      { request: request(wh1), plan: 'succeeded', createdAt: at(1) },
      { request: request(wh1, { eventType: 'scan.failed' }), plan: 'failed', createdAt: at(2) },
      { request: request(wh2), plan: 'retrying', createdAt: at(3) },
      { request: request(wh2, { eventType: 'issue.assigned' }), plan: 'pending', createdAt: at(4) },
      { request: request(wh1, { held: true }), plan: 'skipped', createdAt: at(5) },
      // Three deliveries of one instant: the delivery id breaks the tie.
      { request: request(wh2), plan: 'succeeded', createdAt: tie },
      { request: request(wh2), plan: 'succeeded', createdAt: tie },
      { request: request(wh2), plan: 'pending', createdAt: tie },
      { request: request(wh1, { trigger: 'test' }), plan: 'test', createdAt: at(7) },
    ];
    const others: Fixture[] = [
      {
        request: request(whOther, { company: OTHER_COMPANY }),
        plan: 'succeeded',
        createdAt: at(3.5),
      },
      { request: request(whOther, { company: OTHER_COMPANY }), plan: 'failed', createdAt: at(8) },
    ];

    beforeAll(async () => {
      for (const f of [...fixtures, ...others]) await play(f.request, f.plan, f.createdAt);
    });

    const matching = (filter: Omit<HistoryFilter, 'company'>) =>
      fixtures
        .filter(
          (f) =>
            (filter.webhookId === undefined || f.request.webhookId === filter.webhookId) &&
            (filter.eventType === undefined || f.request.eventType === filter.eventType) &&
            (filter.status === undefined || PLAN_STATUS[f.plan] === filter.status) &&
            (filter.from === undefined || f.createdAt >= filter.from) &&
            (filter.to === undefined || f.createdAt < filter.to),
        )
        .sort(byNewest)
        .map((f) => f.request.deliveryId);

    const filters: Array<[string, Omit<HistoryFilter, 'company'>]> = [
      ['no filter', {}],
      ['webhookId', { webhookId: wh2 }],
      ['eventType', { eventType: 'scan.failed' }],
      ['status pending (pending and retry scheduled)', { status: 'pending' }],
      ['status delivered', { status: 'delivered' }],
      ['status failed', { status: 'failed' }],
      ['status skipped', { status: 'skipped' }],
      ['from (inclusive)', { from: at(4) }],
      ['to (exclusive)', { to: at(4) }],
      ['from and to', { from: at(2), to: tie }],
      ['webhookId and status', { webhookId: wh2, status: 'delivered' }],
    ];

    it.each(filters)(
      'lists only the company’s deliveries matching %s, newest first',
      async (_, filter) => {
        const page = await queries.list({ company: COMPANY, ...filter, limit: 200 });
        expect(page.items.map((i) => i.id)).toEqual(matching(filter));
        expect(page.nextCursor).toBeNull();
      },
    );

    it.each(filters)(
      'exports one row per attempt of the deliveries matching %s',
      async (_, filter) => {
        const rows = await collect<ExportRow>(
          await queries.exportAttempts({ company: COMPANY, ...filter }),
        );
        const expected: Array<Pick<ExportRow, 'deliveryId' | 'attempt' | 'outcome'>> = [];
        const plans = new Map(fixtures.map((f) => [f.request.deliveryId, f.plan]));
        for (const id of matching(filter)) {
          const plan = plans.get(id);
          if (plan === 'succeeded') {
            expected.push({ deliveryId: id, attempt: 1, outcome: 'failed' });
            expected.push({ deliveryId: id, attempt: 2, outcome: 'succeeded' });
          } else if (plan === 'failed' || plan === 'retrying') {
            expected.push({ deliveryId: id, attempt: 1, outcome: 'failed' });
          } else if (plan === 'test') {
            expected.push({ deliveryId: id, attempt: 1, outcome: 'succeeded' });
          }
        }
        expect(
          rows.map((r) => ({ deliveryId: r.deliveryId, attempt: r.attempt, outcome: r.outcome })),
        ).toEqual(expected);
      },
    );

    it('exports what each attempt sent and got', async () => {
      const refused = fixtures[1]?.request as DeliveryRequested;
      const rows = await collect<ExportRow>(
        await queries.exportAttempts({ company: COMPANY, eventType: 'scan.failed' }),
      );
      expect(rows).toEqual([
        {
          deliveryId: refused.deliveryId,
          webhookId: wh1,
          eventId: refused.eventId,
          eventType: 'scan.failed',
          attempt: 1,
          trigger: 'first',
          at: expect.stringMatching(/Z$/),
          url: DETAILS.url,
          statusCode: null,
          outcome: 'failed',
          failureClass: 'blocked_by_policy',
          error: 'blocked_by_policy: private address',
          durationMs: 1,
        },
      ]);
    });

    it('pages through the history without gaps or repeats while new deliveries arrive', async () => {
      const expected = matching({});
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await queries.list({ company: COMPANY, limit: 2, cursor });
        seen.push(...result.items.map((i) => i.id));
        // Newer than every cursor handed out so far.
        await work.intake([request(wh1), request(wh2)], new Date());
        if (result.nextCursor === null) break;
        cursor = result.nextCursor;
      }
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('never shows another company’s deliveries', async () => {
      const mine = await queries.list({ company: COMPANY, limit: 200 });
      const theirs = await queries.list({ company: OTHER_COMPANY, limit: 200 });
      expect(mine.items.some((i) => i.webhookId === whOther)).toBe(false);
      expect(theirs.items.map((i) => i.id)).toEqual(
        [...others].sort(byNewest).map((f) => f.request.deliveryId),
      );
      expect(await queries.list({ company: COMPANY, webhookId: whOther, limit: 10 })).toEqual({
        items: [],
        nextCursor: null,
      });
      const exported = await collect<ExportRow>(
        await queries.exportAttempts({ company: COMPANY, webhookId: whOther }),
      );
      expect(exported).toEqual([]);
      const foreign = others[0]?.request.deliveryId ?? '';
      expect(await queries.get(COMPANY, foreign)).toBeUndefined();
      expect(await queries.get(OTHER_COMPANY, foreign)).toBeDefined();
      expect((await queries.stats(COMPANY, [whOther])).get(whOther)).toEqual(zeroStats(whOther));
      expect(await replayAll(COMPANY, whOther, ['failed', 'succeeded'], {})).toEqual([]);
    });

    it('refuses a cursor it did not hand out, and a limit out of 1..200', async () => {
      await expect(
        queries.list({ company: COMPANY, limit: 10, cursor: 'not-a-cursor' }),
      ).rejects.toThrow(InvalidCursorError);
      await expect(queries.list({ company: COMPANY, limit: 10, cursor: 'bm9wZQ' })).rejects.toThrow(
        /cursor/,
      );
      await expect(queries.list({ company: COMPANY, limit: 0 })).rejects.toThrow(RangeError);
      await expect(queries.list({ company: COMPANY, limit: 201 })).rejects.toThrow(RangeError);
    });

    it('returns a delivery with every attempt, oldest first, and the request as accepted', async () => {
      const delivered = fixtures[0] as Fixture;
      const detail = await queries.get(COMPANY, delivered.request.deliveryId);
      expect(detail).toMatchObject({
        id: delivered.request.deliveryId,
        webhookId: wh1,
        status: 'delivered',
        attemptCount: 2,
        lastStatusCode: 200,
        createdAt: delivered.createdAt.toISOString(),
        test: false,
        request: delivered.request,
      });
      expect(detail?.attempts).toEqual([
        {
          attempt: 1,
          trigger: 'first',
          at: expect.any(String),
          ...DETAILS,
          statusCode: 500,
          failureClass: 'http_5xx',
          error: 'http_5xx: HTTP 500',
          durationMs: 12,
        },
        {
          attempt: 2,
          trigger: 'retry',
          at: expect.any(String),
          ...DETAILS,
          statusCode: 200,
          failureClass: null,
          error: null,
          durationMs: 8,
        },
      ]);
      expect(
        await queries.get(COMPANY, 'dlv_00000000-0000-5000-8000-000000000000'),
      ).toBeUndefined();
    });

    it('shows a manual retry as a new attempt with trigger manual', async () => {
      const failed = request(wh1);
      await play(failed, 'failed', new Date());
      const manual = {
        ...failed,
        trigger: 'manual' as const,
        requestedAt: new Date().toISOString(),
      };
      await work.intake([manual], new Date());
      await attempt(failed.deliveryId, SUCCEEDED, NO_WAIT_POLICY);
      const detail = await queries.get(COMPANY, failed.deliveryId);
      expect(detail?.status).toBe('delivered');
      expect(detail?.attempts.map((a) => [a.attempt, a.trigger])).toEqual([
        [1, 'first'],
        [2, 'manual'],
      ]);
      expect(detail?.request).toEqual(failed);
    });

    it('gives the accepted requests to replay, oldest first, within the window', async () => {
      const wh = newWebhookId();
      const plans: Array<[Plan, number]> = [
        ['skipped', 1],
        ['failed', 2],
        ['succeeded', 3],
        ['skipped', 4],
        ['failed', 5],
        ['test', 6],
      ];
      const played: DeliveryRequested[] = [];
      for (const [plan, second] of plans) {
        const req =
          plan === 'test'
            ? request(wh, { trigger: 'test' })
            : request(wh, { held: plan === 'skipped' });
        await play(req, plan, at(second));
        played.push(req);
      }
      expect(await replayAll(COMPANY, wh, ['skipped_while_paused'], {})).toEqual([
        played[0],
        played[3],
      ]);
      expect(
        await replayAll(COMPANY, wh, ['failed', 'skipped_while_paused'], {
          since: at(2),
          until: at(5),
        }),
      ).toEqual([played[1], played[3]]);
      // A test delivery is never redelivered as traffic.
      expect(await replayAll(COMPANY, wh, ['succeeded'], { since: at(3) })).toEqual([played[2]]);
    });

    it('counts each webhook’s deliveries per hour by status, without tests or other companies', async () => {
      const hourOf = (date: Date) => {
        const start = new Date(date);
        start.setUTCMinutes(0, 0, 0);
        return start.toISOString();
      };
      const expected = new Map<string, Record<HistoryStatus, number>>();
      for (const f of fixtures.filter((f) => f.plan !== 'test')) {
        const key = `${f.request.webhookId} ${hourOf(f.createdAt)}`;
        const counts = expected.get(key) ?? { delivered: 0, failed: 0, pending: 0, skipped: 0 };
        counts[PLAN_STATUS[f.plan]] += 1;
        expected.set(key, counts);
      }
      // Up to just after the fixtures: the specs above add deliveries of their own later on.
      const window = { company: COMPANY, from: at(-3600), to: at(9) };
      const buckets = (await queries.activity(window)).filter((b) =>
        [wh1, wh2].includes(b.webhookId),
      );
      expect(
        new Map(
          buckets.map(({ webhookId, start, ...counts }) => [`${webhookId} ${start}`, counts]),
        ),
      ).toEqual(expected);
      expect(buckets.map((b) => b.start)).toEqual([...buckets.map((b) => b.start)].sort());
      expect(await queries.activity({ ...window, webhookId: wh2 })).toEqual(
        buckets.filter((b) => b.webhookId === wh2),
      );
      expect(await queries.activity({ ...window, to: at(0) })).toEqual([]);
      await expect(
        queries.activity({ ...window, from: new Date(Date.now() - 169 * 3_600_000) }),
      ).rejects.toThrow(RangeError);
    });

    it('hands the export’s connection back when the reader stops early', async () => {
      // More early stops than the pool has connections: a leaked one would hang the loop.
      for (let i = 0; i < 15; i++) {
        const stream = await queries.exportAttempts({ company: COMPANY });
        await new Promise<void>((resolve, reject) => {
          stream.once('data', () => {
            stream.destroy();
            resolve();
          });
          stream.once('error', reject);
        });
      }
      const [row] = await dataSource.query(`SELECT 1 AS one`);
      expect(row.one).toBe(1);
    });
  });

  describe('stats', () => {
    it('counts calls and deliveries without test deliveries', async () => {
      const wh = newWebhookId();
      await play(request(wh), 'succeeded', new Date());
      await play(request(wh), 'failed', new Date());
      await play(request(wh, { held: true }), 'skipped', new Date());
      await play(request(wh, { trigger: 'test' }), 'test', new Date());
      const stats = (await queries.stats(COMPANY, [wh])).get(wh);
      expect(stats).toMatchObject({
        totalCalls: 3,
        successfulCalls: 1,
        failedCalls: 2,
        consecutiveFailures: 1,
        totalDeliveries: 3,
        successfulDeliveries: 1,
        failedDeliveries: 1,
        successRate: 0.5,
      });
    });

    it('gives zeros to a webhook without deliveries', async () => {
      const wh = newWebhookId();
      expect(await queries.stats(COMPANY, [wh])).toEqual(new Map([[wh, zeroStats(wh)]]));
    });

    type Step =
      | {
          kind: 'new';
          webhook: number;
          test: boolean;
          held: boolean;
          outcomes: Array<'ok' | 'fail' | 'refused'>;
        }
      | { kind: 'manual'; pick: number; outcomes: Array<'ok' | 'fail' | 'refused'> };

    const outcomes = fc.array(fc.constantFrom<'ok' | 'fail' | 'refused'>('ok', 'fail', 'refused'), {
      maxLength: 3,
    });
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('new' as const),
        webhook: fc.nat({ max: 2 }),
        test: fc.boolean(),
        held: fc.boolean(),
        outcomes,
      }),
      fc.record({ kind: fc.constant('manual' as const), pick: fc.nat(), outcomes }),
    );
    const OUTCOMES = { ok: SUCCEEDED, fail: FAILED, refused: REFUSED } as const;

    it('equal the statistics recomputed from delivery_events alone, after any history', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
          const webhooks = [newWebhookId(), newWebhookId(), newWebhookId()];
          const made: DeliveryRequested[] = [];
          const call = async (req: DeliveryRequested, kinds: Step['outcomes']) => {
            const policy = req.trigger === 'test' ? TEST_POLICY : NO_WAIT_POLICY;
            for (const kind of kinds) {
              const [row]: Array<{ status: string }> = await dataSource.query(
                `SELECT status FROM deliveries WHERE delivery_id = $1`,
                [req.deliveryId],
              );
              if (row?.status !== 'pending' && row?.status !== 'retry_scheduled') return;
              await attempt(req.deliveryId, OUTCOMES[kind], policy);
            }
          };
          for (const s of steps) {
            if (s.kind === 'new') {
              const req = request(webhooks[s.webhook] as string, {
                trigger: s.test ? 'test' : 'first',
                held: s.held && !s.test,
              });
              made.push(req);
              await work.intake([req], new Date());
              await call(req, s.outcomes);
            } else if (made.length > 0) {
              const first = made[s.pick % made.length] as DeliveryRequested;
              // A manual retry re-opens a finished delivery; one still open takes nothing.
              const manual: DeliveryRequested = {
                ...first,
                trigger: 'manual',
                held: false,
                requestedAt: new Date().toISOString(),
              };
              await work.intake([manual], new Date());
              await call(manual, s.outcomes);
            }
          }
          const recomputed = recomputeStats(await allEvents());
          const stats = await queries.stats(COMPANY, webhooks);
          for (const wh of webhooks) {
            expect(stats.get(wh)).toEqual(recomputed.get(wh) ?? zeroStats(wh));
          }
        }),
        { numRuns: 15 },
      );
    });
  });
  // Last: it takes the migration down and up again on the shared database.
  describe('the history migration', () => {
    it('marks existing test deliveries and rebuilds webhook_stats without their calls', async () => {
      const wh = newWebhookId();
      const test = request(wh, { trigger: 'test' });
      await play(request(wh), 'failed', new Date());
      await play(test, 'test', new Date());
      const migration = new AddDeliveryHistoryIndexes1764464400000();
      const runner = dataSource.createQueryRunner();
      try {
        await migration.down(runner);
        // As the projection stood before: test calls counted.
        await runner.query(
          `UPDATE webhook_stats SET total_calls = total_calls + 1, successful_calls = successful_calls + 1,
                  consecutive_failures = 0 WHERE webhook_id = $1`,
          [wh],
        );
        await migration.up(runner);
      } finally {
        await runner.release();
      }
      const [row]: Array<{ test: boolean }> = await dataSource.query(
        `SELECT test FROM deliveries WHERE delivery_id = $1`,
        [test.deliveryId],
      );
      expect(row?.test).toBe(true);
      const recomputed = recomputeStats(await allEvents());
      const webhooks: Array<{ webhook_id: string }> = await dataSource.query(
        `SELECT DISTINCT webhook_id FROM deliveries WHERE company = $1`,
        [COMPANY],
      );
      const ids = webhooks.map((w) => w.webhook_id);
      const stats = await queries.stats(COMPANY, ids);
      for (const id of ids) expect(stats.get(id)).toEqual(recomputed.get(id) ?? zeroStats(id));
      expect(stats.get(wh)).toMatchObject({
        totalCalls: 1,
        failedCalls: 1,
        consecutiveFailures: 1,
      });
    });
  });
});
