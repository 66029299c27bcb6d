import {
  EVENT_TYPES,
  type EventType,
  WEBHOOK_STATUSES,
  type WebhookStatus,
} from '@hookline/contracts';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListWebhooksQueryDto {
  @ApiPropertyOptional({ enum: WEBHOOK_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_STATUSES)
  status?: WebhookStatus;

  @ApiPropertyOptional({ enum: EVENT_TYPES, description: 'Webhooks subscribed to this event type' })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  eventType?: EventType;

  @ApiPropertyOptional({
    description: 'Webhooks that receive this project’s events',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  projectId?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The previous page’s nextCursor', maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ default: false, description: 'Add each webhook’s delivery stats' })
  @IsOptional()
  // A query string is text: only the words true and false are booleans, anything else a 400.
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeStats?: boolean;
}
