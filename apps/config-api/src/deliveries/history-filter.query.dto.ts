import { EVENT_TYPES, type EventType } from '@hookline/contracts';
import {
  HISTORY_STATUSES,
  type HistoryFilter,
  type HistoryStatus,
} from '@hookline/deliveries-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Principal } from '../auth/principal';
import { IsDateTime, parseDateTime } from '../http/date-time.decorator';

/** The filters shared by the delivery history and its CSV export. */
export class HistoryFilterQueryDto {
  @ApiPropertyOptional({ example: 'wh_2f7c1c9e0b6a4d3f8e5a1b2c3d4e5f60', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  webhookId?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  eventType?: EventType;

  @ApiPropertyOptional({
    enum: HISTORY_STATUSES,
    description: 'pending includes deliveries waiting for a retry; skipped: while paused',
  })
  @IsOptional()
  @IsIn(HISTORY_STATUSES)
  status?: HistoryStatus;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Deliveries created at or after (RFC 3339)',
  })
  @IsOptional()
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Deliveries created before (RFC 3339)' })
  @IsOptional()
  @IsDateTime()
  to?: string;
}

/** The caller's filter, scoped to its company; `to` not after `from` is a 400 naming `to`. */
export function toHistoryFilter(principal: Principal, query: HistoryFilterQueryDto): HistoryFilter {
  const from = query.from === undefined ? undefined : parseDateTime(query.from);
  const to = query.to === undefined ? undefined : parseDateTime(query.to);
  if (from && to && to.getTime() <= from.getTime()) {
    throw WebhookDomainError.validationFailed([
      { field: 'to', rule: 'out_of_range', message: 'to must be after from' },
    ]);
  }
  return {
    company: principal.company,
    ...(query.webhookId ? { webhookId: query.webhookId } : {}),
    ...(query.eventType ? { eventType: query.eventType } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}
