import { EVENT_CATALOG, EVENT_TYPES, SAMPLE_ENVELOPES } from '@hookline/contracts';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';

class EventTypeResponse {
  @ApiProperty({ example: 'scan.completed' }) type!: string;
  @ApiProperty({ example: 'scan' }) category!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'Whether a project filter applies' }) hasProject!: boolean;
  @ApiProperty({ description: 'Whether a status filter applies' }) supportsStatusFilter!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema of data' })
  dataSchema!: object;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'A sample payload' })
  sample!: object;
}

/** The event catalog: what a webhook can subscribe to. Public: it holds no tenant data. */
@ApiTags('event types')
@Controller('v1/event-types')
export class ListEventTypesHttpController {
  @Get()
  @ApiOkResponse({ type: [EventTypeResponse] })
  list(): EventTypeResponse[] {
    return EVENT_TYPES.map((type) => {
      const entry = EVENT_CATALOG[type];
      return {
        type,
        category: entry.category,
        description: entry.description,
        hasProject: entry.hasProject,
        supportsStatusFilter: entry.supportsStatusFilter,
        dataSchema: entry.dataSchema,
        sample: SAMPLE_ENVELOPES[type],
      };
    });
  }
}
