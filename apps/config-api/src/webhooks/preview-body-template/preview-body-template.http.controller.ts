import { EVENT_TYPES } from '@hookline/contracts';
import { TEMPLATE_PLACEHOLDERS } from '@hookline/shared-templating';
import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { type BodyTemplatePreview, previewBodyTemplate } from './preview-body-template';
import { PreviewBodyTemplateRequestDto } from './preview-body-template.request.dto';

class TemplateProblemResponse {
  @ApiProperty({ example: 'unknown_placeholder' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'One-based line in the template' })
  line!: number | null;
  @ApiProperty({ type: Number, nullable: true }) column!: number | null;
}

class BodyPreviewResponse {
  @ApiProperty({ enum: EVENT_TYPES }) eventType!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The body as it would be sent' })
  body!: string | null;
  @ApiProperty({ type: TemplateProblemResponse, nullable: true })
  error!: TemplateProblemResponse | null;
}

class BodyTemplatePreviewResponse {
  @ApiProperty({ enum: TEMPLATE_PLACEHOLDERS, isArray: true }) placeholders!: string[];
  @ApiProperty({
    type: [TemplateProblemResponse],
    description: 'What a save with these events would refuse; empty when it may be saved',
  })
  issues!: TemplateProblemResponse[];
  @ApiProperty({ type: [BodyPreviewResponse] }) previews!: BodyPreviewResponse[];
}

/** A custom body rendered for each event type's sample payload, before anything is saved. */
@ApiTags('webhooks')
@Controller('v1/webhooks')
export class PreviewBodyTemplateHttpController {
  @Post('preview-body')
  @HttpCode(HttpStatus.OK)
  @Requires('webhooks:read')
  @ApiOkResponse({ type: BodyTemplatePreviewResponse })
  @ApiBadRequestResponse({ type: ApiErrorBody, description: 'Names the bad field' })
  preview(@Body() body: PreviewBodyTemplateRequestDto): BodyTemplatePreview {
    return previewBodyTemplate(body.bodyTemplate, body.events);
  }
}
