import { RETENTION_HEADERS } from '@hookline/contracts';
import { EXPORT_COLUMNS } from '@hookline/deliveries-data-access';
import { Controller, Get, Inject, Logger, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { Costly } from '../../http/rate-limit';
import { DELIVERY_EXPORTS, RETENTION_DAYS } from '../../tokens';
import { HistoryFilterQueryDto, toHistoryFilter } from '../history-filter.query.dto';
import { retentionWindow, withinRetention } from '../retention-window';
import type { DeliveryExports } from './delivery-exports';
import { exportCsv } from './export-csv';

@ApiTags('deliveries')
@Controller('v1/deliveries')
export class ExportDeliveriesHttpController {
  private readonly logger = new Logger(ExportDeliveriesHttpController.name);

  constructor(
    @Inject(DELIVERY_EXPORTS) private readonly exports: DeliveryExports,
    @Inject(RETENTION_DAYS) private readonly retentionDays: number,
  ) {}

  // AppModule lists this controller before GetDeliveryHttpController: `export` is not an id.
  @Get('export')
  @ApiRuleViolation(
    'to is not after from, to is older than the retention window, or the range is wider than the export allows',
  )
  @Requires('webhooks:read')
  @Costly()
  @ApiOkResponse({
    content: { 'text/csv': { schema: { type: 'string' } } },
    description:
      `One row per attempt, newest delivery first, RFC 4180 with a header row: ${EXPORT_COLUMNS.join(', ')}. ` +
      'Covers deliveries created from `from` to `to`: `to` defaults to now, `from` to the ' +
      'export range (HOOKLINE_EXPORT_MAX_RANGE_DAYS, 31 days by default) before `to`; a wider ' +
      'range is a 422, and so is a `to` older than the retention window. A download that runs ' +
      'past the maximum duration is cut short.',
    headers: {
      [RETENTION_HEADERS.days]: {
        schema: { type: 'integer' },
        description: 'Days deliveries are kept (HOOKLINE_RETENTION_DAYS)',
      },
      [RETENTION_HEADERS.since]: {
        schema: { type: 'string', format: 'date-time' },
        description: 'Deliveries created before this time may be gone from the export',
      },
    },
  })
  @ApiBadRequestResponse({ type: ApiErrorBody, description: 'Names the bad filter' })
  @ApiResponse({
    status: 429,
    type: ApiErrorBody,
    description:
      'Too many requests for this key, or too many exports running for the company or the ' +
      'server; try again after Retry-After seconds',
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
  })
  async export(
    @CurrentPrincipal() principal: Principal,
    @Query() query: HistoryFilterQueryDto,
    @Res() response: Response,
  ): Promise<void> {
    const retention = retentionWindow(this.retentionDays, new Date());
    // The export's own range check first (a wide range names from), then the window's.
    const running = await this.exports.open(toHistoryFilter(principal, query), new Date(), (f) =>
      withinRetention(f, retention),
    );
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    response.status(200);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="deliveries-${stamp}.csv"`);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader(RETENTION_HEADERS.days, String(retention.days));
    response.setHeader(RETENTION_HEADERS.since, retention.since);
    // The status line now: the first row may take a while to come on a large window.
    response.flushHeaders();
    try {
      // Backpressure end to end: the database cursor is read only as fast as the client reads.
      await pipeline(running.rows, exportCsv(), response);
    } catch (error) {
      // The status line is gone: all that is left is to cut the response short, so the client
      // sees a truncated download instead of a complete-looking file.
      this.logger.warn({
        msg: 'delivery export cut short',
        errorClass: error instanceof Error ? error.constructor.name : typeof error,
      });
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    } finally {
      running.close();
    }
  }
}
