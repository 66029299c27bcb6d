import { Body, Controller, Param, Patch } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import { ApiIfMatch, ExpectedVersion } from '../../http/expected-version.decorator';
import { UpdateWebhookResponse } from './update-webhook.response';
import { UpdateWebhookCommand } from './update-webhook.command';
import { UpdateWebhookRequestDto } from './update-webhook.request.dto';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class UpdateWebhookHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Patch(':id')
  @ApiRuleViolation(
    'A rule of the webhook breaks (url, events, headers, template, secret, a quota); each is named',
  )
  @Requires('webhooks:write')
  @ApiIfMatch()
  @ApiOkResponse({ type: UpdateWebhookResponse })
  @ApiBadRequestResponse({
    type: ApiErrorBody,
    description: 'A field breaks a rule; each is named',
  })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Changed concurrently by another request',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateWebhookRequestDto,
    @CorrelationId() correlationId: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<UpdateWebhookResponse> {
    return this.commandBus.execute(
      new UpdateWebhookCommand(principal, id, body, correlationId, expectedVersion),
    );
  }
}
