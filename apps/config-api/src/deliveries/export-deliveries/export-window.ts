import type { HistoryFilter } from '@hookline/deliveries-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';

const DAY_MS = 86_400_000;

/**
 * An export always covers a bounded window of creation times: `to` defaults to now and `from`
 * to `to` minus `maxDays`; a window wider than `maxDays` is a 400 naming `from`.
 */
export function exportWindow(filter: HistoryFilter, now: Date, maxDays: number): HistoryFilter {
  const to = filter.to ?? now;
  const from = filter.from ?? new Date(to.getTime() - maxDays * DAY_MS);
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw WebhookDomainError.validationFailed([
      {
        field: 'from',
        rule: 'out_of_range',
        message: `an export covers at most ${maxDays} days: from must be at or after ${new Date(to.getTime() - maxDays * DAY_MS).toISOString()}, or export in parts`,
      },
    ]);
  }
  return { ...filter, from, to };
}
