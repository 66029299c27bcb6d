import type { WebhookStats } from '@hookline/deliveries-data-access';
import { ApiProperty } from '@nestjs/swagger';
import { RetentionWindowResponse } from '../deliveries/retention-window';

/** A webhook's delivery statistics, as the `webhook_stats` projection counts them. */
export class WebhookStatsResponse {
  @ApiProperty({ example: 'wh_2f7c1c9e0b6a4d3f8e5a1b2c3d4e5f60' }) webhookId!: string;
  @ApiProperty({ description: 'Deliveries (events) recorded for the webhook' })
  totalDeliveries!: number;
  @ApiProperty() successfulDeliveries!: number;
  @ApiProperty({ description: 'Deliveries that failed for good (no retry left)' })
  failedDeliveries!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.98,
    description:
      'successfulDeliveries / (successfulDeliveries + failedDeliveries); null before either',
  })
  successRate!: number | null;
  @ApiProperty({ description: 'Failed calls since the last successful one' })
  consecutiveFailures!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Last call' })
  lastTriggeredAt!: string | null;
  @ApiProperty({ description: 'Calls made, every attempt counted' }) totalCalls!: number;
  @ApiProperty({ description: 'Calls answered 2xx' }) successfulCalls!: number;
  @ApiProperty() failedCalls!: number;
}

/**
 * `GET /v1/webhooks/:id/stats`: the delivery counts cover the deliveries kept (the retention
 * window); the call counts are kept for the webhook's whole life.
 */
export class WebhookStatsWithRetentionResponse extends WebhookStatsResponse {
  @ApiProperty({
    type: RetentionWindowResponse,
    description:
      'The window the delivery counts (totalDeliveries, successfulDeliveries, failedDeliveries, ' +
      'successRate) cover; the call counts are for the webhook’s whole life',
  })
  retention!: RetentionWindowResponse;
}

/** The statistics of a webhook nothing was delivered to yet. */
export function noStats(webhookId: string): WebhookStats {
  return {
    webhookId,
    totalCalls: 0,
    successfulCalls: 0,
    failedCalls: 0,
    consecutiveFailures: 0,
    lastTriggeredAt: null,
    totalDeliveries: 0,
    successfulDeliveries: 0,
    failedDeliveries: 0,
    successRate: null,
  };
}
