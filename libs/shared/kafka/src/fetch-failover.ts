/**
 * kafkajs 2.2.4 refreshes a consumer's metadata after a failed fetch only when a broker answered
 * (not the leader, an unknown partition) or closed the connection. A fetch whose broker refused
 * the connection or never answered is thrown instead, with the metadata as it was: the fetch
 * manager stops the fetchers of every broker, the runner starts them again after its backoff
 * (`CONSUMER_RETRY`), and each start sends the fetch to the dead leader once more. Nothing looks
 * at the cluster again until the member rejoins its group. On the fault suite's three brokers the
 * cluster had new leaders 9 s after a kill (`broker.session.timeout.ms`), and the worker's intake
 * still took nothing until 26 s after it.
 *
 * The Java consumer marks a leader it cannot reach as unknown and refreshes its metadata. This
 * does the same for kafkajs's `ConsumerGroup.recoverFromFetch`: after a short pause (the dead
 * broker answers a connect at once) the metadata is refreshed and the fetch counts as empty, so
 * the fetchers of the brokers still up go on, and once the partitions have new leaders the fetch
 * manager sees them and fetches from them.
 */

/** Fetch errors that say the broker could not be reached, not what it answered. */
const UNREACHABLE_FETCH = new Set(['KafkaJSConnectionError', 'KafkaJSRequestTimeoutError']);

/** How long a fetcher waits before it asks the cluster again; the Java client's is up to 1 s. */
export const UNREACHABLE_LEADER_PAUSE_MS = 500;

/** The part of kafkajs's ConsumerGroup the recovery touches. */
export interface FetchingGroup {
  cluster: { refreshMetadata(): Promise<void> };
}

type Recover = (this: FetchingGroup, error: unknown) => Promise<void>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `recover`, with an unreachable leader answered by a metadata refresh instead of a throw. */
export function recoveringUnreachableLeaders(
  recover: Recover,
  pauseMs = UNREACHABLE_LEADER_PAUSE_MS,
): Recover {
  return async function (this: FetchingGroup, error: unknown) {
    if (!(error instanceof Error) || !UNREACHABLE_FETCH.has(error.name)) {
      return recover.call(this, error);
    }
    await sleep(pauseMs);
    // A refresh that fails (the broker it asked is the dead one) is tried at the next fetch.
    await this.cluster.refreshMetadata().catch(() => undefined);
  };
}

let installed = false;

/** Wraps kafkajs's ConsumerGroup fetch recovery, once per process. */
export function installFetchFailover(): void {
  if (installed) return;
  installed = true;
  // Not kafkajs's public API, so the path and the method are checked.
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as {
    prototype: Record<string, unknown>;
  };
  const original = ConsumerGroup.prototype['recoverFromFetch'];
  if (typeof original !== 'function') {
    throw new Error('kafkajs ConsumerGroup has no recoverFromFetch: review the fetch failover');
  }
  ConsumerGroup.prototype['recoverFromFetch'] = recoveringUnreachableLeaders(original as Recover);
}
