import { type DeliveryReads, InvalidCursorError } from '@hookline/deliveries-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { DELIVERY_READS, RETENTION_DAYS } from '../../tokens';
import { DeliveryPageResponse } from '../delivery.response';
import { toHistoryFilter } from '../history-filter.query.dto';
import { retentionWindow, withinRetention } from '../retention-window';
import { ListDeliveriesQueryDto } from './list-deliveries.query.dto';

@ApiTags('deliveries')
@Controller('v1/deliveries')
export class ListDeliveriesHttpController {
  constructor(
    @Inject(DELIVERY_READS) private readonly reads: DeliveryReads,
    @Inject(RETENTION_DAYS) private readonly retentionDays: number,
  ) {}

  @Get()
  @ApiRuleViolation(
    'to is not after from, to is older than the retention window, or the cursor is not one a page returned',
  )
  @Requires('webhooks:read')
  @ApiOkResponse({ type: DeliveryPageResponse, description: 'Newest first' })
  @ApiBadRequestResponse({ type: ApiErrorBody, description: 'Names the bad filter' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<DeliveryPageResponse> {
    const retention = retentionWindow(this.retentionDays, new Date());
    const filter = withinRetention(toHistoryFilter(principal, query), retention);
    try {
      const page = await this.reads.list({
        ...filter,
        limit: query.limit ?? 50,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { ...page, retention };
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw WebhookDomainError.validationFailed([
          { field: 'cursor', rule: 'invalid_value', message: error.message },
        ]);
      }
      throw error;
    }
  }
}
