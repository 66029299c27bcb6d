import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WebhookResponse } from '../webhook.response';

/** What a URL change to another origin removed, because the request did not give it again. */
export class DroppedSecretsResponse {
  @ApiProperty({ type: [String], description: 'Custom header names whose values were dropped' })
  headers!: string[];
  @ApiProperty({ description: 'The signing secret (and a rotated-out one) was dropped' })
  secret!: boolean;
  @ApiProperty({ example: 'the url moved to another origin' })
  reason!: string;
}

export class UpdateWebhookResponse extends WebhookResponse {
  @ApiProperty({
    type: DroppedSecretsResponse,
    nullable: true,
    description:
      'Set when the url moved to another origin and the headers or secret were dropped: give ' +
      'them again in the same request to keep them',
  })
  dropped!: DroppedSecretsResponse | null;

  @ApiPropertyOptional({ description: 'The new signing secret, when generateSecret was set' })
  secret?: string;
}
