import { ApiProperty, ApiPropertyOptional, ApiUnprocessableEntityResponse } from '@nestjs/swagger';

/** One broken rule of one request field: what every 400 lists. */
export class FieldViolationBody {
  @ApiProperty({ example: 'url', description: 'The field as the client sent it' })
  field!: string;

  @ApiProperty({ example: 'https_required', description: 'A stable rule code' })
  rule!: string;

  @ApiProperty({ example: 'url must use https://' })
  message!: string;
}

/** The body of every error response. */
export class ApiErrorBody {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'validation_failed', description: 'A stable error code' })
  error!: string;

  @ApiProperty({ example: 'url: url must use https://' })
  message!: string;

  @ApiPropertyOptional({ type: [FieldViolationBody] })
  violations?: FieldViolationBody[];

  @ApiPropertyOptional({
    example: 'dlv_0f3c9a1e2b7d4c5a8e6f1a2b3c4d5e6f',
    description: 'The delivery an answer is about when it could not wait for it (504)',
  })
  deliveryId?: string;
}

/**
 * Documents the 422 of a route whose input the domain checks further than its schema can say:
 * the request matches the document, but a rule (named in `description`) breaks. Each violation
 * names its field and rule, as in a 400.
 */
export const ApiRuleViolation = (description: string) =>
  ApiUnprocessableEntityResponse({ type: ApiErrorBody, description });
