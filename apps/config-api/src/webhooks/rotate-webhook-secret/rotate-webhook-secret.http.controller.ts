import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import { ApiIfMatch, ExpectedVersion } from '../../http/expected-version.decorator';
import { WebhookResponse } from '../webhook.response';
import { RotateWebhookSecretCommand } from './rotate-webhook-secret.command';
import type { RotateWebhookSecretResult } from './rotate-webhook-secret.handler';
import { RotateWebhookSecretRequestDto } from './rotate-webhook-secret.request.dto';

class RotatedWebhookResponse extends WebhookResponse {
  @ApiProperty({ description: 'The new signing secret, shown here once' })
  secret!: string;
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class RotateWebhookSecretHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/rotate-secret')
  @ApiRuleViolation('The secret or the grace period breaks a rule; it is named')
  @HttpCode(HttpStatus.OK)
  @Requires('secrets:reveal')
  @ApiIfMatch()
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Changed concurrently, or not at the If-Match version',
  })
  @ApiOkResponse({ type: RotatedWebhookResponse })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: RotateWebhookSecretRequestDto,
    @CorrelationId() correlationId: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<RotateWebhookSecretResult> {
    return this.commandBus.execute(
      new RotateWebhookSecretCommand(principal, id, body, correlationId, expectedVersion),
    );
  }
}
