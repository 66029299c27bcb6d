import { Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import { RetryDeliveryCommand } from './retry-delivery.command';
import type { RetryAccepted } from './retry-delivery.handler';
import { Costly } from '../../http/rate-limit';

class RetryAcceptedResponse {
  @ApiProperty({ example: 'dlv_0f3c9a1e2b7d4c5a8e6f1a2b3c4d5e6f' }) deliveryId!: string;
  @ApiProperty({ example: 4, description: 'The number the new attempt gets in the log' })
  attempt!: number;
}

@ApiTags('deliveries')
@Controller('v1/deliveries')
export class RetryDeliveryHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @Requires('webhooks:write')
  @Costly()
  @ApiAcceptedResponse({
    type: RetryAcceptedResponse,
    description: 'Queued for the delivery worker, which sends it at once with trigger manual',
  })
  @ApiNotFoundResponse({ type: ApiErrorBody, description: 'No such delivery in your company' })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'The webhook is paused or deleted, or the delivery is still pending',
  })
  retry(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @CorrelationId() correlationId: string,
  ): Promise<RetryAccepted> {
    return this.commandBus.execute(new RetryDeliveryCommand(principal, id, correlationId));
  }
}
