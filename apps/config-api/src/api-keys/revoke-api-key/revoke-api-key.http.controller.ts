import type { ApiKeyStore } from '@hookline/access-data-access';
import { Controller, Delete, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { API_KEY_STORE } from '../../tokens';
import { ApiKeyResponse, toApiKeyResponse } from '../api-key.response';

/** Revokes a key of the caller's company: from the next request on it gets 401. */
@ApiTags('api keys')
@Controller('v1/api-keys')
export class RevokeApiKeyHttpController {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  @Delete(':id')
  @Requires('keys:manage')
  @ApiOkResponse({ type: ApiKeyResponse })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ApiKeyResponse> {
    return toApiKeyResponse(await this.keys.revoke(id, principal.company));
  }
}
