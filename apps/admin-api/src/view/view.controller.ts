import { Controller, Get, Query, Res } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { badField, queryParam, type HttpResponse, type Query as QueryParams } from '@signet/http';
import { CurrentActor } from '../auth/actor.decorator';
import { Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { intParam } from '../http/input';
import { parseViewQuery } from './view-query';
import { ViewService, type ExportFormat } from './view.service';

/** ICertView over HTTP: presets, filters on AD CS column names, sort, cursor paging, count; CSV/JSON export. */
@Controller('api/v1/view')
export class ViewController {
  constructor(
    private readonly view: ViewService,
    private readonly client: AdminClient,
  ) {}

  @Get()
  @Read()
  async list(@Query() query: QueryParams, @CurrentActor() actor: Actor) {
    const q = parseViewQuery(query);
    return { ca: this.client.ca, ...(await this.view.page(actor, q)) };
  }

  /** Every page, streamed; `?format=csv|json`, `?maxRows=` lowers the configured cap. */
  @Get('export')
  @Read()
  async export(@Query() query: QueryParams, @CurrentActor() actor: Actor, @Res() res: HttpResponse): Promise<void> {
    const format = queryParam(query, 'format') ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw badField('format', 'csv or json');
    if (query.limit !== undefined) throw badField('limit', 'an export streams every page; use maxRows to cap it');
    const { limit: _l, cursor, count: _c, ...q } = parseViewQuery({ ...query, format: undefined, maxRows: undefined });
    if (cursor) throw badField('cursor', 'an export always starts at the first row');
    const maxRows = intParam(query, 'maxRows', 1, Number.MAX_SAFE_INTEGER);
    await this.view.export(actor, q, format as ExportFormat, maxRows, res);
  }
}
