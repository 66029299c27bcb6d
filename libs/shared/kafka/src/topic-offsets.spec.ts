import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { isStaleMetadata, SETTLE_RETRY, whileClusterSettles } from './topic-offsets';

// What a broker answers when it no longer (or not yet) leads the partition asked of it.
const notLeader = () =>
  new KafkaJSProtocolError({
    name: 'KafkaJSProtocolError',
    type: 'NOT_LEADER_FOR_PARTITION',
    code: 6,
    message: 'This server is not the leader for that topic-partition',
  } as unknown as Error);

describe('isStaleMetadata', () => {
  it('is true of a partition that moved, false of other answers and of an unreachable broker', () => {
    expect(isStaleMetadata(notLeader())).toBe(true);
    const denied = new KafkaJSProtocolError({
      name: 'KafkaJSProtocolError',
      type: 'TOPIC_AUTHORIZATION_FAILED',
      code: 29,
      message: 'Not authorized to access topics',
    } as unknown as Error);
    expect(isStaleMetadata(denied)).toBe(false);
    expect(isStaleMetadata(new KafkaJSConnectionError('connect ECONNREFUSED'))).toBe(false);
    expect(isStaleMetadata('NOT_LEADER_FOR_PARTITION')).toBe(false);
  });
});

describe('whileClusterSettles', () => {
  const waits: number[] = [];
  const wait = async (ms: number) => {
    waits.push(ms);
  };
  beforeEach(() => (waits.length = 0));

  it('tries again, waiting longer each time, until the cluster answers', async () => {
    let calls = 0;
    const result = await whileClusterSettles(
      async () => {
        calls += 1;
        if (calls < 4) throw notLeader();
        return 'offsets';
      },
      SETTLE_RETRY,
      wait,
    );
    expect(result).toBe('offsets');
    expect(calls).toBe(4);
    expect(waits).toEqual([250, 500, 1000]);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const refused = new KafkaJSConnectionError('connect ECONNREFUSED');
    await expect(
      whileClusterSettles(
        async () => {
          calls += 1;
          throw refused;
        },
        SETTLE_RETRY,
        wait,
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('gives up after its attempts with the last answer, having waited longer than an election', async () => {
    let calls = 0;
    await expect(
      whileClusterSettles(
        async () => {
          calls += 1;
          throw notLeader();
        },
        SETTLE_RETRY,
        wait,
      ),
    ).rejects.toThrow('not the leader');
    expect(calls).toBe(SETTLE_RETRY.attempts);
    expect(Math.max(...waits)).toBe(SETTLE_RETRY.maxDelayMs);
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThan(9_000);
  });
});
