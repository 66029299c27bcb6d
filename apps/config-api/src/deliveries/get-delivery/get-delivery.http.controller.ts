import type { DeliveryReads } from '@hookline/deliveries-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { DELIVERY_READS } from '../../tokens';
import { DeliveryDetailResponse } from '../delivery.response';

@ApiTags('deliveries')
@Controller('v1/deliveries')
export class GetDeliveryHttpController {
  constructor(@Inject(DELIVERY_READS) private readonly reads: DeliveryReads) {}

  @Get(':id')
  @Requires('webhooks:read')
  @ApiOkResponse({ type: DeliveryDetailResponse, description: 'With every attempt' })
  @ApiNotFoundResponse({ type: ApiErrorBody, description: 'No such delivery in your company' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<DeliveryDetailResponse> {
    const delivery = await this.reads.get(principal.company, id);
    if (!delivery) throw new WebhookDomainError('not_found', `delivery ${id} not found`);
    return delivery;
  }
}
