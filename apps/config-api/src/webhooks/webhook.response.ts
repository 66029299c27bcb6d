import { EVENT_TYPES, ISSUE_STATUSES, WEBHOOK_TYPES } from '@hookline/contracts';
import type { Webhook } from '@hookline/webhooks-domain';
import { ApiProperty } from '@nestjs/swagger';

/** What custom header values look like in every response: set, but never shown. */
export const MASKED_HEADER_VALUE = '********';

export class WebhookResponse {
  @ApiProperty({ example: 'wh_2f7c1c9e0b6a4d3f8e5a1b2c3d4e5f60' }) id!: string;
  @ApiProperty({ example: 'Production scan alerts' }) name!: string;
  @ApiProperty({ example: 'https://hooks.slack.com/services/T000/B000/XXXX' }) url!: string;
  @ApiProperty({ enum: WEBHOOK_TYPES }) type!: string;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true }) events!: string[];
  @ApiProperty({ type: [String], description: 'Empty: every project' }) projectIds!: string[];
  @ApiProperty({ enum: ISSUE_STATUSES, isArray: true, description: 'Empty: every status' })
  statusFilter!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', example: MASKED_HEADER_VALUE },
    description: 'Custom header names; values are never returned',
  })
  headers!: Record<string, string>;
  @ApiProperty({ type: String, nullable: true }) bodyTemplate!: string | null;
  @ApiProperty() hasSecret!: boolean;
  @ApiProperty({ enum: ['active', 'paused'] }) status!: string;
  @ApiProperty({ enum: ['manual', 'auto'], nullable: true, type: String })
  pausedReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) pausedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ description: 'Increases with every change' }) version!: number;
}

export function toWebhookResponse(webhook: Webhook): WebhookResponse {
  return {
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    type: webhook.type,
    events: webhook.events,
    projectIds: webhook.projectIds,
    statusFilter: webhook.statusFilter,
    headers: Object.fromEntries(webhook.headers.map((h) => [h.name, MASKED_HEADER_VALUE])),
    bodyTemplate: webhook.bodyTemplate,
    hasSecret: webhook.secret !== null,
    status: webhook.status,
    pausedReason: webhook.pausedReason,
    pausedAt: webhook.pausedAt,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
    version: webhook.version,
  };
}
