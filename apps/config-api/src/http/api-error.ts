import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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
}
