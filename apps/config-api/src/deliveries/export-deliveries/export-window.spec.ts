import { exportWindow } from './export-window';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const days = (n: number) => n * 86_400_000;

describe('exportWindow', () => {
  it('without from and to covers the last maxDays up to now', () => {
    expect(exportWindow({ company: 'c' }, NOW, 31)).toEqual({
      company: 'c',
      from: new Date(NOW.getTime() - days(31)),
      to: NOW,
    });
  });

  it('from alone runs to now; to alone starts maxDays before it', () => {
    const from = new Date(NOW.getTime() - days(3));
    expect(exportWindow({ company: 'c', from }, NOW, 31)).toMatchObject({ from, to: NOW });
    const to = new Date('2026-06-01T00:00:00.000Z');
    expect(exportWindow({ company: 'c', to }, NOW, 7)).toMatchObject({
      from: new Date(to.getTime() - days(7)),
      to,
    });
  });

  it('a window wider than maxDays is a 400 naming from', () => {
    const from = new Date(NOW.getTime() - days(32));
    expect(() => exportWindow({ company: 'c', from }, NOW, 31)).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        violations: [expect.objectContaining({ field: 'from', rule: 'out_of_range' })],
      }),
    );
    expect(() =>
      exportWindow({ company: 'c', from: new Date(NOW.getTime() - days(31)) }, NOW, 31),
    ).not.toThrow();
  });
});
