import {
  deliveryIdFor,
  type DeliveryRequested,
  KAFKA_TOPICS,
  SAMPLE_ENVELOPES,
} from '@hookline/contracts';
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  type DeliveryState,
  recordAttempt,
} from '@hookline/deliveries-domain';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DeliveryLogStore } from '../../delivery-log.store';
import { DeliveryWorkStore } from '../../delivery-work.store';
import { DELIVERIES_MIGRATIONS } from '../../migrations';
import type { ClaimOptions } from '../claims';

// What the integration specs of the work store share: requests, outcomes and probes.

export const envelope = SAMPLE_ENVELOPES['scan.completed'];
export const LONG_LEASE_MS = 60_000;
export const FAILED: AttemptOutcome = {
  ok: false,
  failure: 'http_5xx',
  statusCode: 500,
  message: 'HTTP 500',
  durationMs: 12,
};
export const SUCCEEDED: AttemptOutcome = { ok: true, statusCode: 200, durationMs: 8 };

/** A request for a new event (its own delivery) to `webhookId`. */
export function request(
  webhookId: string,
  overrides: Partial<DeliveryRequested> = {},
): DeliveryRequested {
  const eventId = randomUUID();
  return {
    schemaVersion: 1,
    deliveryId: deliveryIdFor(eventId, webhookId),
    eventId,
    webhookId,
    webhookVersion: 1,
    company: envelope.data.company,
    eventType: 'scan.completed',
    envelope: { ...envelope, event_id: eventId },
    trigger: 'first',
    requestedAt: new Date().toISOString(),
    correlationId: eventId,
    ...overrides,
  };
}

export const requests = (webhookId: string, n: number) =>
  Array.from({ length: n }, () => request(webhookId));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const waitFor = async <T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
};

export function only<T>(items: readonly T[]): T {
  if (items.length !== 1) throw new Error(`expected one item, got ${items.length}`);
  return items[0] as T;
}

export const fail = (state: DeliveryState) =>
  recordAttempt(state, FAILED, DEFAULT_RETRY_POLICY, new Date());
export const succeed = (state: DeliveryState) =>
  recordAttempt(state, SUCCEEDED, DEFAULT_RETRY_POLICY, new Date());

export interface OutboxRow {
  value: string;
  headers: Record<string, string>;
}

export interface QueueRow {
  delivery_id: string;
  webhook_id: string;
  due_at: Date;
  claim_id: string | null;
  claimed_until: Date | null;
}

/** The stores of a migrated database, and a second connection pool for racing claims. */
export interface WorkStoreSetup {
  /** The database's URL, for a spec that opens connections of its own. */
  readonly url: string;
  readonly dataSource: DataSource;
  readonly otherDataSource: DataSource;
  readonly work: DeliveryWorkStore;
  readonly log: DeliveryLogStore;
  close(): Promise<void>;
}

export async function openWorkStore(url: string): Promise<WorkStoreSetup> {
  const migrations = [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS];
  await runMigrations({ url, migrations });
  const dataSource = await createDataSource({ url, migrations }).initialize();
  const otherDataSource = await createDataSource({ url, migrations }).initialize();
  return {
    url,
    dataSource,
    otherDataSource,
    work: new DeliveryWorkStore(dataSource),
    log: new DeliveryLogStore(dataSource),
    close: async () => {
      await otherDataSource.destroy();
      await dataSource.destroy();
    },
  };
}

/**
 * A migrated database of its own for the describe block this is called in: created before its
 * tests, dropped after them, and every test starts with an empty queue (claims take every due
 * row of the database). `get` returns the open stores; the probes run against them.
 */
export function useWorkStore(name: string) {
  let db: TestDatabase | undefined;
  let setup: WorkStoreSetup | undefined;
  const get = (): WorkStoreSetup => {
    if (!setup) throw new Error(`the work store ${name} is not open`);
    return setup;
  };
  beforeAll(async () => {
    db = await createTestDatabase(name);
    setup = await openWorkStore(db.url);
  });
  afterAll(async () => {
    await setup?.close();
    await db?.drop();
  });
  beforeEach(() => get().dataSource.query(`DELETE FROM delivery_queue`));
  return { get, ...workProbes(get) };
}

/** Probes of the work tables, on the setup `get` returns when called. */
export function workProbes(get: () => WorkStoreSetup) {
  return {
    claimAll: (options: Partial<ClaimOptions> = {}, store = get().work) =>
      store.claim({
        limit: 100,
        perWebhookLimit: 100,
        skipWebhooks: [],
        leaseMs: LONG_LEASE_MS,
        ...options,
      }),

    queueRow: async (deliveryId: string): Promise<QueueRow | undefined> =>
      (
        await get().dataSource.query(
          `SELECT delivery_id, webhook_id, due_at, claim_id, claimed_until
             FROM delivery_queue WHERE delivery_id = $1`,
          [deliveryId],
        )
      )[0],

    /**
     * Makes a claim's leases run out now, as if its worker died, instead of sleeping past a short
     * lease: a spec that needs a lease to last until its next claim cannot rely on a short one on
     * a busy machine.
     */
    runOutLeases: (...claims: ReadonlyArray<{ readonly claimId: string }>) =>
      get().dataSource.query(
        `UPDATE delivery_queue SET claimed_until = now() - interval '1 millisecond'
          WHERE claim_id = ANY($1::uuid[])`,
        [claims.map((claim) => claim.claimId)],
      ),

    /** Moves a scheduled retry to now instead of waiting for it. */
    makeDue: (deliveryId: string) =>
      get().dataSource.query(`UPDATE delivery_queue SET due_at = now() WHERE delivery_id = $1`, [
        deliveryId,
      ]),

    count: async (sql: string, params: unknown[] = []) =>
      Number((await get().dataSource.query(sql, params))[0].n),

    types: async (deliveryId: string) =>
      (await get().log.history(deliveryId)).map((event) => event.type),

    /** The outbox rows of `webhooks.commands` for `webhookId`, oldest first. */
    commands: (webhookId: string): Promise<OutboxRow[]> =>
      get().dataSource.query(
        `SELECT value, headers FROM outbox WHERE topic = $1 AND message_key = $2 ORDER BY id`,
        [KAFKA_TOPICS.webhooksCommands, webhookId],
      ),
  };
}
