import { deliveryIdFor } from '@hookline/contracts';
import type { Platform } from '@hookline/platform-testing';
import { createKafka } from '@hookline/shared-kafka';
import { randomUUID } from 'node:crypto';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A message of a topic read whole: where it is, and its value. */
interface Located {
  readonly partition: number;
  readonly offset: number;
}

/** Where one missing (event, webhook) pair got to, from the ingest topic to the database. */
interface PairTrace {
  readonly eventId: string;
  readonly path: string;
  readonly deliveryId: string | undefined;
  /** Where the event is on the ingest topic, if it is there. */
  readonly ingest: Located | undefined;
  /** Whether the matcher's group committed past the event's offset. */
  readonly ingestCommitted: boolean;
  /** Where its DeliveryRequested is on the deliveries topic, if it was produced. */
  readonly request: Located | undefined;
  /** Whether a worker group committed past the request's offset. */
  readonly requestCommitted: boolean;
  /** The delivery's status in `deliveries`, if it was taken in. */
  readonly status: string | undefined;
  readonly queued: boolean;
  /** The stage it was lost at, in words. */
  readonly verdict: string;
}

/**
 * For a case that lost pairs: each missing (event, path) pair followed through the platform,
 * so a failure says where it got lost. The event on the ingest topic and the matcher's committed
 * offset past it, its DeliveryRequested on the deliveries topic (read whole) and the workers'
 * committed offset past that, its rows in `delivery_requests`, `deliveries` and `delivery_queue`.
 * Returns the lines for the report: a count per stage, then the first pairs in detail.
 */
export async function traceMissingPairs(
  platform: Platform,
  missing: ReadonlyArray<{ eventId: string; path: string }>,
  /** What the stream knows of an event's send, by event id, added to its lines. */
  sendNotes: ReadonlyMap<string, string> = new Map(),
  detailed = 25,
): Promise<string[]> {
  if (missing.length === 0) return [];
  const traces = await tracePairs(platform, missing);
  const byVerdict = new Map<string, number>();
  for (const trace of traces) byVerdict.set(trace.verdict, (byVerdict.get(trace.verdict) ?? 0) + 1);
  return [
    `missing pairs by where they got lost: ${[...byVerdict].map(([verdict, n]) => `${n} ${verdict}`).join('; ')}`,
    ...traces
      .slice(0, detailed)
      .map(
        (t) =>
          `missing ${t.deliveryId ?? '(no webhook for the path)'} (event ${t.eventId}, ${t.path}): ` +
          `ingest ${where(t.ingest)}${t.ingest ? (t.ingestCommitted ? ', committed' : ', not committed') : ''}; ` +
          `deliveries topic ${where(t.request)}${t.request ? (t.requestCommitted ? ', committed' : ', not committed') : ''}; ` +
          `database ${t.status ?? 'no row'}${t.queued ? ', queued' : ''} => ${t.verdict}` +
          (sendNotes.has(t.eventId) ? ` (${sendNotes.get(t.eventId)})` : ''),
      ),
  ];
}

async function tracePairs(
  platform: Platform,
  missing: ReadonlyArray<{ eventId: string; path: string }>,
): Promise<PairTrace[]> {
  const webhooks: Array<{ id: string; url: string | null }> = await platform.dataSource.query(
    `SELECT id, state->>'url' AS url FROM webhooks`,
  );
  const webhookOf = (path: string) =>
    webhooks.find((w) => w.url !== null && new URL(w.url).pathname === path)?.id;
  const pairs = missing.map(({ eventId, path }) => {
    const webhookId = webhookOf(path);
    return {
      eventId,
      path,
      deliveryId: webhookId === undefined ? undefined : deliveryIdFor(eventId, webhookId),
    };
  });
  const eventIds = new Set(pairs.map((p) => p.eventId));
  const deliveryIds = new Set(pairs.flatMap((p) => (p.deliveryId ? [p.deliveryId] : [])));

  const kafka = createKafka({ brokers: platform.brokers, clientId: 'faults-trace' });
  const ingest = await readWhole(kafka, platform.topics.ingest, (value) => {
    const id = (JSON.parse(value) as { event_id?: unknown }).event_id;
    return typeof id === 'string' && eventIds.has(id) ? id : undefined;
  });
  const requests = await readWhole(kafka, platform.topics.deliveries, (value) => {
    const id = (JSON.parse(value) as { deliveryId?: unknown }).deliveryId;
    return typeof id === 'string' && deliveryIds.has(id) ? id : undefined;
  });
  const ingestCommits = await committedOffsets(kafka, platform.topics.ingest);
  const requestCommits = await committedOffsets(kafka, platform.topics.deliveries);

  const ids = [...deliveryIds];
  const statuses: Array<{ delivery_id: string; status: string }> = await platform.dataSource.query(
    `SELECT delivery_id, status FROM deliveries WHERE delivery_id = ANY($1)`,
    [ids],
  );
  const queued: Array<{ delivery_id: string }> = await platform.dataSource.query(
    `SELECT delivery_id FROM delivery_queue WHERE delivery_id = ANY($1)`,
    [ids],
  );
  const statusOf = new Map(statuses.map((row) => [row.delivery_id, row.status]));
  const queuedIds = new Set(queued.map((row) => row.delivery_id));

  return pairs.map(({ eventId, path, deliveryId }) => {
    const atIngest = ingest.get(eventId);
    const atRequest = deliveryId === undefined ? undefined : requests.get(deliveryId);
    const ingestCommitted = isCommitted(ingestCommits, atIngest);
    const requestCommitted = isCommitted(requestCommits, atRequest);
    const status = deliveryId === undefined ? undefined : statusOf.get(deliveryId);
    let verdict: string;
    if (deliveryId === undefined) verdict = 'no webhook for the path';
    else if (status !== undefined) verdict = `taken in, ${status}, never received`;
    else if (atRequest !== undefined)
      verdict = requestCommitted
        ? 'produced, committed by a worker without intake'
        : 'produced, not consumed yet';
    else if (atIngest !== undefined)
      verdict = ingestCommitted
        ? 'never produced, the matcher committed past the event'
        : 'never produced, the event not consumed yet';
    else verdict = 'acknowledged, not on the ingest topic';
    return {
      eventId,
      path,
      deliveryId,
      ingest: atIngest,
      ingestCommitted,
      request: atRequest,
      requestCommitted,
      status,
      queued: deliveryId !== undefined && queuedIds.has(deliveryId),
      verdict,
    };
  });
}

type Kafka = ReturnType<typeof createKafka>;

/**
 * Reads `topic` from its start to the end it has now; returns where each message that `pick`
 * names is (the first copy of it).
 */
async function readWhole(
  kafka: Kafka,
  topic: string,
  pick: (value: string) => string | undefined,
  timeoutMs = 60_000,
): Promise<Map<string, Located>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(
    ends
      .filter((p) => Number(p.high) > Number(p.low))
      .map((p) => [p.partition, Number(p.high)] as const),
  );
  const found = new Map<string, Located>();
  if (remaining.size === 0) return found;
  const consumer = kafka.consumer({
    groupId: `faults-trace-${randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        const value = message.value?.toString('utf8');
        if (value !== undefined) {
          let key: string | undefined;
          try {
            key = pick(value);
          } catch {
            key = undefined;
          }
          if (key !== undefined && !found.has(key)) found.set(key, { partition, offset });
        }
        if (offset + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (remaining.size > 0 && Date.now() < deadline) await sleep(100);
    if (remaining.size > 0) {
      throw new Error(
        `${topic}: partitions ${[...remaining.keys()].join(', ')} not read to the end`,
      );
    }
    return found;
  } finally {
    await consumer.disconnect();
  }
}

/** The highest committed offset of each partition of `topic` over every group of the cluster. */
async function committedOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const committed = new Map<number, number>();
    for (const { groupId } of groups) {
      if (groupId.startsWith('faults-trace-')) continue;
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const { partitions } of offsets) {
        for (const { partition, offset } of partitions) {
          const at = Number(offset);
          if (at >= 0) committed.set(partition, Math.max(committed.get(partition) ?? -1, at));
        }
      }
    }
    return committed;
  } finally {
    await admin.disconnect();
  }
}

function isCommitted(commits: Map<number, number>, at: Located | undefined): boolean {
  return at !== undefined && (commits.get(at.partition) ?? -1) > at.offset;
}

function where(at: Located | undefined): string {
  return at === undefined ? 'absent' : `${at.partition}@${at.offset}`;
}
