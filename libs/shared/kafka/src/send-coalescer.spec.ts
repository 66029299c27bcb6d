import type { Message, ProducerBatch, RecordMetadata } from 'kafkajs';
import { SendCoalescer } from './send-coalescer';

/** A producer that holds each request until `answer` is called, and keeps what it was sent. */
function heldProducer() {
  const requests: ProducerBatch[] = [];
  const answers: Array<(error?: Error) => void> = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) =>
      new Promise<RecordMetadata[]>((resolve, reject) => {
        requests.push(batch);
        answers.push((error) => (error ? reject(error) : resolve([])));
      }),
  };
  const answer = (error?: Error) => {
    const next = answers.shift();
    if (!next) throw new Error('no request in flight');
    next(error);
  };
  return { producer, requests, answer };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const messages = (...values: string[]): Message[] => values.map((value) => ({ value }));
const topicsOf = (batch: ProducerBatch | undefined) =>
  (batch?.topicMessages ?? []).map((t) => [t.topic, t.messages.map((m) => String(m.value))]);

const state = (promise: Promise<void>) => {
  let settled: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (settled = 'resolved'),
    () => (settled = 'rejected'),
  );
  return () => settled;
};

describe('SendCoalescer', () => {
  it('sends what handlers send in one turn as one request, and resolves them all once answered', async () => {
    const { producer, requests, answer } = heldProducer();
    const coalescer = new SendCoalescer(producer, 1_000_000);
    const first = state(coalescer.send([{ topic: 'a', messages: messages('1', '2') }]));
    const second = state(
      coalescer.send([
        { topic: 'a', messages: messages('3') },
        { topic: 'b', messages: messages('x') },
      ]),
    );
    await turn();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.acks).toBe(-1);
    expect(topicsOf(requests[0])).toEqual([
      ['a', ['1', '2', '3']],
      ['b', ['x']],
    ]);
    expect(first()).toBe('pending');
    answer();
    await turn();
    expect([first(), second()]).toEqual(['resolved', 'resolved']);
  });

  it('gathers sends made while a request is in flight into the next one', async () => {
    const { producer, requests, answer } = heldProducer();
    const coalescer = new SendCoalescer(producer, 1_000_000);
    const first = state(coalescer.send([{ topic: 'a', messages: messages('1') }]));
    await turn();
    const second = state(coalescer.send([{ topic: 'a', messages: messages('2') }]));
    const third = state(coalescer.send([{ topic: 'a', messages: messages('3') }]));
    await turn();
    expect(requests).toHaveLength(1);
    answer();
    await turn();
    await turn();
    expect(first()).toBe('resolved');
    expect(requests).toHaveLength(2);
    expect(topicsOf(requests[1])).toEqual([['a', ['2', '3']]]);
    expect([second(), third()]).toEqual(['pending', 'pending']);
    answer();
    await turn();
    expect([second(), third()]).toEqual(['resolved', 'resolved']);
  });

  it('splits a lot over the byte bound into requests sent one after the other, in order', async () => {
    const { producer, requests, answer } = heldProducer();
    // Each message counts its value and 256 bytes of overhead: two fit under 700, three do not.
    const coalescer = new SendCoalescer(producer, 700);
    const sent = state(
      coalescer.send([{ topic: 'a', messages: messages('1', '2', '3', '4', '5') }]),
    );
    await turn();
    expect(topicsOf(requests[0])).toEqual([['a', ['1', '2']]]);
    answer();
    await turn();
    expect(topicsOf(requests[1])).toEqual([['a', ['3', '4']]]);
    answer();
    await turn();
    expect(topicsOf(requests[2])).toEqual([['a', ['5']]]);
    expect(sent()).toBe('pending');
    answer();
    await turn();
    expect(sent()).toBe('resolved');
  });

  it('rejects every send of a lot whose request failed, and sends the next lot after it', async () => {
    const { producer, requests, answer } = heldProducer();
    const coalescer = new SendCoalescer(producer, 1_000_000);
    const first = state(coalescer.send([{ topic: 'a', messages: messages('1') }]));
    const second = state(coalescer.send([{ topic: 'a', messages: messages('2') }]));
    await turn();
    const later = state(coalescer.send([{ topic: 'a', messages: messages('3') }]));
    answer(new Error('broker gone'));
    await turn();
    await turn();
    expect([first(), second()]).toEqual(['rejected', 'rejected']);
    expect(topicsOf(requests[1])).toEqual([['a', ['3']]]);
    answer();
    await turn();
    expect(later()).toBe('resolved');
  });

  it('resolves a send with no messages at once, without a request', async () => {
    const { producer, requests } = heldProducer();
    const coalescer = new SendCoalescer(producer, 1_000_000);
    const empty = state(coalescer.send([{ topic: 'a', messages: [] }]));
    await turn();
    expect(empty()).toBe('resolved');
    expect(requests).toHaveLength(0);
  });
});
