import {
  COMMIT_RETRY_MS,
  type CommitRequest,
  type HandledOffset,
  OffsetCommits,
} from './offset-commits';

type Sent = Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;

/** A commit request that records what it sent and answers as told. */
function broker() {
  const sent: Sent[] = [];
  const answers: Array<() => Promise<void>> = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const send: CommitRequest = async (offsets) => {
    sent.push(offsets?.topics as Sent);
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    try {
      await (answers.shift() ?? (() => Promise.resolve()))();
    } finally {
      inFlight -= 1;
    }
  };
  return { send, sent, answers, mostInFlight: () => mostInFlight };
}

const at = (partition: number, offset: number, topic = 'requests'): HandledOffset => ({
  topic,
  partition,
  offset: String(offset),
});

describe('OffsetCommits', () => {
  let clock = 0;
  const failures: unknown[] = [];
  const commitsEvery = (everyMs: number) =>
    new OffsetCommits({ everyMs, now: () => clock, onLateFailure: (e) => failures.push(e) });

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 1_000;
    failures.length = 0;
  });
  afterEach(() => jest.useRealTimers());

  const advance = async (ms: number) => {
    clock += ms;
    await jest.advanceTimersByTimeAsync(ms);
  };

  it('at 0 ms sends every handled offset at once, each in a request of its own', async () => {
    const { send, sent } = broker();
    const commits = commitsEvery(0);

    await commits.handled(send, at(0, 2));
    await commits.handled(send, at(1, 5));

    expect(sent).toEqual([
      [{ topic: 'requests', partitions: [{ partition: 0, offset: '2' }] }],
      [{ topic: 'requests', partitions: [{ partition: 1, offset: '5' }] }],
    ]);
  });

  it('sends the first at once, and what follows within the interval in one request when it ends', async () => {
    const { send, sent } = broker();
    const commits = commitsEvery(200);

    await commits.handled(send, at(0, 2));
    await advance(50);
    await commits.handled(send, at(0, 4));
    await commits.handled(send, at(1, 3));
    await commits.handled(send, at(0, 6, 'other'));
    expect(sent).toHaveLength(1);

    await advance(149);
    expect(sent).toHaveLength(1);
    await advance(1);
    expect(sent).toEqual([
      [{ topic: 'requests', partitions: [{ partition: 0, offset: '2' }] }],
      [
        {
          topic: 'requests',
          partitions: [
            { partition: 0, offset: '4' },
            { partition: 1, offset: '3' },
          ],
        },
        { topic: 'other', partitions: [{ partition: 0, offset: '6' }] },
      ],
    ]);
    expect(commits.waiting()).toEqual([]);
  });

  it('keeps only the latest offset of a partition that waits', async () => {
    const { send, sent } = broker();
    const commits = commitsEvery(200);
    await commits.handled(send, at(0, 1));
    await commits.handled(send, at(0, 7));
    await commits.handled(send, at(0, 9));

    await advance(200);

    expect(sent[1]).toEqual([{ topic: 'requests', partitions: [{ partition: 0, offset: '9' }] }]);
  });

  it.each([0, 200])(
    'at %i ms a chunk handled when a commit is due waits for it and gets its failure; the offset is sent again a while later',
    async (everyMs) => {
      const { send, sent, answers } = broker();
      const commits = commitsEvery(everyMs);
      answers.push(() => Promise.reject(new Error('not the coordinator')));

      await expect(commits.handled(send, at(0, 2))).rejects.toThrow('not the coordinator');
      expect(commits.waiting()).toEqual([at(0, 2)]);

      // Not at once: a coordinator that refuses connections is not asked in a loop.
      await advance(COMMIT_RETRY_MS - 1);
      expect(sent).toHaveLength(1);
      await advance(1);
      expect(sent).toHaveLength(2);
      expect(sent[1]).toEqual([{ topic: 'requests', partitions: [{ partition: 0, offset: '2' }] }]);
      expect(commits.waiting()).toEqual([]);
    },
  );

  it('a failed offset does not come back over a later one of its partition', async () => {
    const { send, sent, answers } = broker();
    const commits = commitsEvery(0);
    let fail: (error: Error) => void = () => undefined;
    answers.push(
      () =>
        new Promise<void>((_, reject) => {
          fail = reject;
        }),
    );

    const first = commits.handled(send, at(0, 2));
    await jest.advanceTimersByTimeAsync(0);
    const second = commits.handled(send, at(0, 4));
    fail(new Error('connection closed'));

    await expect(first).rejects.toThrow('connection closed');
    await second;
    expect(sent.map((s) => s[0]?.partitions[0]?.offset)).toEqual(['2', '4']);
    expect(commits.waiting()).toEqual([]);
  });

  it('sends one request at a time', async () => {
    const { send, answers, mostInFlight } = broker();
    const commits = commitsEvery(0);
    for (let i = 0; i < 3; i += 1) {
      answers.push(() => new Promise<void>((resolve) => setTimeout(resolve, 10)));
    }

    const all = Promise.all([
      commits.handled(send, at(0, 1)),
      commits.handled(send, at(1, 1)),
      commits.handled(send, at(2, 1)),
    ]);
    await jest.advanceTimersByTimeAsync(50);
    await all;

    expect(mostInFlight()).toBe(1);
  });

  it('a timer commit that fails is reported and tried again', async () => {
    const { send, sent, answers } = broker();
    const commits = commitsEvery(200);
    await commits.handled(send, at(0, 1));
    await commits.handled(send, at(0, 3));
    answers.push(() => Promise.reject(new Error('request timed out')));

    await advance(200);
    expect(failures).toEqual([new Error('request timed out')]);
    expect(commits.waiting()).toEqual([at(0, 3)]);

    await advance(COMMIT_RETRY_MS);
    expect(sent).toHaveLength(3);
    expect(commits.waiting()).toEqual([]);
  });

  it('close sends what waits, and commits each later chunk at once', async () => {
    const { send, sent } = broker();
    const commits = commitsEvery(200);
    await commits.handled(send, at(0, 1));
    await commits.handled(send, at(0, 3));

    await commits.close();
    expect(sent).toHaveLength(2);
    await commits.handled(send, at(0, 5));
    expect(sent).toHaveLength(3);
  });

  it('clear forgets what waits: nothing is sent for it', async () => {
    const { send, sent } = broker();
    const commits = commitsEvery(200);
    await commits.handled(send, at(0, 1));
    await commits.handled(send, at(0, 3));

    commits.clear();
    await advance(1_000);

    expect(sent).toHaveLength(1);
    expect(commits.waiting()).toEqual([]);
  });
});
