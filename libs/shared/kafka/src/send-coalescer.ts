import type { Message } from 'kafkajs';
import type { SendingProducer } from './renewing-producer';
import { splitBySize } from './split-by-size';

/** Messages for one topic. */
export interface TopicSend {
  readonly topic: string;
  readonly messages: readonly Message[];
}

interface Waiting {
  readonly sends: readonly TopicSend[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Counted for each message beside its value: key, headers and the record's own fields. */
const MESSAGE_OVERHEAD_BYTES = 256;

/**
 * Gathers the sends of handlers running at once into one produce request (group commit): the
 * sends made in one turn of the event loop (the chunks of a fetch's partitions), and those made
 * while a request is in flight, go together in the next. At 100 events/s the matcher made a
 * produce request per event, a round trip that costs the app and the broker more than the
 * event's own work; the producer has one request in flight at a time anyway, so a send waiting
 * behind another loses nothing by joining the next request.
 *
 * Requests carry at most `maxRequestBytes` of messages (a broker refuses a record batch over its
 * `message.max.bytes`, 1 MiB by default, and one event may fan out to thousands of messages):
 * larger lots go as several requests, one after the other, which the idempotent producer keeps
 * in order. Each send resolves once the broker acknowledged (`acks: -1`) every message of the lot
 * it went in; when a request fails, every send of its lot is rejected.
 */
export class SendCoalescer {
  private waiting: Waiting[] = [];
  private sending = false;
  private scheduled = false;

  constructor(
    private readonly producer: Pick<SendingProducer, 'sendBatch'>,
    private readonly maxRequestBytes: number,
  ) {}

  /** Resolves once every message of `sends` is acknowledged by the broker. */
  send(sends: readonly TopicSend[]): Promise<void> {
    if (sends.every((s) => s.messages.length === 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ sends, resolve, reject });
      this.schedule();
    });
  }

  /** Sends on the next turn, once this turn's sends have joined; never two lots at once. */
  private schedule(): void {
    if (this.sending || this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.sendWaiting();
    });
  }

  private async sendWaiting(): Promise<void> {
    if (this.sending || this.waiting.length === 0) return;
    const lot = this.waiting;
    this.waiting = [];
    this.sending = true;
    try {
      await this.sendLot(lot.flatMap((w) => w.sends));
      for (const w of lot) w.resolve();
    } catch (error) {
      for (const w of lot) w.reject(error);
    } finally {
      this.sending = false;
      this.schedule();
    }
  }

  private async sendLot(sends: readonly TopicSend[]): Promise<void> {
    const lot = sends.flatMap(({ topic, messages }) =>
      messages.map((message) => ({ topic, message })),
    );
    const requests = splitBySize(
      lot,
      this.maxRequestBytes,
      ({ message }) => Buffer.byteLength(String(message.value ?? '')) + MESSAGE_OVERHEAD_BYTES,
    );
    for (const request of requests) {
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of request) {
        const forTopic = byTopic.get(topic);
        if (forTopic) forTopic.push(message);
        else byTopic.set(topic, [message]);
      }
      const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      await this.producer.sendBatch({ topicMessages, acks: -1 });
    }
  }
}
