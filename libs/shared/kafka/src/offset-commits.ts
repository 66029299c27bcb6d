import type { EachBatchPayload } from 'kafkajs';

/**
 * How a consumer sends one OffsetCommit request: kafkajs's `commitOffsetsIfNecessary(offsets)`,
 * a single request whose failure is thrown as the broker gave it. kafkajs's
 * `consumer.commitOffsets` retries (`CONSUMER_RETRY`, up to about 40 s) against the
 * coordinator the member found when it joined and never looks for another: when that broker
 * dies, or comes back no longer coordinator, intake stops for minutes while the app says ready.
 * Thrown out of `eachBatch`, "not the coordinator" makes kafkajs rejoin the group (which finds
 * the new coordinator), and a connection error makes it fetch again and, past its retries,
 * restart the consumer. A failed commit costs a chunk handed over again: what the handler did
 * is durable already.
 */
export type CommitRequest = EachBatchPayload['commitOffsetsIfNecessary'];

/** The next offset to read of one partition: everything before it is handled. */
export interface HandledOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface OffsetCommitsOptions {
  /**
   * The least time between two commit requests. 0: every chunk's offset is sent as soon as it is
   * handled, in a request of its own.
   */
  readonly everyMs: number;
  /** A commit sent from the timer failed (it is tried again with the next one). */
  readonly onLateFailure: (error: unknown) => void;
  readonly now?: () => number;
}

/** After a failed request the next waits at least this long, whatever `everyMs`. */
export const COMMIT_RETRY_MS = 1_000;

const keyOf = (offset: HandledOffset) => `${offset.topic}\u0000${offset.partition}`;

/**
 * The offsets a consumer has handled and not yet committed, sent at most once every `everyMs`
 * in one request for all partitions. At a few messages per fetch a commit per chunk was most of
 * the Kafka requests a pipeline made (one per event in the matcher, more than one in the worker)
 * and of the broker's work for them.
 *
 * A chunk handled when a commit is due commits at once, and its caller waits for it: a failure
 * is thrown there, as one commit per chunk threw it (ADR 0015: kafkajs then rejoins or fetches
 * again). Otherwise its offset waits, at most until `everyMs` after the last request, for a
 * timer or the next chunk to take it. Only handled offsets are ever sent, so a crash or a
 * rebalance hands over again at most what was handled in the last `everyMs`, never skips.
 * Requests go one at a time, so a partition's committed offset never moves back.
 */
export class OffsetCommits {
  private readonly pending = new Map<string, HandledOffset>();
  private readonly now: () => number;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private sending: Promise<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private send: CommitRequest | undefined;
  private closing = false;
  private failed = false;

  constructor(private readonly options: OffsetCommitsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** What is waiting to be committed (for specs and logs). */
  waiting(): HandledOffset[] {
    return [...this.pending.values()];
  }

  /**
   * Everything before `offset` of its partition is handled. Resolves once it is committed when a
   * commit is due (throwing its failure), at once otherwise.
   */
  async handled(send: CommitRequest, offset: HandledOffset): Promise<void> {
    this.send = send;
    this.pending.set(keyOf(offset), offset);
    if (this.closing || this.now() - this.lastSentAt >= this.options.everyMs) {
      await this.commit(send);
    } else {
      this.schedule();
    }
  }

  /** Commits what waits now: before a consumer leaves its group. Later chunks commit at once. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.send) await this.commit(this.send);
  }

  /**
   * Forgets what waits: after a rejoin kafkajs fetches every partition again from its committed
   * offset, and a consumer that crashed cannot send.
   */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer || this.pending.size === 0) return;
    const interval = this.failed
      ? Math.max(this.options.everyMs, COMMIT_RETRY_MS)
      : this.options.everyMs;
    const wait = Math.max(0, this.lastSentAt + interval - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const send = this.send;
      if (!send) return;
      this.commit(send).catch((error: unknown) => this.options.onLateFailure(error));
    }, wait);
    this.timer.unref();
  }

  private async commit(send: CommitRequest): Promise<void> {
    while (this.sending) await this.sending.catch(() => undefined);
    if (this.pending.size === 0) return;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastSentAt = this.now();
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const { topic, partition, offset } of offsets) {
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset }]);
    }
    const request = send({
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    });
    this.sending = request;
    try {
      await request;
      this.failed = false;
    } catch (error) {
      // Back unless a later offset of the partition was handled meanwhile, and tried again.
      for (const offset of offsets) {
        if (!this.pending.has(keyOf(offset))) this.pending.set(keyOf(offset), offset);
      }
      this.failed = true;
      if (!this.closing) this.schedule();
      throw error;
    } finally {
      if (this.sending === request) this.sending = undefined;
    }
  }
}
