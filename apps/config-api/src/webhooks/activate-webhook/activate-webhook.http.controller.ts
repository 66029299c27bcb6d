import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
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
import { ActivateWebhookCommand } from './activate-webhook.command';
import { ActivateWebhookRequestDto } from './activate-webhook.request.dto';
import { ActivatedWebhookResponse } from './activate-webhook.response';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class ActivateWebhookHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/activate')
  @ApiRuleViolation('A rule of the request breaks; it is named')
  @HttpCode(HttpStatus.OK)
  @Requires('webhooks:write')
  @ApiIfMatch()
  @ApiOkResponse({
    type: ActivatedWebhookResponse,
    description: 'Active again, with its failure streak reset',
  })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Changed concurrently by another request',
  })
  activate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @CorrelationId() correlationId: string,
    @Body() body: ActivateWebhookRequestDto,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<ActivatedWebhookResponse> {
    return this.commandBus.execute(
      new ActivateWebhookCommand(
        principal,
        id,
        correlationId,
        expectedVersion,
        // Without a request body the pipe hands over undefined.
        body?.replayMissed ?? false,
      ),
    );
  }
}
