import type { EventType } from '@hookline/contracts';
import { type Platform, PLATFORM_APPS, type PlatformApp } from '@hookline/platform-testing';
import { CONSUMER_SESSION_TIMEOUT_MS } from '@hookline/shared-kafka';
import type { Producer } from 'kafkajs';
import { DeliveryTally } from './delivery-tally';
import { EventStream, type PublishedEvent } from './event-stream';
import { traceMissingPairs } from './missing-pairs';
import { ReadinessProbe } from './readiness-probe';
import type { SuiteServers } from './suite-servers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The steady stream every case runs under, and the limits each case is held to. */
export const FAULT_SUITE = {
  eventsPerSecond: 20,
  /** The stream runs this long before the fault... */
  warmUpMs: 8_000,
  /** ...and this long after it ended. */
  afterFaultMs: 10_000,
  /**
   * A pair not yet received when the fault ended arrives within this time after its end: room
   * for a consumer group to settle after a broker restart (members of the old generation are
   * waited for up to their 30 s session timeout), none for a consumer that stopped for good.
   */
  resumeWithinMs: 45_000,
  /** Every pair of an event published before the fault ended arrives within this time. */
  drainWithinMs: 90_000,
} as const;

/**
 * The receiver's webhooks and what each takes. The stream cycles through the three scan events,
 * so an event matches three webhooks or two (about 47 deliveries/s at 20 events/s, well within
 * what one worker does on 2 cores), and a delivery to a webhook it does not match would show.
 */
export const SUBSCRIPTIONS: ReadonlyArray<{ path: string; events: readonly EventType[] }> = [
  { path: '/a', events: ['scan.completed'] },
  { path: '/b', events: ['scan.failed'] },
  { path: '/c', events: ['scan.started'] },
  { path: '/d', events: ['scan.completed', 'scan.failed'] },
  { path: '/e', events: ['scan.started', 'scan.completed'] },
];

/** The event types the stream publishes, in turn. */
const STREAM_TYPES: readonly EventType[] = ['scan.completed', 'scan.failed', 'scan.started'];

export const APP_LABELS: Record<PlatformApp, string> = {
  'config-api': 'api',
  'event-matcher': 'matcher',
  'delivery-worker': 'worker',
};

export interface FaultContext {
  readonly platform: Platform;
  readonly servers: SuiteServers;
  readonly paths: readonly string[];
}

export interface FaultCase {
  /** The table's "fault" column. */
  readonly name: string;
  /** Apps that cannot work during the fault: each must report not ready at least once in it. */
  readonly mustBeNotReady: readonly PlatformApp[];
  /**
   * Applies the fault and undoes it (a restart, SIGCONT, the receiver answering again); resolves
   * with the moment the fault ended, from which recovery is measured.
   */
  readonly inject: (context: FaultContext) => Promise<number>;
  /** Programs the receiver (beyond the default 200 to every path) once the case has reset it. */
  readonly prepare?: (context: FaultContext) => void;
}

export interface CaseResult {
  readonly name: string;
  readonly published: number;
  readonly acked: number;
  /** Every event the stream sent, with when. */
  readonly events: readonly PublishedEvent[];
  readonly expectedPairs: number;
  readonly receivedPairs: number;
  readonly duplicates: number;
  readonly maxPublishToReceiptMs: number | undefined;
  /** From the fault's end to the first receipt of a pair not received before it. */
  readonly resumeMs: number | undefined;
  /** From the fault's end until every pair of an event published before it had arrived. */
  readonly drainMs: number | undefined;
  readonly faultMs: number;
  readonly notReadyDuringFault: readonly PlatformApp[];
  /** Readiness changes and milestones, relative to the fault's start. */
  readonly timeline: readonly string[];
  /** Every assertion that failed, in words; empty when the case passed. */
  readonly problems: readonly string[];
}

/**
 * Runs one case: the stream, the fault, the wait for every acknowledged (event, path) pair, and
 * the readiness of every app sampled throughout. Returns what it measured and what failed;
 * it never throws for a broken platform, so the table has a row for every case.
 */
export async function runFaultCase(
  fault: FaultCase,
  context: FaultContext,
  producer: Pick<Producer, 'send'>,
): Promise<CaseResult> {
  const { platform } = context;
  const problems: string[] = [];
  platform.receiver.reset();
  fault.prepare?.(context);
  const tally = new DeliveryTally(platform.receiver);
  const stream = new EventStream({
    producer,
    topic: platform.topics.ingest,
    key: platform.company,
    eventsPerSecond: FAULT_SUITE.eventsPerSecond,
    next: (sequence) => {
      const type = STREAM_TYPES[sequence % STREAM_TYPES.length] ?? 'scan.completed';
      return {
        envelope: platform.envelope(type),
        paths: SUBSCRIPTIONS.filter((s) => s.events.includes(type)).map((s) => s.path),
      };
    },
  });
  const probe = new ReadinessProbe(
    PLATFORM_APPS.map((app) => ({ name: app, port: () => platform.app(app).port })),
  );

  const caseStart = Date.now();
  probe.start();
  stream.start();
  await sleep(FAULT_SUITE.warmUpMs);
  tally.update();
  if (tally.firstNewSince(stream.events, 0) === undefined) {
    problems.push('no delivery arrived before the fault: the platform did not work to begin with');
  }

  const faultStart = Date.now();
  let faultEnd: number;
  try {
    faultEnd = await fault.inject(context);
  } catch (error) {
    faultEnd = Date.now();
    problems.push(`the fault could not be applied and undone: ${(error as Error).message}`);
  }
  await sleep(FAULT_SUITE.afterFaultMs);
  await stream.stop();

  const acked = stream.acked();
  const beforeEnd = acked.filter((event) => event.sentAt < faultEnd);
  const deadline = faultEnd + FAULT_SUITE.drainWithinMs;
  for (;;) {
    tally.update();
    if (tally.missing(acked).length === 0 || Date.now() > deadline) break;
    // Nothing at all since the fault ended, past the limit: waiting longer shows nothing new.
    const stuck =
      Date.now() > faultEnd + FAULT_SUITE.resumeWithinMs &&
      tally.firstNewSince(acked, faultEnd) === undefined;
    if (stuck) break;
    await sleep(250);
  }
  // Late copies of what already arrived still count as duplicates.
  await sleep(1_000);
  tally.update();
  // An app that recovered is ready again. A consumer that crashed while the broker was away rejoins
  // its group only once the coordinator dropped its old member (one session timeout); past that
  // and a little start-up time, an app still not ready did not recover.
  const readyBy = Date.now() + CONSUMER_SESSION_TIMEOUT_MS + 15_000;
  while (
    Date.now() < readyBy &&
    PLATFORM_APPS.some((app) => probe.latest(app)?.state !== 'ready')
  ) {
    await sleep(250);
  }
  const caseEnd = Date.now();
  await probe.stop();

  const missing = tally.missing(acked);
  const expectedPairs = acked.reduce((sum, event) => sum + event.paths.length, 0);
  let duplicates = 0;
  let maxLatency: number | undefined;
  for (const event of acked) {
    for (const path of event.paths) {
      duplicates += tally.duplicates(event.eventId, path);
      const at = tally.firstAt(event.eventId, path);
      if (at !== undefined) maxLatency = Math.max(maxLatency ?? 0, at - event.sentAt);
    }
  }
  const resumedAt = tally.firstNewSince(acked, faultEnd);
  const resumeMs = resumedAt === undefined ? undefined : resumedAt - faultEnd;
  let drainMs: number | undefined;
  if (tally.missing(beforeEnd).length === 0) {
    const last = Math.max(
      faultEnd,
      ...beforeEnd.flatMap((e) => e.paths.map((p) => tally.firstAt(e.eventId, p) ?? 0)),
    );
    drainMs = last - faultEnd;
  }
  const notReadyDuringFault = PLATFORM_APPS.filter((app) =>
    probe.wasNotReady(app, faultStart, faultEnd),
  );

  if (missing.length > 0) {
    const byPath = new Map<string, number>();
    for (const { path } of missing) byPath.set(path, (byPath.get(path) ?? 0) + 1);
    problems.push(
      `${missing.length} of ${expectedPairs} acknowledged (event, webhook) pairs never arrived ` +
        `(${[...byPath].map(([path, n]) => `${path}: ${n}`).join(', ')}) by ${seconds(caseEnd - faultEnd)} after the fault`,
    );
  }
  if (resumeMs === undefined || resumeMs > FAULT_SUITE.resumeWithinMs) {
    problems.push(
      resumeMs === undefined
        ? `no new delivery after the fault ended (waited ${seconds(caseEnd - faultEnd)})`
        : `the first new delivery came ${seconds(resumeMs)} after the fault, over ${seconds(FAULT_SUITE.resumeWithinMs)}`,
    );
  }
  if (drainMs === undefined || drainMs > FAULT_SUITE.drainWithinMs) {
    problems.push(
      drainMs === undefined
        ? `the backlog of events published before the fault ended was not drained (limit ${seconds(FAULT_SUITE.drainWithinMs)})`
        : `the backlog drained ${seconds(drainMs)} after the fault, over ${seconds(FAULT_SUITE.drainWithinMs)}`,
    );
  }
  for (const app of fault.mustBeNotReady) {
    if (!notReadyDuringFault.includes(app)) {
      problems.push(`${app} reported ready throughout the fault, although it could not work`);
    }
  }
  for (const app of PLATFORM_APPS) {
    const latest = probe.latest(app)?.state;
    if (latest !== 'ready')
      problems.push(`${app} is ${latest ?? 'unprobed'} at the end of the case`);
  }
  const failedSends = stream.events.filter((e) => e.error !== undefined);
  if (failedSends.length > 0 && failedSends.length === stream.events.length) {
    problems.push(`the producer saw no event acknowledged: ${failedSends[0]?.error ?? ''}`);
  }

  const timeline = [
    `case start ${seconds(caseStart - faultStart, true)}, fault ended ${seconds(faultEnd - faultStart, true)}` +
      `, first new delivery ${resumedAt === undefined ? 'never' : seconds(resumedAt - faultStart, true)}` +
      `, backlog drained ${drainMs === undefined ? 'never' : seconds(faultEnd + drainMs - faultStart, true)}` +
      `, case end ${seconds(caseEnd - faultStart, true)}`,
    ...PLATFORM_APPS.map(
      (app) =>
        `${APP_LABELS[app]}: ${probe.timeline(app, faultStart - 1_000, caseEnd, faultStart)}`,
    ),
  ];
  if (failedSends.length > 0) {
    timeline.push(`${failedSends.length} sends failed: ${failedSends[0]?.error ?? ''}`);
  }
  if (problems.length > 0)
    timeline.push(...(await diagnose(platform, missing, sendNotes(stream.events, missing))));

  return {
    name: fault.name,
    published: stream.events.length,
    acked: acked.length,
    events: stream.events,
    expectedPairs,
    receivedPairs: expectedPairs - missing.length,
    duplicates,
    maxPublishToReceiptMs: maxLatency,
    resumeMs,
    drainMs,
    faultMs: faultEnd - faultStart,
    notReadyDuringFault,
    timeline,
    problems,
  };
}

/**
 * What the database and the apps' error lines say, for a case that failed, and where each
 * missing pair got lost.
 */
async function diagnose(
  platform: Platform,
  missing: ReadonlyArray<{ eventId: string; path: string }>,
  notes: ReadonlyMap<string, string>,
): Promise<string[]> {
  const lines: string[] = [];
  try {
    lines.push(
      ...(await Promise.race([
        traceMissingPairs(platform, missing, notes),
        sleep(90_000).then(() => Promise.reject(new Error('no answer in 90 s'))),
      ])),
    );
  } catch (error) {
    lines.push(`missing pairs: not traced (${(error as Error).message})`);
  }
  try {
    const rows: Array<{ status: string; n: number }> = await Promise.race([
      platform.dataSource.query(
        `SELECT status, count(*)::int AS n FROM deliveries GROUP BY status ORDER BY status`,
      ),
      sleep(5_000).then(() => Promise.reject(new Error('no answer in 5 s'))),
    ]);
    lines.push(
      `deliveries by status (the whole database, earlier cases included): ${rows.map((r) => `${r.status} ${r.n}`).join(', ')}`,
    );
  } catch (error) {
    lines.push(`deliveries by status: unreadable (${(error as Error).message})`);
  }
  for (const app of PLATFORM_APPS) {
    const errors = platform
      .app(app)
      .output()
      .split('\n')
      .filter((line) => /"level":(50|60)/.test(line));
    const last = errors.at(-1);
    if (last !== undefined) {
      lines.push(`${APP_LABELS[app]}: ${errors.length} error lines, last: ${last.slice(0, 400)}`);
    }
  }
  return lines;
}

/**
 * For each missing event, how the stream's send before its own ended: an event acknowledged but
 * on no topic right after a failed send is what a producer reusing the failed send's sequence
 * numbers looks like.
 */
function sendNotes(
  events: readonly PublishedEvent[],
  missing: ReadonlyArray<{ eventId: string }>,
): Map<string, string> {
  const notes = new Map<string, string>();
  const wanted = new Set(missing.map((m) => m.eventId));
  for (const [i, event] of events.entries()) {
    if (!wanted.has(event.eventId) || notes.has(event.eventId)) continue;
    const previous = events
      .slice(0, i)
      .reverse()
      .find((e) => e.sentAt < event.sentAt);
    notes.set(
      event.eventId,
      previous === undefined
        ? 'the first send'
        : previous.error === undefined
          ? 'the send before it was acknowledged'
          : `the send before it failed: ${previous.error.slice(0, 120)}`,
    );
  }
  return notes;
}

function seconds(ms: number, signed = false): string {
  const text = `${(ms / 1000).toFixed(1)} s`;
  return signed && ms >= 0 ? `+${text}` : text;
}
