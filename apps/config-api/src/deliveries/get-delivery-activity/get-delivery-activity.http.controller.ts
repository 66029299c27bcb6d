import type { ActivityBucket, DeliveryReads } from '@hookline/deliveries-data-access';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { DELIVERY_READS } from '../../tokens';
import { GetDeliveryActivityQueryDto } from './get-delivery-activity.query.dto';

class ActivityBucketResponse {
  @ApiProperty({ example: 'wh_2f7c1c9e0b6a4d3f8e5a1b2c3d4e5f60' }) webhookId!: string;
  @ApiProperty({ format: 'date-time', description: 'Start of the hour (UTC)' }) start!: string;
  @ApiProperty() delivered!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'Pending or waiting for a retry' }) pending!: number;
  @ApiProperty({ description: 'Skipped while the webhook was paused' }) skipped!: number;
}

class DeliveryActivityResponse {
  @ApiProperty({ format: 'date-time', description: 'Start of the first hour counted' })
  from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({
    type: [ActivityBucketResponse],
    description: 'Hours with deliveries only, oldest first',
  })
  items!: ActivityBucket[];
}

const HOUR_MS = 3_600_000;

/** Deliveries over time: per webhook and hour, by status now; test deliveries left out. */
@ApiTags('deliveries')
@Controller('v1/deliveries')
export class GetDeliveryActivityHttpController {
  constructor(@Inject(DELIVERY_READS) private readonly reads: DeliveryReads) {}

  // AppModule lists this controller before GetDeliveryHttpController: `activity` is not an id.
  @Get('activity')
  @Requires('webhooks:read')
  @ApiOkResponse({ type: DeliveryActivityResponse })
  @ApiBadRequestResponse({ type: ApiErrorBody, description: 'Names the bad parameter' })
  async activity(
    @CurrentPrincipal() principal: Principal,
    @Query() query: GetDeliveryActivityQueryDto,
  ): Promise<DeliveryActivityResponse> {
    const to = new Date();
    const hours = query.hours ?? 24;
    // The current hour counts as one of them, so the first starts hours - 1 hours back.
    const from = new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS);
    const items = await this.reads.activity({
      company: principal.company,
      from,
      to,
      ...(query.webhookId ? { webhookId: query.webhookId } : {}),
    });
    return { from: from.toISOString(), to: to.toISOString(), items };
  }
}
