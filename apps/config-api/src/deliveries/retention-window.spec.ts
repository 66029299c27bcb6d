import { WebhookDomainError } from '@hookline/webhooks-domain';
import { retentionWindow, withinRetention } from './retention-window';

const NOW = new Date('2026-12-02T12:00:00.000Z');

describe('the retention window of history and export', () => {
  const window = retentionWindow(90, NOW);

  it('starts the given days before now', () => {
    expect(window).toEqual({ days: 90, since: '2026-09-03T12:00:00.000Z' });
  });

  it('raises from to the window start, and keeps a later one', () => {
    expect(withinRetention({ company: 'acme' }, window).from).toEqual(new Date(window.since));
    const early = new Date('2026-01-01T00:00:00.000Z');
    expect(withinRetention({ company: 'acme', from: early }, window).from).toEqual(
      new Date(window.since),
    );
    const late = new Date('2026-11-01T00:00:00.000Z');
    expect(withinRetention({ company: 'acme', from: late, to: NOW }, window)).toEqual({
      company: 'acme',
      from: late,
      to: NOW,
    });
  });

  it('refuses a range that ends at or before the window start, naming to', () => {
    for (const to of [new Date(window.since), new Date('2020-01-20T00:00:00.000Z')]) {
      let thrown: unknown;
      try {
        withinRetention({ company: 'acme', to }, window);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(WebhookDomainError);
      expect((thrown as WebhookDomainError).violations).toEqual([
        expect.objectContaining({ field: 'to', rule: 'out_of_range' }),
      ]);
    }
  });
});
