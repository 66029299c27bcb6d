import { KAFKA_HEADERS, KAFKA_TOPICS, KAFKA_TOPIC_SPECS } from './topics';

describe('Kafka topics', () => {
  it('have the agreed names', () => {
    expect(KAFKA_TOPICS).toEqual({
      platformEvents: 'platform.events',
      platformEventsDlq: 'platform.events.dlq',
      webhooksConfig: 'webhooks.config',
      webhooksDeliveries: 'webhooks.deliveries',
      webhooksDeliveriesDlq: 'webhooks.deliveries.dlq',
      webhooksDeliveryLog: 'webhooks.delivery-log',
      webhooksCommands: 'webhooks.commands',
    });
  });

  it('each have one spec, and only webhooks.config is compacted', () => {
    expect(KAFKA_TOPIC_SPECS.map((s) => s.name).sort()).toEqual(Object.values(KAFKA_TOPICS).sort());
    expect(
      KAFKA_TOPIC_SPECS.filter((s) => s.cleanupPolicy === 'compact').map((s) => s.name),
    ).toEqual(['webhooks.config']);
  });

  it('header names are distinct lowercase tokens', () => {
    const names = Object.values(KAFKA_HEADERS);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z-]+$/);
  });
});
