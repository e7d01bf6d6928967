import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type ViewReply, type ViewRow } from '@signet/contracts';
import { type HttpResponse } from '@signet/http';
import { once } from 'node:events';
import { AdminClient } from '../bus/admin-client';
import { CONFIG, type AdminConfig } from '../config/config';
import { csvHeader, csvRow } from './csv';
import { MAX_LIMIT, type ViewQuery } from './view-query';

export type ExportFormat = 'csv' | 'json';

export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' };

/** ICertView: one page, or every page streamed as CSV/JSON up to a hard row cap. */
@Injectable()
export class ViewService {
  constructor(
    private readonly client: AdminClient,
    @Inject(CONFIG) private readonly config: AdminConfig,
  ) {}

  page(actor: Actor, q: ViewQuery): Promise<ViewReply> {
    return this.client.as(actor, 'adminView', q);
  }

  /**
   * Streams every matching row, page by page (cursor paging on ca-core), so
   * memory stays flat whatever the size. The first page is fetched before
   * anything is written: a bad filter or an absent CA is still a clean JSON
   * error. The total (counted with that first page) is known up front, so
   * truncation at the cap is announced in headers before the body starts.
   * A failure half-way cuts the connection (see HttpErrorFilter): a client
   * never takes a short file for a complete one.
   */
  async export(actor: Actor, q: Omit<ViewQuery, 'limit' | 'cursor' | 'count'>, format: ExportFormat, maxRows: number | undefined, res: HttpResponse): Promise<void> {
    const cap = Math.min(maxRows ?? this.config.exportMaxRows, this.config.exportMaxRows);
    const pageSize = Math.min(MAX_LIMIT, cap);
    let page = await this.page(actor, { ...q, limit: pageSize, count: true });
    const total = page.total ?? 0;
    const truncated = total > cap;
    res.status(200).set({
      'Content-Type': EXPORT_MEDIA_TYPES[format],
      'Content-Disposition': `attachment; filename="signet-${this.client.ca}-${q.preset}.${format}"`,
      'X-Total-Count': String(total),
      'X-Export-Max-Rows': String(cap),
      'X-Export-Truncated': String(truncated),
      'Cache-Control': 'no-store',
    });
    let written = 0;
    let aborted = false;
    res.once('close', () => {
      aborted = !res.writableFinished;
    });
    const write = async (chunk: string) => {
      if (!res.write(chunk) && !aborted) await drainOrClose(res);
    };
    await write(format === 'csv' ? csvHeader() : `{"ca":${JSON.stringify(this.client.ca)},"rows":[`);
    for (;;) {
      for (const row of page.rows) {
        if (written >= cap || aborted) break;
        await write(format === 'csv' ? csvRow(row) : `${written ? ',' : ''}${jsonRow(row)}`);
        written++;
      }
      if (!page.nextCursor || written >= cap || aborted) break;
      page = await this.page(actor, { ...q, limit: Math.min(pageSize, cap - written), cursor: page.nextCursor, count: false });
    }
    if (aborted) return;
    if (format === 'json') await write(`],"exported":${written},"total":${total},"truncated":${written < total}}`);
    res.end();
  }
}

/** Waits for the socket to take more, or to go away (a client that hung up never drains). */
async function drainOrClose(res: HttpResponse): Promise<void> {
  const ac = new AbortController();
  await Promise.race([once(res, 'drain', { signal: ac.signal }), once(res, 'close', { signal: ac.signal })]).catch(() => undefined);
  ac.abort();
}

function jsonRow(row: ViewRow): string {
  return JSON.stringify(row);
}
