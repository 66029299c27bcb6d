import { type DeliveryReads, EXPORT_COLUMNS } from '@hookline/deliveries-data-access';
import { Controller, Get, Inject, Logger, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody } from '../../http/api-error';
import { DELIVERY_READS } from '../../tokens';
import { HistoryFilterQueryDto, toHistoryFilter } from '../history-filter.query.dto';
import { exportCsv } from './export-csv';
import { Costly } from '../../http/rate-limit';

@ApiTags('deliveries')
@Controller('v1/deliveries')
export class ExportDeliveriesHttpController {
  private readonly logger = new Logger(ExportDeliveriesHttpController.name);

  constructor(@Inject(DELIVERY_READS) private readonly reads: DeliveryReads) {}

  // AppModule lists this controller before GetDeliveryHttpController: `export` is not an id.
  @Get('export')
  @Requires('webhooks:read')
  @Costly()
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: `One row per attempt, newest delivery first, RFC 4180 with a header row: ${EXPORT_COLUMNS.join(', ')}`,
    schema: { type: 'string' },
  })
  @ApiBadRequestResponse({ type: ApiErrorBody, description: 'Names the bad filter' })
  async export(
    @CurrentPrincipal() principal: Principal,
    @Query() query: HistoryFilterQueryDto,
    @Res() response: Response,
  ): Promise<void> {
    const rows = await this.reads.exportAttempts(toHistoryFilter(principal, query));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    response.status(200);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="deliveries-${stamp}.csv"`);
    response.setHeader('Cache-Control', 'no-store');
    try {
      // Backpressure end to end: the database cursor is read only as fast as the client reads.
      await pipeline(rows, exportCsv(), response);
    } catch (error) {
      // The status line is gone: all that is left is to cut the response short, so the client
      // sees a truncated download instead of a complete-looking file.
      this.logger.warn({
        msg: 'delivery export cut short',
        errorClass: error instanceof Error ? error.constructor.name : typeof error,
      });
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
