import { EVENT_TYPES, type EventType } from '@hookline/contracts';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Optional } from '../../http/optional.decorator';

export class TestWebhookRequestDto {
  @ApiPropertyOptional({
    enum: EVENT_TYPES,
    description: 'Whose sample payload to send; default: the first type the webhook subscribes to',
  })
  @Optional()
  @IsIn(EVENT_TYPES)
  eventType?: EventType;
}
