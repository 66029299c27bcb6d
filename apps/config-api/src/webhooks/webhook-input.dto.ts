import {
  CUSTOM_HEADER_LIMITS,
  EVENT_TYPES,
  ISSUE_STATUSES,
  WEBHOOK_TYPES,
} from '@hookline/contracts';
import { WEBHOOK_INPUT_FIELDS, WEBHOOK_LIMITS, type WebhookInput } from '@hookline/webhooks-domain';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString } from 'class-validator';
import { Optional } from '../http/optional.decorator';

/**
 * The webhook fields a client sends. These decorators check JSON types (a 400) and document the
 * API with every rule JSON Schema can state; every rule (https, catalog, header names,
 * templates) is the domain's validateWebhookInput, which names the field and the rule in a 422.
 */
export class WebhookFieldsDto {
  @ApiPropertyOptional({
    example: 'Production scan alerts',
    minLength: 1,
    maxLength: WEBHOOK_LIMITS.nameMaxLength,
  })
  @Optional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({
    example: 'https://hooks.slack.com/services/T000/B000/XXXX',
    maxLength: WEBHOOK_LIMITS.urlMaxLength,
    pattern: '^https?://',
    description: 'https:// (http:// only where the deployment allows it), with a host',
  })
  @Optional()
  @IsString()
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_TYPES })
  @Optional()
  @IsString()
  type?: string;

  @ApiPropertyOptional({
    enum: EVENT_TYPES,
    isArray: true,
    minItems: 1,
    uniqueItems: true,
    example: ['scan.completed'],
  })
  @Optional()
  @IsArray()
  events?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: {
      type: 'string',
      minLength: 1,
      maxLength: WEBHOOK_LIMITS.projectIdMaxLength,
    },
    maxItems: WEBHOOK_LIMITS.maxProjectIds,
    uniqueItems: true,
    description: 'Empty or absent: every project',
  })
  @Optional()
  @IsArray()
  projectIds?: string[];

  @ApiPropertyOptional({
    enum: ISSUE_STATUSES,
    isArray: true,
    uniqueItems: true,
    description: 'Only with issue.status_changed; empty: every status',
  })
  @Optional()
  @IsArray()
  statusFilter?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      type: 'string',
      maxLength: CUSTOM_HEADER_LIMITS.valueMaxBytes,
      pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$',
    },
    example: { 'X-Automation-Webhook-Token': 'your-jira-webhook-secret' },
    description:
      'Header names are HTTP tokens other than the ones Hookline sets; values at most 4096 ' +
      'bytes of tab, space, visible ASCII and U+0080-U+00FF. At most 20 (a quota); stored ' +
      'encrypted, never returned',
  })
  @Optional()
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
  @Optional()
  @IsString()
  secret?: string;

  @ApiPropertyOptional({
    description: 'Generate a signing secret; it is returned once, in the response',
  })
  @Optional()
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
