import { decodeCursor, encodeCursor, InvalidCursorError } from './webhook-cursor';

describe('list cursors', () => {
  it('round-trips the position of the last webhook of a page', () => {
    const cursor = encodeCursor({ createdAt: '2026-01-01T00:00:02.000Z', id: 'wh_abc' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(['2026-01-01T00:00:02.000Z', 'wh_abc']);
  });

  it.each([
    ['not base64 JSON', 'garbage'],
    ['a JSON object', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","wh_1"]').toString('base64url')],
    ['a number id', Buffer.from('["2026-01-01T00:00:00.000Z",1]').toString('base64url')],
    ['three parts', Buffer.from('["2026-01-01T00:00:00.000Z","wh_1","x"]').toString('base64url')],
  ])('refuses %s', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });
});
