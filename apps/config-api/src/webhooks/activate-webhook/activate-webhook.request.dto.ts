import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class ActivateWebhookRequestDto {
  @ApiPropertyOptional({
    default: false,
    description:
      'Then deliver, oldest first, every event skipped while the webhook was paused ' +
      '(each a new attempt with trigger manual)',
  })
  @IsOptional()
  @IsBoolean()
  replayMissed?: boolean;
}
