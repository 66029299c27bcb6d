import { decodeCursor, encodeCursor, InvalidCursorError } from './history-cursor';

describe('history cursor', () => {
  it('gives back the key it was made from, microseconds included', () => {
    const key = { createdAt: '2026-11-26T23:40:00.123456Z', deliveryId: 'dlv_abc' };
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(key);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['not a pair', Buffer.from('["2026-11-26T23:40:00Z"]').toString('base64url')],
    ['a bad time', Buffer.from('["yesterday","dlv_1"]').toString('base64url')],
    ['an impossible time', Buffer.from('["2026-13-45T99:00:00Z","dlv_1"]').toString('base64url')],
    ['an empty id', Buffer.from('["2026-11-26T23:40:00Z",""]').toString('base64url')],
    ['empty', ''],
  ])('refuses a cursor that is %s, naming the cursor', (_, text) => {
    expect(() => decodeCursor(text)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(text)).toThrow(/cursor/);
  });

  it('carries a stable code for the API to map', () => {
    expect(new InvalidCursorError().code).toBe('invalid_cursor');
  });
});
