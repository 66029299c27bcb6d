import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsISO8601, IsOptional } from 'class-validator';

export class RecoverWebhookRequestDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-01-15T14:00:00Z',
    description: 'Redeliver what was created at or after this time (ISO 8601)',
  })
  @IsDefined()
  @IsISO8601({ strict: true })
  since!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'And before this time (ISO 8601); default: now',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}
