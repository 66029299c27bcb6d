import { MAX_SECRET_GRACE_PERIOD_SECONDS } from '@hookline/webhooks-domain';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString } from 'class-validator';
import { Optional } from '../../http/optional.decorator';

export class RotateWebhookSecretRequestDto {
  @ApiPropertyOptional({
    description: 'Your own new secret; generated when absent',
    writeOnly: true,
  })
  @Optional()
  @IsString()
  secret?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'How long the previous secret keeps signing beside the new one (default 24 h)',
    minimum: 0,
    maximum: MAX_SECRET_GRACE_PERIOD_SECONDS,
    example: 86400,
  })
  @Optional()
  @IsInt()
  gracePeriodSeconds?: number;
}
