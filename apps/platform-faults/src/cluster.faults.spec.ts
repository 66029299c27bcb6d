import { deliveryIdFor } from '@hookline/contracts';
import { Platform, type PlatformApp } from '@hookline/platform-testing';
import { createKafka, type RenewingProducer, renewingProducer } from '@hookline/shared-kafka';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClusterServers } from './testing/cluster-servers';
import { type CaseResult, type FaultCase, runFaultCase, SUBSCRIPTIONS } from './testing/fault-case';
import { renderReport, writeReport } from './testing/fault-report';
import { SuiteServers } from './testing/suite-servers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every topic at replication factor 3 with 2 in sync, through the topic catalog's settings. */
const REPLICATION = { factor: 3, minInsync: 2 } as const;

/** As in the infrastructure cases: retries ride out the faults, claims come free in seconds. */
const WORKER_SETTINGS = {
  HOOKLINE_DELIVERY_TIMEOUT_MS: '5000',
  HOOKLINE_DELIVERY_LEASE_MS: '15000',
  HOOKLINE_RETRY_POLICY: 'attempts=8;delays=2,4,8,15,20,20,20',
  HOOKLINE_AUTO_PAUSE_THRESHOLD: '10000',
};

/**
 * How long the killed broker stays down, and how soon after its restart it must be in sync. The
 * cluster fences a broker that stopped heartbeating after `broker.session.timeout.ms` (9 s by
 * default) and moves its partitions and its consumer groups to the two left; the 16 s after that
 * show whether delivery goes on without it.
 */
const BROKER_DOWN_MS = 25_000;
const REJOIN_WITHIN_MS = 120_000;
/** When, after the kill, the cluster has fenced the broker (9 s) and moved its groups on. */
const FENCED_AFTER_MS = 12_000;
/** How long a read of the worker group's commits is tried again while partitions elect leaders. */
const COMMITS_READ_FOR_MS = 8_000;

/** What a consumer group logs when it follows its coordinator to another broker (ADR 0015). */
const COORDINATOR_FOLLOWED = 'following it to another broker';

/** The fleet: how many processes of each app. */
const FLEET: Record<PlatformApp, number> = {
  'config-api': 2,
  'event-matcher': 2,
  'delivery-worker': 3,
};
/** The per-endpoint limit every worker is given: the whole fleet may hold this many calls. */
const ENDPOINT_LIMIT = 4;
const AUTO_PAUSE_THRESHOLD = 25;
const FLEET_WORKER_SETTINGS = {
  ...WORKER_SETTINGS,
  HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY: String(ENDPOINT_LIMIT),
  HOOKLINE_AUTO_PAUSE_THRESHOLD: String(AUTO_PAUSE_THRESHOLD),
};
/** Failing calls a flaky endpoint answers 500 before it answers 200: fewer than the threshold. */
const FLAKY_FAILURES = 6;

/**
 * Issue 13, points 3 and 4: the platform on a three-broker KRaft cluster (`infra:up --brokers=3`,
 * every topic replicated three times with two in sync, producers at acks=all), under the fault
 * suite's steady stream: one broker SIGKILLed and restarted, and several processes of each app,
 * one of each SIGKILLed. Both hold the platform to what the infrastructure cases do
 * (every acknowledged event reaches every webhook it matches, delivery recovers by itself) and
 * to their own checks; the table goes to stdout and dist/faults/cluster-report.md.
 */
describe('a three-broker cluster and a fleet of processes', () => {
  const results: CaseResult[] = [];
  const notes: string[] = [];
  const suiteStart = Date.now();
  const cluster = new ClusterServers();
  let suiteServers: SuiteServers;
  // A broker lost mid-stream can end an idempotent session: the stream's producer renews it, as
  // the apps' do.
  let producer: RenewingProducer;
  const platforms: Platform[] = [];

  const startPlatform = async (
    worker: Record<string, string>,
    configApi: Record<string, string> = {},
  ): Promise<Platform> => {
    const platform = new Platform({
      kafkaBrokers: cluster.brokers,
      replication: REPLICATION,
      worker,
      configApi,
      partitions: 6,
      readyTimeoutMs: 90_000,
      configApiFirst: true,
    });
    platforms.push(platform);
    await platform.start();
    return platform;
  };

  beforeAll(async () => {
    suiteServers = new SuiteServers();
    const started = Date.now();
    await cluster.start();
    notes.push(
      `three-broker cluster (${cluster.brokers.join(', ')}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    producer = renewingProducer(
      createKafka({ brokers: cluster.brokers, clientId: 'fault-stream' }),
    );
    await producer.connect();
  });

  afterAll(async () => {
    // Each process's output, for whoever reads a failure: dist/faults/cluster-logs/.
    const logs = path.resolve(__dirname, '../../../dist/faults/cluster-logs');
    // Only this run's: a case not run this time leaves no log of an earlier run behind.
    rmSync(logs, { recursive: true, force: true });
    mkdirSync(logs, { recursive: true });
    platforms.forEach((platform, n) => {
      for (const app of Object.keys(FLEET) as PlatformApp[]) {
        for (let replica = 0; replica < platform.replicas(app); replica += 1) {
          const name = `case${n + 1}-${app}${replica === 0 ? '' : `-${replica}`}.log`;
          writeFileSync(path.join(logs, name), platform.app(app, replica).output());
        }
      }
    });
    const report = renderReport(results, Date.now() - suiteStart, notes);
    const file = writeReport(report, 'cluster-report.md');
    process.stdout.write(`\n${report}\n(written to ${file})\n`);
    await producer?.disconnect();
    await Promise.all(platforms.map((platform) => platform.stop('SIGKILL').catch(() => undefined)));
    await cluster.stop();
  });

  /**
   * The coordinator of the worker's consumer group (which leads a third of every topic's
   * partitions too) is SIGKILLed while the stream runs and restarted 25 s later. Three faults of
   * the platform showed here and nowhere on one broker: kafkajs resolving a send whose partition
   * moved to a broker that had already answered, without writing it (the matcher committed past
   * events whose deliveries were never produced; ADR 0013); a consumer retrying its commits
   * against a coordinator that had died or come back as no coordinator, so the worker's intake
   * stopped for minutes while it said ready; and a member that never looked for its group's new
   * coordinator, so the worker took in nothing until the dead broker was back (ADR 0015). A
   * failure prints, per missing pair, whether it is on the ingest and deliveries topics,
   * committed, and in the database.
   */
  it('a broker SIGKILLed mid-stream, restarted 25 s later: nothing acknowledged lost, delivery goes on without it, the broker rejoins', async () => {
    const platform = await startPlatform(WORKER_SETTINGS);
    const webhooks = await Promise.all(
      SUBSCRIPTIONS.map(({ path, events }) => platform.createWebhook(path, { events })),
    );
    const webhookByPath = new Map(SUBSCRIPTIONS.map((s, i) => [s.path, webhooks[i]?.id ?? '']));
    const topics = Object.values(platform.topics);
    const replication = await cluster.replication([
      platform.topics.ingest,
      platform.topics.deliveries,
    ]);
    // Every topic of the cluster, not only the platform's: one partition held by the victim alone
    // has no leader while it is down, and kafkajs fails every metadata request naming all topics
    // (an admin's, a producer's starting a session) until it is back.
    const everyTopic = await cluster.replication();

    let victim = -1;
    let killedAt = 0;
    let restartedAt = 0;
    let rejoined: Promise<number> | undefined;
    // Read again for a few seconds while the cluster is between leaders.
    const committed = async (): Promise<number | string> => {
      const until = Date.now() + COMMITS_READ_FOR_MS;
      for (;;) {
        try {
          return await cluster.committedTotal(platform.groups.worker, platform.topics.deliveries);
        } catch (error) {
          if (Date.now() > until) return `not read: ${(error as Error).message}`;
          await sleep(500);
        }
      }
    };
    let commitsFenced: number | string = 'not read';
    let commitsBeforeRestart: number | string = 'not read';
    const fault: FaultCase = {
      name: `broker SIGKILL (the worker group's coordinator), restarted ${BROKER_DOWN_MS / 1000} s later`,
      // Two brokers of three hold every partition's quorum: nothing has to stop.
      mustBeNotReady: [],
      inject: async () => {
        victim = await cluster.coordinatorOf(platform.groups.worker);
        await cluster.kill(victim);
        killedAt = Date.now();
        // The worker group's commits from once the cluster has fenced the dead broker to the
        // end of its outage: they land only if the group found the coordinator that took over.
        await sleep(FENCED_AFTER_MS);
        commitsFenced = await committed();
        await sleep(Math.max(0, killedAt + BROKER_DOWN_MS - Date.now()));
        commitsBeforeRestart = await committed();
        // The fault ends when the node serves its port again; `up` goes on to check the cluster.
        const up = cluster.up();
        await Promise.race([cluster.waitForListening(victim, 120_000), up]);
        restartedAt = Date.now();
        rejoined = cluster.waitForRejoin(victim, REJOIN_WITHIN_MS);
        await up;
        return restartedAt;
      },
    };
    const result = await runFaultCase(
      fault,
      { platform, servers: suiteServers, paths: SUBSCRIPTIONS.map((s) => s.path) },
      producer,
    );
    results.push(result);
    const rejoinMs = await (rejoined ?? Promise.reject(new Error('the broker was not restarted')));
    const replicationAfter = await cluster.replication(
      topics.filter((t) => t !== platform.topics.deliveriesDlq),
    );

    // Distinct delivery ids the receiver got, those that arrived while the broker was down, and
    // of those the deliveries of events published after the kill: what went through the whole
    // pipeline (ingest, matcher, deliveries topic, worker) on two brokers.
    const sentAt = new Map(result.events.map((event) => [event.eventId, event.sentAt]));
    const received = new Map<string, number>();
    let newDuringOutage = 0;
    let throughDuringOutage = 0;
    let firstThrough = Number.POSITIVE_INFINITY;
    for (const request of platform.receiver.requests()) {
      const eventId = (JSON.parse(request.body) as { event_id: string }).event_id;
      const deliveryId = deliveryIdFor(eventId, webhookByPath.get(request.path) ?? '');
      const during = request.receivedAt >= killedAt && request.receivedAt < restartedAt;
      if (!received.has(deliveryId) && during) {
        newDuringOutage += 1;
        if ((sentAt.get(eventId) ?? 0) >= killedAt) {
          throughDuringOutage += 1;
          firstThrough = Math.min(firstThrough, request.receivedAt);
        }
      }
      received.set(deliveryId, (received.get(deliveryId) ?? 0) + 1);
    }
    // What the apps recovered from, from their warnings: sends kafkajs resolved with partitions
    // unwritten (sent again), idempotent sessions replaced, and consumer groups that followed
    // their coordinator to another broker (each says so once).
    const recoveries = (Object.keys(FLEET) as PlatformApp[]).map((app) => {
      const output = platform.app(app).output();
      const count = (text: string) => output.split(text).length - 1;
      return (
        `${app} ${count('partitions unwritten')} resent, ${count('starting a new session')} renewed, ` +
        `${count(COORDINATOR_FOLLOWED)} coordinators followed`
      );
    });

    notes.push(
      `broker kill: node ${victim} down ${((restartedAt - killedAt) / 1000).toFixed(1)} s; ` +
        `${result.acked} events acknowledged, ${result.receivedPairs}/${result.expectedPairs} deliveries ` +
        `(${received.size} distinct delivery ids received), ${result.duplicates} duplicates; ` +
        `${newDuringOutage} new deliveries while it was down, ${throughDuringOutage} of them of events ` +
        `published after the kill, the first ` +
        `${Number.isFinite(firstThrough) ? `${((firstThrough - killedAt) / 1000).toFixed(1)} s` : 'never'} after the kill; ` +
        `drained ${result.drainMs === undefined ? 'never' : `${(result.drainMs / 1000).toFixed(1)} s`} after the restart; ` +
        `back in every in-sync set ${(rejoinMs / 1000).toFixed(1)} s after the restart; ` +
        `the worker group's commits on the deliveries topic ${commitsFenced} once the broker was ` +
        `fenced, ${commitsBeforeRestart} before its restart; ` +
        `recoveries: ${recoveries.join(', ')}`,
    );
    expect(result.problems).toEqual([]);
    expect(replication).toEqual({ replicas: 3, inSync: 3 });
    expect(everyTopic).toEqual({ replicas: 3, inSync: 3 });
    expect(received.size).toBeGreaterThanOrEqual(result.expectedPairs);
    // Delivery went on without the broker: events published after it died reached the receiver
    // before it was back.
    expect(throughDuringOutage).toBeGreaterThan(0);
    // The worker group kept committing on the two brokers left: its member followed the
    // coordinator (ADR 0015) or rejoined the group, which looks the coordinator up again; either
    // way, not the stall that waited for the dead broker.
    expect({ commitsFenced, commitsBeforeRestart }).toEqual({
      commitsFenced: expect.any(Number),
      commitsBeforeRestart: expect.any(Number),
    });
    expect(Number(commitsBeforeRestart)).toBeGreaterThan(Number(commitsFenced));
    expect(replicationAfter).toEqual({ replicas: 3, inSync: 3 });
  });

  it('two config APIs, two matchers, three workers; one of each SIGKILLed: nothing lost, the endpoint limit holds across the fleet', async () => {
    // Room for the manual retries of the replay below.
    const platform = await startPlatform(FLEET_WORKER_SETTINGS, {
      HOOKLINE_RATE_LIMIT_COSTLY_PER_MINUTE: '10000',
    });
    const replicas = (Object.entries(FLEET) as Array<[PlatformApp, number]>).flatMap(
      ([app, count]) => Array.from({ length: count - 1 }, (_, i) => ({ app, replica: i + 1 })),
    );
    await Promise.all(replicas.map(({ app, replica }) => platform.startApp(app, {}, replica)));
    await Promise.all(
      SUBSCRIPTIONS.map(({ path, events }) => platform.createWebhook(path, { events })),
    );
    // Beside the five: an endpoint that never answers, one that fails every call until replayed,
    // and one that fails its first calls and then recovers (each failure retried).
    platform.receiver.on('/hang', { hang: true });
    const hang = await platform.createWebhook('/hang', { events: ['scan.completed'] });
    const failing = await platform.createWebhook('/fail', {
      events: ['scan.completed', 'scan.failed', 'scan.started'],
    });
    const flaky = await platform.createWebhook('/flaky', { events: ['scan.failed'] });
    const programme = () => {
      platform.receiver.on('/hang', { hang: true });
      platform.receiver.on('/fail', { status: 500, body: 'down' });
      platform.receiver.on('/flaky', {
        sequence: [
          ...Array.from({ length: FLAKY_FAILURES }, () => ({ status: 500, body: 'not yet' })),
          { status: 200, body: 'ok' },
        ],
      });
    };

    const fault: FaultCase = {
      name: 'fleet (2 APIs, 2 matchers, 3 workers): SIGKILL of one of each, not restarted',
      mustBeNotReady: [],
      prepare: programme,
      inject: async () => {
        await Promise.all([
          platform.app('config-api', 1).kill('SIGKILL'),
          platform.app('event-matcher', 1).kill('SIGKILL'),
          platform.app('delivery-worker', 1).kill('SIGKILL'),
        ]);
        return Date.now();
      },
    };
    const result = await runFaultCase(
      fault,
      { platform, servers: suiteServers, paths: SUBSCRIPTIONS.map((s) => s.path) },
      producer,
    );
    results.push(result);

    // The endpoint limit, across the fleet, measured at the endpoint.
    const maxInFlight = platform.receiver.maxInFlight('/hang');
    const hangCalls = platform.receiver.requests('/hang').length;

    // Auto-pause counted once: one command for the failing webhook, whichever workers failed it.
    const commands = (await platform.readTopic(platform.topics.commands, 1_000, 8_000)).filter(
      (value) => value.includes(failing.id),
    );
    const failingState = await platform.api<{ status: string }>(
      'GET',
      `/v1/webhooks/${failing.id}`,
    );

    // Retries claimed by one worker each: the receiver saw no more calls per delivery than the
    // log holds attempts, but where a worker died with the call in flight.
    const flakyCalls = new Map<string, number>();
    for (const request of platform.receiver.requests('/flaky')) {
      const eventId = (JSON.parse(request.body) as { event_id: string }).event_id;
      flakyCalls.set(eventId, (flakyCalls.get(eventId) ?? 0) + 1);
    }
    const attempts: Array<{ delivery_id: string; n: number }> = await platform.dataSource.query(
      `SELECT delivery_id, count(*)::int AS n FROM delivery_events
        WHERE webhook_id = $1 AND type IN ('AttemptSucceeded', 'AttemptFailed') GROUP BY delivery_id`,
      [flaky.id],
    );
    const attemptsBy = new Map(attempts.map((row) => [row.delivery_id, row.n]));
    let flakyExtra = 0;
    let retried = 0;
    for (const [eventId, calls] of flakyCalls) {
      const logged = attemptsBy.get(deliveryIdFor(eventId, flaky.id)) ?? 0;
      if (calls > 1) retried += 1;
      flakyExtra += Math.max(0, calls - logged);
    }

    // Replays claimed by one worker each: the failing webhook re-activated and answering, a
    // manual retry of each of its finished deliveries arrives once.
    platform.receiver.on('/fail', { status: 200, body: 'ok' });
    const activated = await platform.api('POST', `/v1/webhooks/${failing.id}/activate`);
    await sleep(2_000);
    const finished: Array<{ delivery_id: string; event_id: string }> =
      await platform.dataSource.query(
        `SELECT delivery_id, event_id FROM deliveries
          WHERE webhook_id = $1 AND status IN ('failed', 'skipped_while_paused')
          ORDER BY created_at LIMIT 60`,
        [failing.id],
      );
    const replayStart = Date.now();
    const retries = await Promise.all(
      finished.map((row) => platform.api('POST', `/v1/deliveries/${row.delivery_id}/retry`)),
    );
    const replayed = new Set(finished.map((row) => row.event_id));
    const replayCalls = () => {
      const calls = new Map<string, number>();
      for (const request of platform.receiver.requests('/fail')) {
        if (request.receivedAt < replayStart) continue;
        const eventId = (JSON.parse(request.body) as { event_id: string }).event_id;
        if (replayed.has(eventId)) calls.set(eventId, (calls.get(eventId) ?? 0) + 1);
      }
      return calls;
    };
    const replayDeadline = Date.now() + 60_000;
    while (replayCalls().size < replayed.size && Date.now() < replayDeadline) await sleep(250);
    await sleep(2_000);
    const replay = replayCalls();
    const replayDuplicates = [...replay.values()].reduce((sum, n) => sum + n - 1, 0);

    notes.push(
      `fleet: ${result.acked} events, ${result.receivedPairs}/${result.expectedPairs} deliveries, ` +
        `${result.duplicates} duplicates at /a-/e (one worker died with calls in flight); ` +
        `hanging endpoint: at most ${maxInFlight} calls in flight at once from the fleet ` +
        `(limit ${ENDPOINT_LIMIT}, ${hangCalls} calls in all); auto-pause commands for the ` +
        `failing webhook: ${commands.length}; /flaky: ${retried} deliveries retried, ` +
        `${flakyExtra} calls beyond the attempts logged; replay of ${finished.length} ` +
        `finished deliveries: ${replay.size} arrived, ${replayDuplicates} duplicates`,
    );
    expect(result.problems).toEqual([]);
    expect(maxInFlight).toBeLessThanOrEqual(ENDPOINT_LIMIT);
    // The limit was reached: with three workers it would have been 3 times as much before.
    expect(maxInFlight).toBe(ENDPOINT_LIMIT);
    expect(commands).toHaveLength(1);
    expect(failingState.body.status).toBe('paused');
    expect(retried).toBeGreaterThan(0);
    // Only calls in flight at the killed worker can be beyond the log: at most the limit's worth.
    expect(flakyExtra).toBeLessThanOrEqual(ENDPOINT_LIMIT);
    expect(activated.status).toBe(200);
    expect(finished.length).toBeGreaterThan(0);
    expect(retries.every((response) => response.status === 202)).toBe(true);
    expect(replay.size).toBe(replayed.size);
    expect(replayDuplicates).toBe(0);
    expect(hang.id).toBeDefined();
  });
});
