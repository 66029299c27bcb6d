import { ACTIVITY_MAX_HOURS } from '@hookline/deliveries-data-access';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class GetDeliveryActivityQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: ACTIVITY_MAX_HOURS,
    default: 24,
    description: 'The hours before now to count, the current one included',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ACTIVITY_MAX_HOURS)
  hours?: number;

  @ApiPropertyOptional({ example: 'wh_2f7c1c9e0b6a4d3f8e5a1b2c3d4e5f60', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  webhookId?: string;
}
