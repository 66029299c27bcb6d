import { backoffMs, toTopicMessages } from './outbox-relay';

describe('toTopicMessages', () => {
  it('groups rows by topic and keeps their id order inside each topic, tombstones as null values', () => {
    const rows: Parameters<typeof toTopicMessages>[0] = [
      { topic: 'a', message_key: 'k1', value: '1', headers: { h: 'x' } },
      { topic: 'b', message_key: 'k2', value: '2', headers: null },
      { topic: 'a', message_key: 'k1', value: null, headers: {} },
    ];
    expect(toTopicMessages(rows)).toEqual([
      {
        topic: 'a',
        messages: [
          { key: 'k1', value: '1', headers: { h: 'x' } },
          { key: 'k1', value: null, headers: {} },
        ],
      },
      { topic: 'b', messages: [{ key: 'k2', value: '2', headers: {} }] },
    ]);
  });
});

describe('backoffMs', () => {
  it('doubles from the initial delay and never exceeds the maximum', () => {
    expect(backoffMs(1, 200, 5000)).toBeLessThanOrEqual(200);
    expect(backoffMs(1, 200, 5000)).toBeGreaterThanOrEqual(160);
    expect(backoffMs(3, 200, 5000)).toBeGreaterThanOrEqual(640);
    expect(backoffMs(30, 200, 5000)).toBeLessThanOrEqual(5000);
  });
});
