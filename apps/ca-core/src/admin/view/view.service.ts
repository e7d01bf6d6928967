import { Inject, Injectable } from '@nestjs/common';
import { type Disposition, type RequestType, type ViewReply, type ViewRow } from '@signet/contracts';
import { DataSource } from 'typeorm';
import { CA_CONFIG, type CaConfig } from '../../config/ca-config';
import { COLUMNS } from './view-columns';
import { countQuery, decodeCursor, encodeCursor, fingerprint, pageQuery, type Cursor, type ViewQuery } from './view-query';

type Row = Record<string, unknown>;

const iso = (d: unknown) => (d ? (d as Date).toISOString() : null);

function toViewRow(r: Row): ViewRow {
  return {
    RequestID: Number(r.id),
    Disposition: r.disposition as Disposition,
    RequesterName: r.requester_name as string,
    CertificateTemplate: (r.template as string | null) ?? null,
    Subject: r.subject as string,
    SerialNumber: (r.serial as string | null) ?? null,
    NotBefore: iso(r.not_before),
    NotAfter: iso(r.not_after),
    SubmittedWhen: (r.submitted_at as Date).toISOString(),
    ResolvedWhen: iso(r.resolved_at),
    RevokedWhen: iso(r.revoked_at),
    RevokedReason: (r.revoked_reason as number | null) ?? null,
    DispositionMessage: r.disposition_message as string,
    RequestType: r.request_type as RequestType,
  };
}

/** ICertView::OpenView over this CA's requests and certificates (see view-query.ts). */
@Injectable()
export class ViewService {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
  ) {}

  async view(q: ViewQuery): Promise<ViewReply> {
    const ca = this.config.caName;
    const cursor = q.cursor ? decodeCursor(q, q.cursor) : null;
    // The count runs beside the page on another pooled connection: the reply waits for the slower, not the sum.
    const [page, total] = await Promise.all([this.page(q, ca, cursor), q.count ? this.count(q, ca) : Promise.resolve(null)]);
    return { rows: page.rows.map(toViewRow), nextCursor: page.next ? encodeCursor(page.next) : null, total };
  }

  private async count(q: ViewQuery, ca: string): Promise<number> {
    const c = countQuery(q, ca);
    const [row] = await this.ds.query(c.sql, c.params);
    return Number(row.n);
  }

  private async page(q: ViewQuery, ca: string, cursor: Cursor | null): Promise<{ rows: Row[]; next: Cursor | null }> {
    const f = fingerprint(q);
    const limit = q.limit;
    const nullable = COLUMNS[q.sort.column].nullable;
    const run = async (phase: 'a' | 'b', after: { v: string | null; i: number | null } | null, n: number): Promise<Row[]> => {
      const b = pageQuery(q, ca, phase, after, n);
      return this.ds.query(b.sql, b.params);
    };
    const fromB = async (rows: Row[], after: number | null): Promise<{ rows: Row[]; next: Cursor | null }> => {
      const room = limit - rows.length;
      const more = await run('b', after === null ? null : { v: null, i: after }, room + 1);
      const taken = [...rows, ...more.slice(0, room)];
      if (more.length <= room) return { rows: taken, next: null };
      // A full page: continue in phase b after the last row taken (or from its start).
      return { rows: taken, next: { f, p: 'b', v: null, i: room > 0 ? Number(taken[taken.length - 1].id) : after } };
    };

    if (cursor?.p === 'b') return fromB([], cursor.i);
    const rows = await run('a', cursor ? { v: cursor.v, i: cursor.i } : null, limit + 1);
    if (rows.length > limit) {
      const last = rows[limit - 1];
      return { rows: rows.slice(0, limit), next: { f, p: 'a', v: last.sk as string, i: Number(last.id) } };
    }
    return nullable ? fromB(rows, null) : { rows, next: null };
  }
}
