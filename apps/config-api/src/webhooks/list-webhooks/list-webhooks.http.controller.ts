import type { DeliveryReads } from '@hookline/deliveries-data-access';
import { InvalidCursorError, type WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { DELIVERY_READS, WEBHOOK_STORE } from '../../tokens';
import { noStats, WebhookStatsResponse } from '../webhook-stats.response';
import { toWebhookResponse, WebhookResponse } from '../webhook.response';
import { ListWebhooksQueryDto } from './list-webhooks.query.dto';

class WebhookListItemResponse extends WebhookResponse {
  @ApiPropertyOptional({ type: WebhookStatsResponse, description: 'With includeStats=true' })
  stats?: WebhookStatsResponse;
}

class WebhookPageResponse {
  @ApiProperty({ type: [WebhookListItemResponse] }) items!: WebhookListItemResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  nextCursor!: string | null;
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class ListWebhooksHttpController {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(DELIVERY_READS) private readonly reads: DeliveryReads,
  ) {}

  @Get()
  @ApiRuleViolation('The cursor is not one a page returned')
  @Requires('webhooks:read')
  @ApiOkResponse({ type: WebhookPageResponse, description: 'Newest first' })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListWebhooksQueryDto,
  ): Promise<WebhookPageResponse> {
    let page;
    try {
      page = await this.store.list({
        company: principal.company,
        limit: query.limit ?? 20,
        ...(query.status ? { status: query.status } : {}),
        ...(query.eventType ? { eventType: query.eventType } : {}),
        ...(query.projectId ? { projectId: query.projectId } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw WebhookDomainError.validationFailed([
          { field: 'cursor', rule: 'invalid_value', message: error.message },
        ]);
      }
      throw error;
    }
    const items = page.items.map(toWebhookResponse);
    if (!query.includeStats) return { items, nextCursor: page.nextCursor };
    const stats = await this.reads.stats(
      principal.company,
      items.map((w) => w.id),
    );
    return {
      items: items.map((w) => ({ ...w, stats: stats.get(w.id) ?? noStats(w.id) })),
      nextCursor: page.nextCursor,
    };
  }
}
