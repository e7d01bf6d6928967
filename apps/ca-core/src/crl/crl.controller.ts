import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { type BusContext } from '@signet/bus';
import {
  Commands,
  CRL_CHUNK_BYTES,
  ErrorCode,
  SignetError,
  type CrlFetchReply,
  type PublishCrlReply,
} from '@signet/contracts';
import { type z } from 'zod';
import { AdminCredentials } from '../admin/admin-credentials';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { CrlService } from './crl.service';
import { CrlStore } from './crl.store';

type PublishCrlRequest = z.output<typeof Commands.adminPublishCrl.request>;
type CrlFetchRequest = z.output<typeof Commands.crlFetch.request>;

/**
 * ICertAdmin::PublishCRLs needs a CA administrator in AD CS, and here:
 * issuing a big CRL is expensive, so certificate managers revoke and the
 * schedule (or SIGNET_CRL_ON_REVOKE) publishes.
 */
const PUBLISH_ROLE = 'ca-admin';

/** Publish a CRL now (admin), and hand out stored CRLs in slices (the HTTP edge). */
@Controller()
export class CrlController {
  private readonly log = new Logger('CrlController');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly crl: CrlService,
    private readonly store: CrlStore,
    private readonly credentials: AdminCredentials,
  ) {}

  @MessagePattern(Commands.adminPublishCrl.name)
  async publish(@Payload() req: PublishCrlRequest, @Ctx() ctx: BusContext): Promise<PublishCrlReply> {
    const actor = await this.credentials.actor(ctx);
    if (!actor.roles.includes(PUBLISH_ROLE)) {
      this.log.warn(`refused CRL publication for ${actor.name}: not a ${PUBLISH_ROLE}`);
      throw new SignetError(ErrorCode.Forbidden, `publishing a CRL needs the ${PUBLISH_ROLE} role, which ${actor.name} does not hold`, { action: 'publishCrl', needs: PUBLISH_ROLE });
    }
    const c = await this.crl.publish(req.delta, actor.name);
    return {
      crlNumber: c.number,
      delta: c.delta,
      baseCrlNumber: c.baseNumber,
      thisUpdate: c.thisUpdate.toISOString(),
      nextUpdate: c.nextUpdate.toISOString(),
      entries: c.entries,
    };
  }

  @MessagePattern(Commands.crlFetch.name)
  async fetch(@Payload() req: CrlFetchRequest): Promise<CrlFetchReply> {
    const ca = this.config.caName;
    const row = req.number !== undefined ? await this.store.byNumber(ca, req.number) : await this.store.latest(ca, req.delta);
    if (!row || row.isDelta !== req.delta) {
      throw new SignetError(ErrorCode.NotFound, req.number !== undefined ? `no ${req.delta ? 'delta' : 'base'} CRL number ${req.number}` : `no ${req.delta ? 'delta' : 'base'} CRL has been issued yet`, { ca });
    }
    if (req.offset > row.size) throw new SignetError(ErrorCode.BadMessage, `offset ${req.offset} is beyond the CRL's ${row.size} bytes`);
    const chunk = req.metaOnly ? Buffer.alloc(0) : await this.store.slice(ca, row.number, req.offset, CRL_CHUNK_BYTES);
    return {
      number: row.number,
      delta: row.isDelta,
      baseNumber: row.baseNumber,
      thisUpdate: row.thisUpdate.toISOString(),
      nextUpdate: row.nextUpdate.toISOString(),
      entries: row.entries,
      size: row.size,
      sha256: row.sha256,
      offset: req.offset,
      chunk: chunk.toString('base64'),
    };
  }
}
