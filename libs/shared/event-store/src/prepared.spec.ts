import { statementName } from './prepared';

describe('statementName', () => {
  it('names a text the same way every time', () => {
    expect(statementName('SELECT 1')).toBe(statementName('SELECT 1'));
  });

  it('gives different texts different names', () => {
    expect(statementName('SELECT 1')).not.toBe(statementName('SELECT 2'));
    expect(statementName('SELECT 1')).not.toBe(statementName('SELECT 1 '));
  });

  it('fits PostgreSQL identifiers (at most 63 bytes)', () => {
    expect(statementName('SELECT '.repeat(1000))).toMatch(/^hl_[0-9a-f]{24}$/);
  });
});
