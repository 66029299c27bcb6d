import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import {
  type CoordinatedGroup,
  failingOver,
  followCoordinator,
  installCoordinatorFailover,
  isUnreachable,
} from './coordinator-failover';

const refused = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');

/** A group whose coordinator is node `from`, and a cluster that names `answers` in turn. */
function group(from: number, answers: Array<number | Error>) {
  const warnings: object[] = [];
  const lookups = { count: 0 };
  const state: CoordinatedGroup = {
    groupId: 'intake',
    coordinator: { nodeId: from },
    offsetManager: { coordinator: { nodeId: from } },
    cluster: {
      findGroupCoordinatorMetadata: async () => {
        const answer = answers[lookups.count] ?? answers[answers.length - 1];
        lookups.count += 1;
        if (answer instanceof Error) throw answer;
        return { coordinator: { nodeId: answer ?? from } };
      },
      findBroker: async ({ nodeId }) => ({ nodeId }),
    },
    logger: { warn: (_message, fields) => warnings.push(fields) },
  };
  return { state, warnings, lookups };
}

describe('the coordinator failover', () => {
  it('tells a broker out of reach from an answer the broker gave', () => {
    expect(isUnreachable(refused())).toBe(true);
    expect(isUnreachable(new KafkaJSProtocolError('NOT_COORDINATOR'))).toBe(false);
    expect(isUnreachable(new Error('boom'))).toBe(false);
    expect(isUnreachable('refused')).toBe(false);
  });

  it('moves the group and its offset manager to the broker that coordinates it now', async () => {
    const { state, warnings } = group(1, [2]);
    await expect(followCoordinator(state)).resolves.toBe(true);
    expect(state.coordinator).toEqual({ nodeId: 2 });
    expect(state.offsetManager?.coordinator).toBe(state.coordinator);
    expect(warnings).toEqual([{ groupId: 'intake', from: 1, to: 2 }]);
  });

  it('keeps the coordinator the cluster still names', async () => {
    const { state, warnings } = group(1, [1]);
    const before = state.coordinator;
    await expect(followCoordinator(state)).resolves.toBe(false);
    expect(state.coordinator).toBe(before);
    expect(warnings).toEqual([]);
  });

  it('asks again when the broker it asked is the dead one, up to three times', async () => {
    const found = group(1, [refused(), refused(), 3]);
    await expect(followCoordinator(found.state)).resolves.toBe(true);
    expect(found.state.coordinator).toEqual({ nodeId: 3 });

    const lost = group(1, [refused()]);
    await expect(followCoordinator(lost.state)).rejects.toThrow('ECONNREFUSED');
    expect(lost.lookups.count).toBe(3);
  });

  it('shares one lookup between the calls that fail together', async () => {
    const { state, lookups } = group(1, [2]);
    const [a, b] = await Promise.all([followCoordinator(state), followCoordinator(state)]);
    expect([a, b]).toEqual([true, true]);
    expect(lookups.count).toBe(1);
    await followCoordinator(state);
    expect(lookups.count).toBe(2);
  });

  describe('a wrapped group method', () => {
    /** A heartbeat that fails while the group's coordinator is `dead`. */
    const heartbeat = (dead: number) => {
      const sentTo: Array<number | null> = [];
      const method = async function (this: CoordinatedGroup) {
        const nodeId = this.coordinator?.nodeId ?? null;
        sentTo.push(nodeId);
        if (nodeId === dead) throw refused();
        return 'ok';
      };
      return { sentTo, wrapped: failingOver(method) };
    };

    it('is sent once more to the new coordinator when the old one is out of reach', async () => {
      const { state } = group(1, [2]);
      const { sentTo, wrapped } = heartbeat(1);
      await expect(wrapped.call(state)).resolves.toBe('ok');
      expect(sentTo).toEqual([1, 2]);
    });

    it('throws its own error when the cluster still names the dead broker', async () => {
      const { state } = group(1, [1]);
      const { sentTo, wrapped } = heartbeat(1);
      await expect(wrapped.call(state)).rejects.toThrow('ECONNREFUSED');
      expect(sentTo).toEqual([1]);
    });

    it('throws its own error, not the lookup’s, when no broker answers the lookup', async () => {
      const { state } = group(1, [new KafkaJSProtocolError('GROUP_COORDINATOR_NOT_AVAILABLE')]);
      const { wrapped } = heartbeat(1);
      await expect(wrapped.call(state)).rejects.toThrow('ECONNREFUSED');
    });

    it('leaves an answer of the coordinator to kafkajs', async () => {
      const { state, lookups } = group(1, [2]);
      const notCoordinator = new KafkaJSProtocolError('This is not the correct coordinator');
      const wrapped = failingOver(async () => Promise.reject(notCoordinator));
      await expect(wrapped.call(state)).rejects.toBe(notCoordinator);
      expect(lookups.count).toBe(0);
    });
  });

  it('wraps what kafkajs consumer groups run once installed', () => {
    const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as {
      prototype: Record<string, { name: string }>;
    };
    const before = ConsumerGroup.prototype['heartbeat'];
    installCoordinatorFailover();
    installCoordinatorFailover();
    const heartbeat = ConsumerGroup.prototype['heartbeat'];
    expect(heartbeat).not.toBe(before);
    // Installed once: a second install does not wrap the wrapper.
    installCoordinatorFailover();
    expect(ConsumerGroup.prototype['heartbeat']).toBe(heartbeat);
    expect(typeof ConsumerGroup.prototype['commitOffsets']).toBe('function');
  });
});
