import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { createBusMicroservice, encodeJson } from '@signet/bus';
import {
  Commands,
  CRL_CHUNK_BYTES,
  ErrorCode,
  Events,
  ExitEvent,
  SignetError,
  type CrlFetchReply,
  type OcspRespondReply,
} from '@signet/contracts';
import { buildCrl, createSelfSignedCa, createSigner, generateKeyPair, randomSerialHex } from '@signet/x509';
import { createHash } from 'node:crypto';
import { type z } from 'zod';
import { FakeCa } from '../../test/fake-ca';
import { startHarness, uniqueCaName, type Harness } from '../../test/harness';

/*
 * The revocation routes of the real intermediary app on real NATS, with
 * ca-core's revocation commands played by a stand-in: CRLs in slices,
 * OCSP replies as ca-core would give them, certificate and CRL events.
 */

interface StoredCrl {
  number: number;
  delta: boolean;
  der: Buffer;
  thisUpdate: Date;
  nextUpdate: Date;
}

const state = {
  crls: [] as StoredCrl[],
  crlCalls: [] as z.output<typeof Commands.crlFetch.request>[],
  ocspCalls: [] as string[],
  ocsp: (_req: string): OcspRespondReply | Promise<OcspRespondReply> => {
    throw new SignetError(ErrorCode.Internal, 'not set');
  },
};

@Controller()
class FakeRevocation {
  @MessagePattern(Commands.crlFetch.name)
  fetch(@Payload() req: z.output<typeof Commands.crlFetch.request>): CrlFetchReply {
    state.crlCalls.push(req);
    const c = req.number !== undefined ? state.crls.find((x) => x.number === req.number) : [...state.crls].reverse().find((x) => x.delta === req.delta);
    if (!c) throw new SignetError(ErrorCode.NotFound, 'no CRL');
    return {
      number: c.number,
      delta: c.delta,
      baseNumber: null,
      thisUpdate: c.thisUpdate.toISOString(),
      nextUpdate: c.nextUpdate.toISOString(),
      entries: 0,
      size: c.der.length,
      sha256: createHash('sha256').update(c.der).digest('hex'),
      offset: req.offset,
      chunk: req.metaOnly ? '' : c.der.subarray(req.offset, req.offset + CRL_CHUNK_BYTES).toString('base64'),
    };
  }

  @MessagePattern(Commands.ocspRespond.name)
  respond(@Payload() req: { request: string }): OcspRespondReply | Promise<OcspRespondReply> {
    state.ocspCalls.push(req.request);
    return state.ocsp(req.request);
  }
}

@Module({ controllers: [FakeRevocation] })
class FakeRevocationModule {}

const SEC = 1000;
const caKeys = generateKeyPair('ecdsa-p256');
let caDer: Buffer;

async function makeCrl(number: number, entries: number, delta = false): Promise<StoredCrl> {
  const thisUpdate = new Date(Math.floor(Date.now() / SEC) * SEC);
  const nextUpdate = new Date(thisUpdate.getTime() + 3600 * SEC);
  const der = await buildCrl(
    { issuerCertificateDer: caDer, signer: createSigner(caKeys.privateKey), crlNumber: number, thisUpdate, nextUpdate, ...(delta ? { deltaOf: number - 1 } : {}) },
    Array.from({ length: entries }, () => ({ serialHex: randomSerialHex(), revocationDate: thisUpdate, reason: 1 })),
  );
  return { number, delta, der, thisUpdate, nextUpdate };
}

const ocspReply = (over: Partial<OcspRespondReply> = {}): OcspRespondReply => ({
  status: 'successful',
  response: Buffer.from(`response-${state.ocspCalls.length}`).toString('base64'),
  cacheable: true,
  serials: ['0a'],
  producedAt: new Date().toISOString(),
  thisUpdate: new Date().toISOString(),
  nextUpdate: new Date(Date.now() + 600 * SEC).toISOString(),
  ...over,
});

describe('revocation routes of the intermediary (real NATS)', () => {
  let h: Harness;
  let fake: INestMicroservice;
  let ca: string;

  beforeAll(async () => {
    caDer = await createSelfSignedCa({ subject: [{ type: 'CN', value: 'Edge Test CA' }], ...caKeys, notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000 * 30) });
    process.env.SIGNET_CRL_CHECK_SECONDS = '3600';
    h = await startHarness();
    delete process.env.SIGNET_CRL_CHECK_SECONDS;
    ca = h.ca.name;
    fake = await createBusMicroservice(FakeRevocationModule, { connection: h.nc, ca, logger: false });
    await fake.listen();
  });
  afterAll(async () => {
    await fake?.close();
    await h?.close();
  });

  const publish = async (event: ExitEvent, payload: Record<string, unknown>) => {
    h.nc.publish(Events.subject(ca, event), encodeJson({ event, ca, ...payload }));
    await h.nc.flush();
    await new Promise((r) => setTimeout(r, 100));
  };

  describe('CRLs', () => {
    it('answers 404 before the CA issued one, and for names that are not CRL files', async () => {
      expect((await fetch(h.url(`/crl/${ca}.crl`))).status).toBe(404);
      expect((await fetch(h.url(`/crl/${ca}.txt`))).status).toBe(404);
      expect((await fetch(h.url(`/crl/..%2Fetc.crl`))).status).toBe(404);
    });

    it('answers 404 NOT_FOUND naming the CA for a CA that does not exist (CRL and CA certificate), 503 for one whose core is away', async () => {
      const nobody = uniqueCaName('nobody');
      for (const path of [`/crl/${nobody}.crl`, `/crl/${nobody}+.crl`, `/ca/${nobody}.crt`]) {
        const res = await fetch(h.url(path));
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: `no CA named "${nobody}" is known`, details: { ca: nobody } });
      }
      const down = await new FakeCa(uniqueCaName('down')).start(h.nc, { discoveryOnly: true });
      try {
        for (const path of [`/crl/${down.name}.crl`, `/ca/${down.name}.crt`]) {
          const res = await fetch(h.url(path));
          expect({ path, status: res.status }).toEqual({ path, status: 503 });
          expect(await res.json()).toMatchObject({ code: 'CA_UNAVAILABLE' });
        }
      } finally {
        await down.stop();
      }
    });

    it('serves a big base CRL fetched in slices: DER, pkix-crl, validators, max-age until nextUpdate', async () => {
      state.crls.push(await makeCrl(1, 15_000));
      expect(state.crls[0].der.length).toBeGreaterThan(CRL_CHUNK_BYTES);
      state.crlCalls.length = 0;
      const res = await fetch(h.url(`/crl/${ca}.crl`));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pkix-crl');
      expect(Buffer.from(await res.arrayBuffer()).equals(state.crls[0].der)).toBe(true);
      expect(state.crlCalls.map((c) => c.offset)).toEqual([0, CRL_CHUNK_BYTES]);
      expect(res.headers.get('last-modified')).toBe(state.crls[0].thisUpdate.toUTCString());
      expect(res.headers.get('expires')).toBe(state.crls[0].nextUpdate.toUTCString());
      const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control')!)![1]);
      expect(maxAge).toBeGreaterThan(3590);
      expect(maxAge).toBeLessThanOrEqual(3600);
      const etag = res.headers.get('etag')!;
      expect((await fetch(h.url(`/crl/${ca}.crl`), { headers: { 'if-none-match': etag } })).status).toBe(304);
      expect((await fetch(h.url(`/crl/${ca}.crl`), { headers: { 'if-modified-since': res.headers.get('last-modified')! } })).status).toBe(304);
      // All from memory: no further bus calls.
      expect(state.crlCalls).toHaveLength(2);
    });

    it('gives PEM when asked, with its own tag', async () => {
      const res = await fetch(h.url(`/crl/${ca}.crl?format=pem`));
      expect(res.headers.get('content-type')).toMatch(/^application\/x-pem-file/);
      const text = await res.text();
      expect(text.startsWith('-----BEGIN X509 CRL-----\n')).toBe(true);
      expect(Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64').equals(state.crls[0].der)).toBe(true);
      const viaAccept = await fetch(h.url(`/crl/${ca}.crl`), { headers: { accept: 'application/x-pem-file' } });
      expect(await viaAccept.text()).toBe(text);
      expect((await fetch(h.url(`/crl/${ca}.crl?format=xml`))).status).toBe(400);
    });

    it('serves the delta at <ca>+.crl', async () => {
      state.crls.push(await makeCrl(2, 3, true));
      const res = await fetch(h.url(`/crl/${ca}+.crl`));
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(state.crls[1].der)).toBe(true);
    });

    it('refreshes on crl.issued, and keeps serving its copy while the CA is away', async () => {
      state.crls.push(await makeCrl(3, 5));
      // Without news the old copy stays (the check interval is an hour here).
      expect(Buffer.from(await (await fetch(h.url(`/crl/${ca}.crl`))).arrayBuffer()).equals(state.crls[0].der)).toBe(true);
      await publish(ExitEvent.CrlIssued, { message: 'base CRL 3' });
      expect(Buffer.from(await (await fetch(h.url(`/crl/${ca}.crl`))).arrayBuffer()).equals(state.crls[2].der)).toBe(true);

      await fake.close();
      try {
        await publish(ExitEvent.CrlIssued, { message: 'base CRL 4' });
        const res = await fetch(h.url(`/crl/${ca}.crl`));
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(state.crls[2].der)).toBe(true);
      } finally {
        fake = await createBusMicroservice(FakeRevocationModule, { connection: h.nc, ca, logger: false });
        await fake.listen();
      }
    });
  });

  it('serves the CA certificate for AIA caIssuers as DER', async () => {
    const res = await fetch(h.url(`/ca/${ca}.crt`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pkix-cert');
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('CA'); // the fake CA's "certificate" is base64 "Q0E="
    expect((await fetch(h.url(`/ca/${ca}.pem`))).status).toBe(404);
  });

  describe('OCSP', () => {
    const req = Buffer.from('3051304f304d304b3049300906052b0e03021a05000414', 'hex');
    const b64 = req.toString('base64');

    beforeEach(() => {
      state.ocspCalls.length = 0;
      state.ocsp = () => ocspReply();
    });

    it('POST and GET give the CA\'s answer; GET answers carry RFC 5019 caching headers, POST ones do not', async () => {
      const post = await fetch(h.url(`/ocsp/${ca}`), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: req });
      expect(post.status).toBe(200);
      expect(post.headers.get('content-type')).toBe('application/ocsp-response');
      expect(Buffer.from(await post.arrayBuffer()).toString()).toBe('response-1');
      expect(post.headers.get('cache-control')).toBe('no-store');
      expect(state.ocspCalls).toEqual([b64]);

      const get = await fetch(h.url(`/ocsp/${ca}/${encodeURIComponent(b64)}`));
      expect(Buffer.from(await get.arrayBuffer()).toString()).toBe('response-1');
      expect(get.headers.get('cache-control')).toMatch(/^max-age=(59\d|600), public, no-transform, must-revalidate$/);
      expect(get.headers.get('etag')).toMatch(/^"[\w-]+"$/);
      expect(get.headers.get('expires')).toBeTruthy();
      expect(get.headers.get('last-modified')).toBeTruthy();
      // The GET came from the cache the POST filled.
      expect(state.ocspCalls).toHaveLength(1);
    });

    it('accepts a GET whose base64 "/" was not URL-encoded', async () => {
      const slashy = Buffer.from([0xff, 0xff, 0xff, 0x30]);
      expect(slashy.toString('base64')).toContain('/');
      await fetch(h.url(`/ocsp/${ca}/${slashy.toString('base64')}`));
      expect(state.ocspCalls).toEqual([slashy.toString('base64')]);
    });

    it('drops a cached answer when an event names its serial, and only then', async () => {
      // Still cached from the test before: an event about another serial leaves it.
      await publish(ExitEvent.CertificateIssued, { serial: '0c' });
      await fetch(h.url(`/ocsp/${ca}/${encodeURIComponent(b64)}`));
      expect(state.ocspCalls).toHaveLength(0);
      await publish(ExitEvent.CertificateRevoked, { serial: '0a' });
      await fetch(h.url(`/ocsp/${ca}/${encodeURIComponent(b64)}`));
      await fetch(h.url(`/ocsp/${ca}/${encodeURIComponent(b64)}`));
      expect(state.ocspCalls).toHaveLength(1);
      await publish(ExitEvent.CertificateRevoked, { serial: '0b' });
      await fetch(h.url(`/ocsp/${ca}/${encodeURIComponent(b64)}`));
      expect(state.ocspCalls).toHaveLength(1);
      await publish(ExitEvent.CertificateRevoked, { serial: '0a' });
      const after = await fetch(h.url(`/ocsp/${ca}/${encodeURIComponent(b64)}`));
      expect(state.ocspCalls).toHaveLength(2);
      expect(Buffer.from(await after.arrayBuffer()).toString()).toBe('response-2');
      // An event without a serial (unreadable, or CA-wide) drops everything of the CA.
      h.nc.publish(Events.subject(ca, ExitEvent.CertificateRevoked), 'not json');
      await h.nc.flush();
      await new Promise((r) => setTimeout(r, 100));
      await fetch(h.url(`/ocsp/${ca}/${encodeURIComponent(b64)}`));
      expect(state.ocspCalls).toHaveLength(3);
    });

    it('never caches a nonce-bound answer', async () => {
      state.ocsp = () => ocspReply({ cacheable: false });
      const other = Buffer.concat([req, Buffer.from([1])]);
      for (let i = 0; i < 2; i++) {
        const res = await fetch(h.url(`/ocsp/${ca}/${encodeURIComponent(other.toString('base64'))}`));
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      expect(state.ocspCalls).toHaveLength(2);
    });

    it.each([
      ['malformedRequest for characters outside base64', () => fetch(h.url(`/ocsp/${ca}/not*base64`)), '30030a0101'],
      ['malformedRequest for an empty POST', () => fetch(h.url(`/ocsp/${ca}`), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: '' }), '30030a0101'],
      ['malformedRequest for an oversized POST', () => fetch(h.url(`/ocsp/${ca}`), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.alloc(20_000, 0x30) }), '30030a0101'],
      ['malformedRequest for a JSON body', () => fetch(h.url(`/ocsp/${ca}`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }), '30030a0101'],
    ])('%s, in band with 200', async (_n, call, hex) => {
      const res = await call();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/ocsp-response');
      expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe(hex);
    });

    it.each([
      ['an impossible CA name (GET)', () => fetch(h.url(`/ocsp/Not_A_CA/${encodeURIComponent(b64)}`))],
      ['a CA nobody has on the bus (GET)', () => fetch(h.url(`/ocsp/nobody-${Date.now()}/${encodeURIComponent(b64)}`))],
      ['a CA nobody has on the bus (POST)', () => fetch(h.url(`/ocsp/nobody-${Date.now()}`), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: req })],
    ])('404 with unauthorized (not authoritative) for %s', async (_n, call) => {
      const res = await call();
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/ocsp-response');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe('30030a0106');
    });

    it('tryLater (200, in band) for a CA that exists but whose core does not answer', async () => {
      const down = await new FakeCa(uniqueCaName('down')).start(h.nc, { discoveryOnly: true });
      try {
        const res = await fetch(h.url(`/ocsp/${down.name}/${encodeURIComponent(b64)}`));
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe('30030a0103');
      } finally {
        await down.stop();
      }
    });

    it('passes on what ca-core says about garbage (malformedRequest) without caching it', async () => {
      state.ocsp = () => ({ status: 'malformedRequest', response: Buffer.from('30030a0101', 'hex').toString('base64'), cacheable: false, serials: [] });
      for (let i = 0; i < 2; i++) {
        const res = await fetch(h.url(`/ocsp/${ca}`), { method: 'POST', body: Buffer.from('garbage') });
        expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe('30030a0101');
      }
      expect(state.ocspCalls).toHaveLength(2);
    });
  });
});
