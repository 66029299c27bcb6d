import { KafkaJSConnectionError, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import {
  type FetchingGroup,
  installFetchFailover,
  recoveringUnreachableLeaders,
} from './fetch-failover';

/** A group whose cluster counts its metadata refreshes, failing the first `failures` of them. */
function group(failures = 0) {
  const refreshes = { count: 0 };
  const state: FetchingGroup = {
    cluster: {
      refreshMetadata: async () => {
        refreshes.count += 1;
        if (refreshes.count <= failures) throw new KafkaJSConnectionError('ECONNREFUSED');
      },
    },
  };
  return { state, refreshes };
}

/** kafkajs's own recovery, as far as the wrapper can tell: it records what reached it. */
function kafkajsRecovery() {
  const reached: unknown[] = [];
  const recover = async function (this: FetchingGroup, error: unknown) {
    reached.push(error);
    throw error;
  };
  return { reached, recover };
}

describe('the fetch failover', () => {
  it('answers a leader that refused the connection with a metadata refresh after a pause', async () => {
    const { state, refreshes } = group();
    const { reached, recover } = kafkajsRecovery();
    const wrapped = recoveringUnreachableLeaders(recover, 20);
    const started = Date.now();
    await expect(
      wrapped.call(state, new KafkaJSConnectionError('connect ECONNREFUSED 127.0.0.1:9092')),
    ).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(refreshes.count).toBe(1);
    expect(reached).toEqual([]);
  });

  it('does the same for a leader that never answered', async () => {
    const { state, refreshes } = group();
    const wrapped = recoveringUnreachableLeaders(kafkajsRecovery().recover, 0);
    await wrapped.call(state, new KafkaJSRequestTimeoutError('Request Fetch(key: 1) timed out'));
    expect(refreshes.count).toBe(1);
  });

  it('leaves a refresh that failed to the next fetch', async () => {
    const { state, refreshes } = group(1);
    const wrapped = recoveringUnreachableLeaders(kafkajsRecovery().recover, 0);
    await expect(wrapped.call(state, new KafkaJSConnectionError('refused'))).resolves.toBe(
      undefined,
    );
    expect(refreshes.count).toBe(1);
  });

  it('leaves what a broker answered to kafkajs', async () => {
    const { state, refreshes } = group();
    const { reached, recover } = kafkajsRecovery();
    const wrapped = recoveringUnreachableLeaders(recover, 0);
    const notLeader = new KafkaJSProtocolError('This server is not the leader');
    await expect(wrapped.call(state, notLeader)).rejects.toBe(notLeader);
    await expect(wrapped.call(state, 'not an error')).rejects.toBe('not an error');
    expect(reached).toEqual([notLeader, 'not an error']);
    expect(refreshes.count).toBe(0);
  });

  it('wraps what kafkajs consumer groups run once installed', () => {
    const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as {
      prototype: Record<string, unknown>;
    };
    const before = ConsumerGroup.prototype['recoverFromFetch'];
    installFetchFailover();
    const recover = ConsumerGroup.prototype['recoverFromFetch'];
    expect(recover).not.toBe(before);
    // Installed once: a second install does not wrap the wrapper.
    installFetchFailover();
    expect(ConsumerGroup.prototype['recoverFromFetch']).toBe(recover);
  });
});
