import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { Optional } from '../../http/optional.decorator';

export class ActivateWebhookRequestDto {
  @ApiPropertyOptional({
    default: false,
    description:
      'Then deliver, oldest first, every event skipped while the webhook was paused ' +
      '(each a new attempt with trigger manual)',
  })
  @Optional()
  @IsBoolean()
  replayMissed?: boolean;
}
