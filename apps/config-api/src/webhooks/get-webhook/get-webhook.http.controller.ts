import type { WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { WEBHOOK_STORE } from '../../tokens';
import { toWebhookResponse, WebhookResponse } from '../webhook.response';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class GetWebhookHttpController {
  constructor(@Inject(WEBHOOK_STORE) private readonly store: WebhookStore) {}

  @Get(':id')
  @Requires('webhooks:read')
  @ApiOkResponse({ type: WebhookResponse })
  @ApiNotFoundResponse({ type: ApiErrorBody, description: 'No such webhook in your company' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookResponse> {
    const webhook = await this.store.get(principal.company, id);
    if (!webhook) throw new WebhookDomainError('not_found', `webhook ${id} not found`);
    return toWebhookResponse(webhook);
  }
}
