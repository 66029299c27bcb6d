import type { RetentionWindow } from '@hookline/contracts';
import type { HistoryFilter } from '@hookline/deliveries-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { ApiProperty } from '@nestjs/swagger';

const DAY_MS = 86_400_000;

/** How long delivery logs are kept (HOOKLINE_RETENTION_DAYS), as the API reports it. */
export class RetentionWindowResponse implements RetentionWindow {
  @ApiProperty({ example: 90, description: 'Days deliveries are kept (HOOKLINE_RETENTION_DAYS)' })
  days!: number;
  @ApiProperty({
    format: 'date-time',
    description:
      'Deliveries created at or after this time are kept; older ones are removed a week at a ' +
      'time (some may still be listed, for up to a week)',
  })
  since!: string;
}

export function retentionWindow(days: number, now: Date): RetentionWindowResponse {
  return { days, since: new Date(now.getTime() - days * DAY_MS).toISOString() };
}

/**
 * The history or export range inside the window: `from` is raised to the window's start, so a
 * delivery older than the window is never listed, even in the days before its week is dropped.
 * A range that ends before the window starts asks for deliveries that are gone: a 422 naming
 * `to`, instead of an empty answer that looks like there were none.
 */
export function withinRetention(
  filter: HistoryFilter,
  window: RetentionWindowResponse,
): HistoryFilter {
  const since = new Date(window.since);
  if (filter.to !== undefined && filter.to.getTime() <= since.getTime()) {
    throw WebhookDomainError.validationFailed([
      {
        field: 'to',
        rule: 'out_of_range',
        message: `deliveries are kept ${window.days} days (HOOKLINE_RETENTION_DAYS): to must be after ${window.since}; older deliveries were removed`,
      },
    ]);
  }
  return { ...filter, from: filter.from && filter.from > since ? filter.from : since };
}
