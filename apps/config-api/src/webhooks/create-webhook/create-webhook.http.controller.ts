import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiProperty,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import { WebhookResponse } from '../webhook.response';
import { CreateWebhookCommand } from './create-webhook.command';
import type { CreateWebhookResult } from './create-webhook.handler';
import { CreateWebhookRequestDto } from './create-webhook.request.dto';

class CreatedWebhookResponse extends WebhookResponse {
  @ApiProperty({
    required: false,
    description: 'The signing secret, shown here once when you gave or generated one',
  })
  secret?: string;
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class CreateWebhookHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @Requires('webhooks:write')
  @ApiCreatedResponse({ type: CreatedWebhookResponse })
  @ApiUnprocessableEntityResponse({
    type: ApiErrorBody,
    description:
      'A rule of the webhook breaks (url, events, headers, template, secret, a quota), each ' +
      'named; or quota_exceeded: the company has as many webhooks as it may',
  })
  @ApiBadRequestResponse({
    type: ApiErrorBody,
    description: 'A field breaks a rule; each is named',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookRequestDto,
    @CorrelationId() correlationId: string,
  ): Promise<CreateWebhookResult> {
    return this.commandBus.execute(new CreateWebhookCommand(principal, body, correlationId));
  }
}
