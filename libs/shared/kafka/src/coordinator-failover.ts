/**
 * kafkajs 2.2.4 looks a consumer group's coordinator up only when the member joins its group.
 * When that broker dies, every heartbeat and every commit still goes to it: the connection is
 * refused until the broker is back, whatever the cluster did meanwhile. On a three-broker cluster
 * the coordinator's partition of `__consumer_offsets` has a new leader about 9 s after the kill
 * (`broker.session.timeout.ms`), which then serves the group, but the member does not ask:
 * the worker's intake took nothing for the whole outage, and only once the dead broker was back
 * and answered "not the coordinator" did the member rejoin (a rebalance) and go on.
 *
 * The Java consumer forgets a coordinator it cannot reach and looks it up again, keeping its
 * membership. This does the same for kafkajs's `ConsumerGroup.heartbeat` and `commitOffsets`:
 * a request the coordinator could not be reached for asks a live broker who coordinates the
 * group now and, if another broker does, moves the group (and its offset manager) to it and
 * sends the request once more there, with the same member and generation. Still the same broker,
 * or no answer: the error is thrown as before, and the consumer's retries ask again later.
 */

/** Errors that say the coordinator could not be reached, as opposed to what it answered. */
const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
]);

export function isUnreachable(error: unknown): boolean {
  return error instanceof Error && UNREACHABLE.has(error.name);
}

/** The part of kafkajs's ConsumerGroup the failover touches. */
export interface CoordinatedGroup {
  groupId: string;
  coordinator: { nodeId: number | null } | null;
  offsetManager: { coordinator: unknown } | null;
  cluster: {
    findGroupCoordinatorMetadata(request: {
      groupId: string;
    }): Promise<{ coordinator: { nodeId: number } }>;
    findBroker(request: { nodeId: number }): Promise<{ nodeId: number | null }>;
  };
  logger: { warn(message: string, fields: object): void };
}

/**
 * kafkajs asks a broker of its pool picked at random, and fails when that one is the dead broker
 * rather than trying another: with three brokers, three tries find a live one almost always.
 */
const LOOKUP_TRIES = 3;

async function currentCoordinator(group: CoordinatedGroup): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { coordinator } = await group.cluster.findGroupCoordinatorMetadata({
        groupId: group.groupId,
      });
      return coordinator.nodeId;
    } catch (error) {
      if (attempt >= LOOKUP_TRIES || !isUnreachable(error)) throw error;
    }
  }
}

const lookups = new WeakMap<CoordinatedGroup, Promise<boolean>>();

/**
 * Moves the group to the broker that coordinates it now; true when that is another broker than
 * the one it had. Concurrent callers (a heartbeat beside a commit) share one lookup.
 */
export function followCoordinator(group: CoordinatedGroup): Promise<boolean> {
  const pending = lookups.get(group);
  if (pending) return pending;
  const lookup = (async () => {
    const from = group.coordinator?.nodeId ?? null;
    const nodeId = await currentCoordinator(group);
    if (nodeId === from) return false;
    const broker = await group.cluster.findBroker({ nodeId });
    group.coordinator = broker;
    if (group.offsetManager) group.offsetManager.coordinator = broker;
    group.logger.warn(
      'The group coordinator could not be reached; following it to another broker',
      {
        groupId: group.groupId,
        from,
        to: nodeId,
      },
    );
    return true;
  })().finally(() => lookups.delete(group));
  lookups.set(group, lookup);
  return lookup;
}

type GroupMethod = (this: CoordinatedGroup, ...args: unknown[]) => Promise<unknown>;

/** `method`, sent once more to the group's new coordinator when its own could not be reached. */
export function failingOver(method: GroupMethod): GroupMethod {
  return async function (this: CoordinatedGroup, ...args: unknown[]) {
    try {
      return await method.apply(this, args);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      const moved = await followCoordinator(this).catch(() => false);
      if (!moved) throw error;
      return method.apply(this, args);
    }
  };
}

let installed = false;

/** Wraps kafkajs's ConsumerGroup heartbeat and commit, once per process. */
export function installCoordinatorFailover(): void {
  if (installed) return;
  installed = true;
  // As for the request queue: not kafkajs's public API, so the path and methods are checked.
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as {
    prototype: Record<string, unknown>;
  };
  for (const method of ['heartbeat', 'commitOffsets']) {
    const original = ConsumerGroup.prototype[method];
    if (typeof original !== 'function') {
      throw new Error(`kafkajs ConsumerGroup has no ${method}: review the coordinator failover`);
    }
    ConsumerGroup.prototype[method] = failingOver(original as GroupMethod);
  }
}
