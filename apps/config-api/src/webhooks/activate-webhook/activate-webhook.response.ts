import { ApiProperty } from '@nestjs/swagger';
import { WebhookResponse } from '../webhook.response';

export class ActivatedWebhookResponse extends WebhookResponse {
  @ApiProperty({
    example: 0,
    description: 'Skipped deliveries queued again (replayMissed); 0 without it',
  })
  replayed!: number;
}
