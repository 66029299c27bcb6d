import { Controller, Delete, HttpCode, HttpStatus, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import { ApiIfMatch, ExpectedVersion } from '../../http/expected-version.decorator';
import { DeleteWebhookCommand } from './delete-webhook.command';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class DeleteWebhookHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Requires('webhooks:write')
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Changed concurrently by another request',
  })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @CorrelationId() correlationId: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<void> {
    await this.commandBus.execute(
      new DeleteWebhookCommand(principal, id, correlationId, expectedVersion),
    );
  }
}
