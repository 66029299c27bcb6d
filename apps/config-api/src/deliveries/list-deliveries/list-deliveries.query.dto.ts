import { HISTORY_MAX_LIMIT } from '@hookline/deliveries-data-access';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { HistoryFilterQueryDto } from '../history-filter.query.dto';

export class ListDeliveriesQueryDto extends HistoryFilterQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: HISTORY_MAX_LIMIT, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(HISTORY_MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'The previous page’s nextCursor', maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
