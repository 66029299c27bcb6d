import type { DeliveryReads } from '@hookline/deliveries-data-access';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { retentionWindow } from '../../deliveries/retention-window';
import { DELIVERY_READS, RETENTION_DAYS, WEBHOOK_STORE } from '../../tokens';
import {
  noStats,
  WebhookStatsResponse,
  WebhookStatsWithRetentionResponse,
} from '../webhook-stats.response';
import type { RetentionWindowResponse } from '../../deliveries/retention-window';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class GetWebhookStatsHttpController {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly webhooks: WebhookStore,
    @Inject(DELIVERY_READS) private readonly reads: DeliveryReads,
    @Inject(RETENTION_DAYS) private readonly retentionDays: number,
  ) {}

  @Get(':id/stats')
  @Requires('webhooks:read')
  @ApiOkResponse({ type: WebhookStatsWithRetentionResponse })
  @ApiNotFoundResponse({ type: ApiErrorBody, description: 'No such webhook in your company' })
  async stats(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookStatsResponse & { retention: RetentionWindowResponse }> {
    const webhook = await this.webhooks.get(principal.company, id);
    if (!webhook) throw new WebhookDomainError('not_found', `webhook ${id} not found`);
    const stats = await this.reads.stats(principal.company, [id]);
    return {
      ...(stats.get(id) ?? noStats(id)),
      retention: retentionWindow(this.retentionDays, new Date()),
    };
  }
}
