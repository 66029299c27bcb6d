import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Body, Controller, HttpCode, HttpStatus, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import type { ReplayLimits } from '../../deliveries/queue-replay';
import { REPLAY_LIMITS } from '../../tokens';
import { RecoverWebhookCommand } from './recover-webhook.command';
import type { RecoveryQueued } from './recover-webhook.handler';
import { RecoverWebhookRequestDto } from './recover-webhook.request.dto';
import { Costly } from '../../http/rate-limit';
import { parseDateTime } from '../../http/date-time.decorator';

class RecoveryQueuedResponse {
  @ApiProperty({ example: 12, description: 'Deliveries queued again, oldest first' })
  queued!: number;

  @ApiProperty({
    example: true,
    description:
      'Everything in the window was queued; false when HOOKLINE_REPLAY_MAX_DELIVERIES stopped it',
  })
  complete!: boolean;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When not complete: recover again with this as since to go on (a few may repeat)',
  })
  resumeFrom?: string;
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class RecoverWebhookHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(REPLAY_LIMITS) private readonly limits: ReplayLimits,
  ) {}

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
    description:
      'since missing, malformed or further back than HOOKLINE_RECOVER_MAX_WINDOW_DAYS, or until before since',
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
    const earliest = Date.now() - this.limits.maxWindowDays * 86_400_000;
    if (since.getTime() < earliest) {
      throw WebhookDomainError.validationFailed([
        {
          field: 'since',
          rule: 'out_of_range',
          message: `since must be within the last ${this.limits.maxWindowDays} days (HOOKLINE_RECOVER_MAX_WINDOW_DAYS)`,
        },
      ]);
    }
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
