import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined } from 'class-validator';
import { Optional } from '../../http/optional.decorator';
import { IsDateTime } from '../../http/date-time.decorator';

export class RecoverWebhookRequestDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-01-15T14:00:00Z',
    description: 'Redeliver what was created at or after this time (RFC 3339)',
  })
  @IsDefined()
  @IsDateTime()
  since!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'And before this time (RFC 3339); default: now',
  })
  @Optional()
  @IsDateTime()
  until?: string;
}
