import { ApiProperty } from '@nestjs/swagger';
import { WebhookResponse } from '../webhook.response';

export class ActivatedWebhookResponse extends WebhookResponse {
  @ApiProperty({
    example: 0,
    description: 'Skipped deliveries queued again (replayMissed); 0 without it',
  })
  replayed!: number;

  @ApiProperty({
    example: true,
    description:
      'Every skipped delivery was queued; false when the replay stopped at HOOKLINE_REPLAY_MAX_DELIVERIES (activate again with replayMissed to go on)',
  })
  replayComplete!: boolean;
}
