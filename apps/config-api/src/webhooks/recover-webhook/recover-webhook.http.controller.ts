import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import { RecoverWebhookCommand } from './recover-webhook.command';
import type { RecoveryQueued } from './recover-webhook.handler';
import { RecoverWebhookRequestDto } from './recover-webhook.request.dto';
import { Costly } from '../../http/rate-limit';
import { parseDateTime } from '../../http/date-time.decorator';

class RecoveryQueuedResponse {
  @ApiProperty({ example: 12, description: 'Deliveries queued again, oldest first' })
  queued!: number;
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class RecoverWebhookHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/recover')
  @ApiRuleViolation('until is not after since')
  @HttpCode(HttpStatus.ACCEPTED)
  @Requires('webhooks:write')
  @Costly()
  @ApiAcceptedResponse({
    type: RecoveryQueuedResponse,
    description:
      'The failed and skipped deliveries created in the window, queued again (trigger manual)',
  })
  @ApiBadRequestResponse({
    type: ApiErrorBody,
    description: 'since missing or malformed, or until before since',
  })
  @ApiNotFoundResponse({ type: ApiErrorBody, description: 'No such webhook in your company' })
  @ApiConflictResponse({ type: ApiErrorBody, description: 'The webhook is paused' })
  recover(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @CorrelationId() correlationId: string,
    @Body() body: RecoverWebhookRequestDto,
  ): Promise<RecoveryQueued> {
    const since = parseDateTime(body.since);
    const until = body.until === undefined ? undefined : parseDateTime(body.until);
    if (until && until.getTime() <= since.getTime()) {
      throw WebhookDomainError.validationFailed([
        { field: 'until', rule: 'out_of_range', message: 'until must be after since' },
      ]);
    }
    return this.commandBus.execute(
      new RecoverWebhookCommand(principal, id, correlationId, since, until),
    );
  }
}
