import { jsonbSafe, jsonbSafeText } from './jsonb-safe';

describe('jsonbSafe', () => {
  it('writes NUL and lone surrogates out as visible escapes, and keeps paired ones', () => {
    expect(jsonbSafeText('a\u0000b')).toBe('a\\u0000b');
    expect(jsonbSafeText('x\ud800y')).toBe('x\\ud800y');
    expect(jsonbSafeText('x\udc00y')).toBe('x\\udc00y');
    expect(jsonbSafeText('😀 ok')).toBe('😀 ok');
    expect(jsonbSafeText('\ud83d')).toBe('\\ud83d');
  });

  it('rewrites strings and keys at any depth, and returns untouched values as they are', () => {
    const clean = { a: ['x', { b: 1 }], c: null };
    expect(jsonbSafe(clean)).toBe(clean);
    expect(jsonbSafe({ 'k\u0000': ['ok', { deep: 'v\u0000' }], n: 2, t: true })).toEqual({
      'k\\u0000': ['ok', { deep: 'v\\u0000' }],
      n: 2,
      t: true,
    });
  });

  it('gives the same answer on repeated calls (no regex state left behind)', () => {
    for (let i = 0; i < 3; i += 1) expect(jsonbSafe({ a: 'x\u0000' })).toEqual({ a: 'x\\u0000' });
  });
});
