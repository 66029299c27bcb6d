import { createKafka, type KafkaLogSink } from './kafka-client';

describe('createKafka', () => {
  it('refuses an empty broker list', () => {
    expect(() => createKafka({ brokers: [], clientId: 'x' })).toThrow(/at least one broker/);
  });

  it('routes kafkajs log lines to the given sink with their fields', () => {
    const lines: Array<[string, string, object]> = [];
    const sink: KafkaLogSink = {
      log: (level, message, fields) => lines.push([level, message, fields]),
    };
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'test', logSink: sink });

    kafka.logger().error('broker went away', { broker: '127.0.0.1:1' });
    kafka.logger().info('below the threshold');

    expect(lines).toEqual([
      ['error', 'broker went away', expect.objectContaining({ broker: '127.0.0.1:1' })],
    ]);
  });
});
