import { EVENT_TYPES, ISSUE_STATUSES, WEBHOOK_TYPES } from '@hookline/contracts';
import { WEBHOOK_INPUT_FIELDS, type WebhookInput } from '@hookline/webhooks-domain';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString } from 'class-validator';

/**
 * The webhook fields a client sends. These decorators check JSON types and document the API;
 * every rule (https, catalog, header names, templates) is the domain's validateWebhookInput,
 * which names the field and the rule in the 400.
 */
export class WebhookFieldsDto {
  @ApiPropertyOptional({ example: 'Production scan alerts', maxLength: 200 })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({
    example: 'https://hooks.slack.com/services/T000/B000/XXXX',
    maxLength: 2048,
  })
  @IsOptional()
  @IsString()
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_TYPES })
  @IsOptional()
  @IsString()
  type?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, example: ['scan.completed'] })
  @IsOptional()
  @IsArray()
  events?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Empty or absent: every project' })
  @IsOptional()
  @IsArray()
  projectIds?: string[];

  @ApiPropertyOptional({
    enum: ISSUE_STATUSES,
    isArray: true,
    description: 'Only with issue.status_changed; empty: every status',
  })
  @IsOptional()
  @IsArray()
  statusFilter?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'X-Automation-Webhook-Token': 'your-jira-webhook-secret' },
    description: 'At most 20; stored encrypted, never returned',
  })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '{"text": "Scan of {{payload.data.project.name}} finished"}',
    description: 'Custom body; null: the default payload',
  })
  @IsOptional()
  bodyTemplate?: string | null;
}

/** The webhook fields and a signing secret: what create and update accept. */
export class WebhookFieldsWithSecretDto extends WebhookFieldsDto {
  @ApiPropertyOptional({
    description:
      'Your own signing secret (16-256 printable ASCII characters). Not with generateSecret.',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  secret?: string;

  @ApiPropertyOptional({
    description: 'Generate a signing secret; it is returned once, in the response',
  })
  @IsOptional()
  @IsBoolean()
  generateSecret?: boolean;
}

/** The fields present in the request, as the domain validator reads them. */
export function toWebhookInput(dto: WebhookFieldsDto): WebhookInput {
  const input: WebhookInput = {};
  for (const field of WEBHOOK_INPUT_FIELDS) {
    if (dto[field] !== undefined) Object.assign(input, { [field]: dto[field] });
  }
  return input;
}
