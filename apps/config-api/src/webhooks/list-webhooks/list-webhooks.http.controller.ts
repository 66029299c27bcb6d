import { InvalidCursorError, type WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { WEBHOOK_STORE } from '../../tokens';
import { toWebhookResponse, WebhookResponse } from '../webhook.response';
import { ListWebhooksQueryDto } from './list-webhooks.query.dto';

class WebhookPageResponse {
  @ApiProperty({ type: [WebhookResponse] }) items!: WebhookResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  nextCursor!: string | null;
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class ListWebhooksHttpController {
  constructor(@Inject(WEBHOOK_STORE) private readonly store: WebhookStore) {}

  @Get()
  @Requires('webhooks:read')
  @ApiOkResponse({ type: WebhookPageResponse, description: 'Newest first' })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListWebhooksQueryDto,
  ): Promise<WebhookPageResponse> {
    try {
      const page = await this.store.list({
        company: principal.company,
        limit: query.limit ?? 20,
        ...(query.status ? { status: query.status } : {}),
        ...(query.eventType ? { eventType: query.eventType } : {}),
        ...(query.projectId ? { projectId: query.projectId } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { items: page.items.map(toWebhookResponse), nextCursor: page.nextCursor };
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
