import type { KeyRing } from '@hookline/shared-crypto';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import { Controller, Get, Inject, Param } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { KEY_RING, WEBHOOK_STORE } from '../../tokens';
import { openSecret } from '../webhook-sealing';

class PreviousSecretBody {
  @ApiProperty() secret!: string;
  @ApiProperty({ format: 'date-time' }) validUntil!: string;
}

export class WebhookSecretResponse {
  @ApiProperty({ type: String, nullable: true }) secret!: string | null;
  @ApiPropertyOptional({ type: PreviousSecretBody, nullable: true })
  previousSecret!: PreviousSecretBody | null;
}

/** Shows a webhook's signing secret in clear: the one read endpoint that does, admins only. */
@ApiTags('webhooks')
@Controller('v1/webhooks')
export class RevealWebhookSecretHttpController {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(KEY_RING) private readonly keyRing: KeyRing,
  ) {}

  @Get(':id/secret')
  @Requires('secrets:reveal')
  @ApiOkResponse({ type: WebhookSecretResponse })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async reveal(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookSecretResponse> {
    const webhook = await this.store.get(principal.company, id);
    if (!webhook) throw new WebhookDomainError('not_found', `webhook ${id} not found`);
    const previous = webhook.previousSecret;
    return {
      secret: webhook.secret ? openSecret(this.keyRing, id, webhook.secret) : null,
      previousSecret:
        previous && Date.parse(previous.validUntil) > Date.now()
          ? {
              secret: openSecret(this.keyRing, id, previous.value),
              validUntil: previous.validUntil,
            }
          : null,
    };
  }
}
