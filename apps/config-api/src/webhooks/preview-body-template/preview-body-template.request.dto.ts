import { EVENT_TYPES, type EventType } from '@hookline/contracts';
import { MAX_TEMPLATE_BYTES } from '@hookline/shared-templating';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsString, MaxLength } from 'class-validator';

export class PreviewBodyTemplateRequestDto {
  @ApiProperty({
    example: '{"text": "Scan of {{payload.data.project.name}} finished"}',
    maxLength: MAX_TEMPLATE_BYTES,
  })
  @IsString()
  @MaxLength(MAX_TEMPLATE_BYTES)
  bodyTemplate!: string;

  @ApiProperty({
    enum: EVENT_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: EVENT_TYPES.length,
    description: 'Render the sample payload of each of these types',
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(EVENT_TYPES.length)
  @IsIn(EVENT_TYPES, { each: true })
  events!: EventType[];
}
