import { Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import { ApiIfMatch, ExpectedVersion } from '../../http/expected-version.decorator';
import { WebhookResponse } from '../webhook.response';
import { PauseWebhookCommand } from './pause-webhook.command';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class PauseWebhookHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/pause')
  @HttpCode(HttpStatus.OK)
  @Requires('webhooks:write')
  @ApiIfMatch()
  @ApiOkResponse({ type: WebhookResponse, description: 'Paused (a paused webhook stays as it is)' })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Changed concurrently by another request',
  })
  pause(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @CorrelationId() correlationId: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<WebhookResponse> {
    return this.commandBus.execute(
      new PauseWebhookCommand(principal, id, correlationId, expectedVersion),
    );
  }
}
