import { Controller, Get, Res } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { ValidQuery, type HttpResponse } from '@signet/http';
import { type z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { ExportQuerySchema, viewQuery, ViewQuerySchema, viewSelection } from './view-query';
import { ViewService } from './view.service';

/** ICertView over HTTP: presets, filters on AD CS column names, sort, cursor paging, count; CSV/JSON export. */
@Controller('api/v1/view')
export class ViewController {
  constructor(
    private readonly view: ViewService,
    private readonly client: AdminClient,
  ) {}

  @Get()
  @Read()
  async list(@ValidQuery(ViewQuerySchema) query: z.output<typeof ViewQuerySchema>, @CurrentActor() actor: Actor) {
    const q = viewQuery(query);
    return { ca: this.client.ca, ...(await this.view.page(actor, q)) };
  }

  /** Every page, streamed; `?format=csv|json`, `?maxRows=` lowers the configured cap. */
  @Get('export')
  @Read()
  async export(@ValidQuery(ExportQuerySchema) query: z.output<typeof ExportQuerySchema>, @CurrentActor() actor: Actor, @Res() res: HttpResponse): Promise<void> {
    await this.view.export(actor, viewSelection(query), query.format ?? 'csv', query.maxRows, res);
  }
}
