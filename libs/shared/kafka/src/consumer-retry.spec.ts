import { KafkaJSConnectionError } from 'kafkajs';
import { CONSUMER_RETRY } from './batch-consumer';
import { CLIENT_RETRY } from './kafka-client';

type Retrier = (fn: () => Promise<never>) => Promise<never>;
// kafkajs's own retry loop, the one its consumer runs every request through.
const createRetry = require('kafkajs/src/retry') as (options: object) => Retrier;

/**
 * What kafkajs's retry loop does with a request that always fails: when it made each try and
 * when it gave up, in ms from the first try, with `Math.random` fixed at `random`.
 */
async function retryTimeline(
  options: object,
  random: number,
): Promise<{ tries: number[]; settledMs: number }> {
  jest.spyOn(Math, 'random').mockReturnValue(random);
  const started = Date.now();
  const tries: number[] = [];
  let settledAt: number | undefined;
  const failing = createRetry(options)(() => {
    tries.push(Date.now() - started);
    return Promise.reject(new KafkaJSConnectionError('connect ECONNREFUSED'));
  }).catch(() => {
    settledAt = Date.now();
  });
  while (settledAt === undefined) await jest.advanceTimersByTimeAsync(50);
  await failing;
  return { tries, settledMs: settledAt - started };
}

/** How long kafkajs keeps retrying a request that always fails before it gives up. */
async function secondsUntilGivingUp(options: object, random: number): Promise<number> {
  return (await retryTimeline(options, random)).settledMs / 1000;
}

/** The waits between the tries of a request that always fails. */
async function waits(options: object, random: number): Promise<number[]> {
  const { tries } = await retryTimeline(options, random);
  return tries.slice(1).map((at, i) => at - (tries[i] ?? at));
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('CONSUMER_RETRY', () => {
  it('rides out a dead broker until the controller has fenced it (9 s) and elected new leaders, with room to spare', async () => {
    // Every wait drawn at its shortest.
    expect(await secondsUntilGivingUp(CONSUMER_RETRY, 0)).toBeGreaterThanOrEqual(20);
  });

  it('still gives up within a minute, so a consumer that cannot recover says so', async () => {
    expect(await secondsUntilGivingUp(CONSUMER_RETRY, 0.999)).toBeLessThan(60);
  });

  it('is longer than what kafkajs gives a consumer by default (5 retries), even at its longest', async () => {
    const kafkajsDefault = { initialRetryTime: 300, factor: 0.2, multiplier: 2, retries: 5 };
    // Short of a fencing and an election: the consumer crashed while the cluster recovered.
    expect(await secondsUntilGivingUp(kafkajsDefault, 0.999)).toBeLessThan(12);
  });
});

describe('CLIENT_RETRY', () => {
  it('tries a dead leader again at least every 6 s, so a send finds the new one soon after the election', async () => {
    expect(Math.max(...(await waits(CLIENT_RETRY, 0.999)))).toBeLessThanOrEqual(6_000);
  });

  it('keeps trying through a fencing and an election (9 s and more), and gives up within a minute', async () => {
    const shortest = (await waits(CLIENT_RETRY, 0)).reduce((sum, ms) => sum + ms, 0);
    const longest = (await waits(CLIENT_RETRY, 0.999)).reduce((sum, ms) => sum + ms, 0);
    expect(shortest).toBeGreaterThanOrEqual(20_000);
    expect(longest).toBeLessThan(60_000);
  });
});
