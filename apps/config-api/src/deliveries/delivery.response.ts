import { DELIVERY_TRIGGERS, EVENT_TYPES } from '@hookline/contracts';
import { HISTORY_STATUSES } from '@hookline/deliveries-data-access';
import { ApiProperty } from '@nestjs/swagger';
import { RetentionWindowResponse } from './retention-window';

const HEADERS = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** One delivery (one event to one webhook) as the history lists it. */
export class DeliverySummaryResponse {
  @ApiProperty({
    example: 'dlv_0f3c9a1e-2b7d-5c5a-8e6f-1a2b3c4d5e6f',
    description: 'The delivery’s own id; X-<Vendor>-Delivery carries the UUID after dlv_',
  })
  id!: string;
  @ApiProperty({ example: 'wh_2f7c1c9e0b6a4d3f8e5a1b2c3d4e5f60' }) webhookId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ enum: EVENT_TYPES }) eventType!: string;
  @ApiProperty({ enum: HISTORY_STATUSES }) status!: string;
  @ApiProperty({ description: 'Calls made so far, manual rounds included' })
  attemptCount!: number;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'http_5xx: HTTP 500' })
  lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ description: 'Sent by Test webhook: left out of stats and replays' })
  test!: boolean;
}

export class DeliveryPageResponse {
  @ApiProperty({ type: [DeliverySummaryResponse] }) items!: DeliverySummaryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  nextCursor!: string | null;
  @ApiProperty({ type: RetentionWindowResponse, description: 'How far back the history goes' })
  retention!: RetentionWindowResponse;
}

/** One call to the endpoint. */
export class DeliveryAttemptResponse {
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ enum: DELIVERY_TRIGGERS }) trigger!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true }) url!: string | null;
  @ApiProperty({
    ...HEADERS,
    nullable: true,
    description: 'As sent; custom header values and signatures masked as ********',
  })
  requestHeaders!: Record<string, string> | null;
  @ApiProperty({ type: String, nullable: true, description: 'The exact body sent' })
  requestBody!: string | null;
  @ApiProperty({ type: Number, nullable: true }) statusCode!: number | null;
  @ApiProperty({ ...HEADERS, nullable: true }) responseHeaders!: Record<string, string> | null;
  @ApiProperty({ type: String, nullable: true, description: 'Cut at the response body cap' })
  responseBody!: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) responseTruncated!: boolean | null;
  @ApiProperty({ type: String, nullable: true, example: 'http_5xx' })
  failureClass!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'http_5xx: HTTP 500' })
  error!: string | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs!: number | null;
}

export class DeliveryDetailResponse extends DeliverySummaryResponse {
  @ApiProperty({ type: [DeliveryAttemptResponse], description: 'Oldest first' })
  attempts!: DeliveryAttemptResponse[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The DeliveryRequested as accepted; its envelope is the event',
  })
  request!: object;
}
