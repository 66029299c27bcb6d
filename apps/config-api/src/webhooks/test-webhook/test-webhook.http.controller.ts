import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { CorrelationId } from '../../http/correlation-id.decorator';
import { TestWebhookCommand } from './test-webhook.command';
import { RESPONSE_SNIPPET_CHARS, type TestWebhookResult } from './test-webhook.outcome';
import { TestWebhookRequestDto } from './test-webhook.request.dto';
import { Costly } from '../../http/rate-limit';

class TestWebhookResultResponse {
  @ApiProperty({ example: 'dlv_0f3c9a1e2b7d4c5a8e6f1a2b3c4d5e6f', description: 'In the history' })
  deliveryId!: string;
  @ApiProperty({ description: 'The endpoint answered 2xx' }) success!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'null: it never answered' })
  statusCode!: number | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: `The first ${RESPONSE_SNIPPET_CHARS} characters of the response body`,
  })
  responseSnippet!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'blocked_by_policy: resolves to a private address',
    description: 'Why it failed, failure class first; null on success',
  })
  error!: string | null;
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class TestWebhookHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/test')
  @ApiRuleViolation('eventType is needed: the webhook subscribes to no event type')
  @HttpCode(HttpStatus.OK)
  @Requires('webhooks:write')
  @Costly()
  @ApiOkResponse({
    type: TestWebhookResultResponse,
    description:
      'The outcome of a sample event sent through the real delivery path, once, as a test ' +
      'delivery (also to a paused webhook)',
  })
  @ApiBadRequestResponse({ type: ApiErrorBody, description: 'Unknown event type' })
  @ApiNotFoundResponse({ type: ApiErrorBody, description: 'No such webhook in your company' })
  @ApiGatewayTimeoutResponse({
    type: ApiErrorBody,
    description: 'No outcome in time; deliveryId names the delivery to look up later',
  })
  test(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @CorrelationId() correlationId: string,
    @Body() body: TestWebhookRequestDto,
  ): Promise<TestWebhookResult> {
    return this.commandBus.execute(
      // Without a request body the pipe hands over undefined.
      new TestWebhookCommand(principal, id, correlationId, body?.eventType),
    );
  }
}
