import { BatchConsumer, type ConsumedBatch } from './batch-consumer';
import { FakeGroup } from './testing/fake-group';

const quiet = { warn: () => undefined, error: () => undefined };

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A consumer of the group's topic in chunks of two. */
const consumerOf = (
  group: FakeGroup,
  handle: (batch: ConsumedBatch) => Promise<void>,
  commitEveryMs?: number,
) =>
  new BatchConsumer({
    kafka: group.kafka(),
    groupId: 'fake-group',
    topics: ['requests'],
    chunkSize: 2,
    logger: quiet,
    handle,
    ...(commitEveryMs === undefined ? {} : { commitEveryMs }),
  });

describe('BatchConsumer under kafkajs’s own runner', () => {
  it('rejoins the group when its coordinator moved, and commits on the new one within seconds', async () => {
    const group = new FakeGroup('requests', ['a', 'b', 'c', 'd']);
    const handled: string[] = [];
    const consumer = consumerOf(group, async (batch: ConsumedBatch) => {
      // The broker the member joined through dies while the first chunk is handled.
      if (handled.length === 0) group.moveCoordinator();
      handled.push(...batch.messages.map((m) => String(m.value)));
    });
    await consumer.start();
    try {
      // kafkajs's consumer.commitOffsets would retry against the old coordinator for 20 s or more.
      await waitFor(() => group.committed === '4', 5_000);
    } finally {
      await consumer.stop();
    }

    expect(group.joins).toEqual([1, 2]);
    expect(group.commits[0]).toEqual({ coordinator: 1, offset: '2', ok: false });
    expect(group.commits.filter((c) => !c.ok)).toHaveLength(1);
    // The chunk whose commit failed is handed over again after the rejoin: once more, never lost.
    expect(handled).toEqual(['a', 'b', 'a', 'b', 'c', 'd']);
  }, 15_000);

  it('commits each chunk after its handler resolved, at the offset after its last message', async () => {
    const group = new FakeGroup('requests', ['a', 'b', 'c']);
    const committedWhenHandled: string[] = [];
    const consumer = consumerOf(group, async () => void committedWhenHandled.push(group.committed));
    await consumer.start();
    try {
      await waitFor(() => group.committed === '3', 5_000);
    } finally {
      await consumer.stop();
    }

    expect(committedWhenHandled).toEqual(['0', '2']);
    expect(group.commits.map((c) => c.offset)).toEqual(['2', '3']);
  });

  it('with a commit interval, commits the chunks handled within it in one request when it ends', async () => {
    const group = new FakeGroup('requests', ['a', 'b', 'c', 'd', 'e', 'f']);
    const consumer = consumerOf(group, async () => undefined, 200);
    await consumer.start();
    try {
      await waitFor(() => group.committed === '6', 5_000);
    } finally {
      await consumer.stop();
    }

    // The first chunk at once; the two after it, handled within 200 ms, in one request.
    expect(group.commits.map((c) => c.offset)).toEqual(['2', '6']);
  });

  it('commits what waits for its interval when it stops', async () => {
    const group = new FakeGroup('requests', ['a', 'b', 'c', 'd', 'e']);
    const handled: string[] = [];
    const consumer = consumerOf(
      group,
      async (batch) => void handled.push(...batch.messages.map((m) => String(m.value))),
      60_000,
    );
    await consumer.start();
    await waitFor(() => handled.length === 5, 5_000);
    expect(group.committed).toBe('2');

    await consumer.stop();

    expect(group.commits.map((c) => c.offset)).toEqual(['2', '5']);
  });
});
