import { Commands, ErrorCode, Events, ExitEvent, SignetError, type Actor, type PolicyVerifyReply, type PolicyVerifyRequest, type RequestResult } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeExtKeyUsage, encodeKeyUsage, encodeSubjectAltName, fromPem, OID, parseCertificate } from '@signet/x509';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { makeCsr, openssl, tryOpenssl } from '../testing/openssl';

/*
 * ICertAdmin on requests through the real bus (BusClient → ca-core's admin
 * handlers), real PostgreSQL, and a policy double. By default it pends every
 * new request and issues on a resubmit (AD CS's standalone default: pend
 * first, the officer approves); a case that needs another answer installs
 * its own handler for its duration (`withPolicy`).
 */

const officer = { name: 'olivia', roles: ['officer' as const] };
const viewer = { name: 'victor', roles: ['viewer' as const] };
const CUSTOM_OID = '1.3.6.1.4.1.55555.7.1';
const POLICY_EXTENSIONS = [
  { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']).toString('base64') },
  { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth]).toString('base64') },
  { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: 'app.example.test' }]).toString('base64') },
];

/** The default answer: pend a new request, issue on resubmit. */
function policy(req: PolicyVerifyRequest): PolicyVerifyReply | Promise<PolicyVerifyReply> {
  if (!req.newRequest) return issueOnResubmit(req);
  return { verdict: 'pend', message: 'a certificate manager must approve this', decidedBy: { rule: 'manual-approval' } };
}

/** A policy that fails on every request (the request ends failed). */
const failing = (): never => {
  throw new SignetError(ErrorCode.BadAttributes, 'this policy fails on purpose');
};

/** As the default, but a resubmit takes 300 ms to answer (two officers can overlap). */
const slowOnResubmit = (req: PolicyVerifyRequest): PolicyVerifyReply | Promise<PolicyVerifyReply> =>
  req.newRequest ? policy(req) : new Promise((r) => setTimeout(() => r(issueOnResubmit(req)), 300));

function issueOnResubmit(req: PolicyVerifyRequest): PolicyVerifyReply {
  // An attribute the officer may set: the policy narrows validity to it (AD CS ValidityPeriodUnits).
  const a = req.request.attributes;
  const days = a.validitydays ? Number(a.validitydays) : undefined;
  const notAfter = days ? new Date(Date.parse(req.certificate.notBefore) + days * 86_400_000).toISOString() : undefined;
  return {
    verdict: 'issue',
    message: 'approved on resubmit',
    decidedBy: { rule: 'officer-approval' },
    changes: { template: 'WebServer', extensions: POLICY_EXTENSIONS, ...(notAfter ? { notAfter } : {}) },
  };
}

describe('administration of requests (ICertAdmin) on the real bus and database', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;
  let caPath: string;

  beforeAll(async () => {
    h = await startCaCore('admreq', { SIGNET_POLICY_TIMEOUT_MS: '1000' });
    h.setPolicy(policy);
    caPath = w.write('ca.pem', h.caPem);
  });

  /** Runs `fn` with another policy answer installed, then the default again. */
  async function withPolicy<T>(handler: typeof policy, fn: () => Promise<T>): Promise<T> {
    h.setPolicy(handler);
    try {
      return await fn();
    } finally {
      h.setPolicy(policy);
    }
  }

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  const submit = (name: string, attributes = 'Certificate-Template: WebServer'): Promise<RequestResult> =>
    h.submitOnBus('alice', { request: makeCsr(w, name, `/CN=${name}.example.test/O=Signet Tests`), attributes });
  const resubmit = (requestId: number, actor: Actor = officer) => h.client.call(Commands.adminResubmit, h.ca, { actor, requestId });
  const detail = (requestId: number) => h.client.call(Commands.adminGetRequest, h.ca, { actor: viewer, requestId });
  const audit = async (requestId: number) =>
    (await h.ds.query(`SELECT actor, action, before_disposition AS before, after_disposition AS after FROM audit_log WHERE ca_name = $1 AND request_id = $2 ORDER BY id`, [h.ca, requestId])) as Array<Record<string, string>>;
  const events = async (requestId: number) =>
    ((await h.ds.query(`SELECT subject, payload FROM outbox WHERE (payload->>'requestId')::bigint = $1 ORDER BY id`, [requestId])) as Array<{ subject: string; payload: Record<string, unknown> }>);
  const certText = (pem: string, name: string) => openssl(['x509', '-in', w.write(`${name}.pem`, pem), '-noout', '-text']);

  it('set extension on a pending request, then resubmit: the issued certificate carries it (origin admin)', async () => {
    const pending = await submit('ext');
    expect(pending).toMatchObject({ disposition: 'pending' });

    const d = await h.client.call(Commands.adminSetExtension, h.ca, {
      actor: officer,
      requestId: pending.requestId,
      oid: CUSTOM_OID,
      critical: false,
      value: { type: 'string', value: 'set-by-officer' },
    });
    expect(d.disposition).toBe('pending');
    expect(d.extensions).toContainEqual({ oid: CUSTOM_OID, critical: false, disabled: false, origin: 'admin', value: Buffer.from('160e7365742d62792d6f666669636572', 'hex').toString('base64') });

    const issued = await resubmit(pending.requestId);
    expect(issued).toMatchObject({ requestId: pending.requestId, disposition: 'issued', dispositionCode: 3, message: 'approved on resubmit', chain: [h.caPem] });

    // The policy ran again with newRequest=false and saw the admin extension on the proposed certificate.
    const call = h.verifyCalls.filter((c) => c.requestId === pending.requestId);
    expect(call.map((c) => c.newRequest)).toEqual([true, false]);
    expect(call[1].certificate.extensions).toContainEqual(expect.objectContaining({ oid: CUSTOM_OID, origin: 'admin' }));

    const text = certText(issued.certificate!, 'ext');
    expect(text).toMatch(new RegExp(`${CUSTOM_OID.replace(/\./g, '\\.')}:\\s*\\n\\s*\\.\\.set-by-officer`));
    expect(text).toMatch(/TLS Web Server Authentication/);
    const v = tryOpenssl(['verify', '-x509_strict', '-CAfile', caPath, w.path('ext.pem')]);
    expect(v.status).toBe(0);
    expect(await events(pending.requestId)).toEqual([
      expect.objectContaining({ subject: Events.subject(h.ca, ExitEvent.RequestPending) }),
      expect.objectContaining({ subject: Events.subject(h.ca, ExitEvent.CertificateIssued), payload: expect.objectContaining({ serial: issued.serial }) }),
    ]);
    expect(await audit(pending.requestId)).toEqual([
      { actor: 'bus:alice', action: 'request.submit', before: null, after: 'in_process' },
      { actor: 'ca', action: 'request.pend', before: 'in_process', after: 'pending' },
      { actor: 'olivia', action: 'request.set-extension', before: 'pending', after: 'pending' },
      { actor: 'olivia', action: 'request.resubmit', before: 'pending', after: 'in_process' },
      { actor: 'olivia', action: 'request.issue', before: 'in_process', after: 'issued' },
    ]);
  });

  it('an admin DER extension that narrows the policy\'s extension of the same OID takes its place, and a disabled one keeps it out', async () => {
    const pending = await submit('override');
    const clientAuth = encodeExtKeyUsage([OID.clientAuth]).toString('base64');
    await h.client.call(Commands.adminSetExtension, h.ca, { actor: officer, requestId: pending.requestId, oid: OID.extKeyUsage, critical: true, value: { type: 'der', value: clientAuth } });
    await h.client.call(Commands.adminSetExtension, h.ca, {
      actor: officer,
      requestId: pending.requestId,
      oid: OID.subjectAltName,
      disabled: true,
      value: { type: 'der', value: POLICY_EXTENSIONS[2].value },
    });
    // This template allows serverAuth and clientAuth; the officer keeps clientAuth only (ADR 0023: narrow, never widen).
    const bothPurposes = { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth, OID.clientAuth]).toString('base64') };
    const issued = await withPolicy(
      (req) => {
        const reply = issueOnResubmit(req);
        return { ...reply, changes: { ...reply.changes, extensions: POLICY_EXTENSIONS.map((e) => (e.oid === OID.extKeyUsage ? bothPurposes : e)) } };
      },
      () => resubmit(pending.requestId),
    );
    expect(issued).toMatchObject({ disposition: 'issued' });
    const cert = parseCertificate(fromPem(issued.certificate!, 'CERTIFICATE'));
    expect(cert.extensions.find((e) => e.oid === OID.extKeyUsage)).toMatchObject({ critical: true });
    expect(Buffer.from(cert.extensions.find((e) => e.oid === OID.extKeyUsage)!.value).toString('base64')).toBe(clientAuth);
    expect(cert.extensions.map((e) => e.oid)).not.toContain(OID.subjectAltName);
  });

  it('set attributes, then resubmit: the policy sees the changed parsed attribute, the raw string is unchanged, the certificate shows the effect', async () => {
    const raw = 'Certificate-Template: WebServer\nTeam: red';
    const pending = await submit('attrs', raw);
    const d = await h.client.call(Commands.adminSetAttributes, h.ca, { actor: officer, requestId: pending.requestId, attributes: 'ValidityDays: 7\nTeam: blue' });
    expect(d.attributesRaw).toBe(raw);
    expect(d.attributes).toEqual([
      { name: 'certificatetemplate', displayName: 'Certificate-Template', value: 'WebServer', origin: 'request' },
      { name: 'team', displayName: 'Team', value: 'blue', origin: 'admin' },
      { name: 'validitydays', displayName: 'ValidityDays', value: '7', origin: 'admin' },
    ]);

    const issued = await resubmit(pending.requestId);
    const call = h.verifyCalls.filter((c) => c.requestId === pending.requestId).at(-1)!;
    expect(call.newRequest).toBe(false);
    expect(call.request.attributesRaw).toBe(raw);
    expect(call.request.attributes).toEqual({ certificatetemplate: 'WebServer', team: 'blue', validitydays: '7' });

    const text = certText(issued.certificate!, 'attrs');
    const nb = Date.parse(text.match(/Not Before: (.*)/)![1]);
    const na = Date.parse(text.match(/Not After : (.*)/)![1]);
    expect(na - nb).toBe(7 * 86_400_000);
    expect((await audit(pending.requestId)).map((a) => a.action)).toContain('request.set-attributes');
  });

  it('refuses bad attribute strings and server-owned or malformed extensions, changing nothing', async () => {
    const pending = await submit('bad-edits');
    expect(await failure(h.client.call(Commands.adminSetAttributes, h.ca, { actor: officer, requestId: pending.requestId, attributes: 'no colon here' }))).toMatchObject({ code: ErrorCode.BadAttributes });
    expect(
      await failure(h.client.call(Commands.adminSetExtension, h.ca, { actor: officer, requestId: pending.requestId, oid: OID.subjectKeyIdentifier, value: { type: 'der', value: 'BAIBAg==' } })),
    ).toMatchObject({ code: ErrorCode.BadMessage, message: expect.stringMatching(/set by the CA itself/) });
    expect(
      await failure(h.client.call(Commands.adminSetExtension, h.ca, { actor: officer, requestId: pending.requestId, oid: CUSTOM_OID, value: { type: 'der', value: 'MAUCAQ==' } })),
    ).toMatchObject({ code: ErrorCode.BadMessage, message: expect.stringMatching(/not valid DER/) });
    expect(await audit(pending.requestId)).toHaveLength(2);
    expect((await detail(pending.requestId)).extensions.filter((e) => e.origin === 'admin')).toEqual([]);
  });

  it('pending → deny → denied (0x80094014, "Denied by <officer>") → resubmit → issued', async () => {
    const pending = await submit('deny');
    const denied = await h.client.call(Commands.adminDeny, h.ca, { actor: officer, requestId: pending.requestId, reason: 'no ticket' });
    expect(denied).toEqual({ requestId: pending.requestId, disposition: 'denied', dispositionCode: 2, message: 'Denied by olivia: no ticket', decidedBy: { rule: 'officer', value: 'olivia' } });
    const d = await detail(pending.requestId);
    expect(d).toMatchObject({ disposition: 'denied', statusCode: 0x80094014 | 0, resolvedAt: expect.any(String) });
    expect((await events(pending.requestId)).map((e) => e.subject)).toEqual([Events.subject(h.ca, ExitEvent.RequestPending), Events.subject(h.ca, ExitEvent.RequestDenied)]);

    // MS-CSRA: a denied request may be resubmitted; an edit may not.
    expect(await failure(h.client.call(Commands.adminSetAttributes, h.ca, { actor: officer, requestId: pending.requestId, attributes: 'a:b' }))).toMatchObject({ code: ErrorCode.WrongState });
    const issued = await resubmit(pending.requestId);
    expect(issued).toMatchObject({ disposition: 'issued', serial: expect.any(String) });
    expect((await detail(pending.requestId)).statusCode).toBe(0);
    expect(await audit(pending.requestId)).toEqual([
      { actor: 'bus:alice', action: 'request.submit', before: null, after: 'in_process' },
      { actor: 'ca', action: 'request.pend', before: 'in_process', after: 'pending' },
      { actor: 'olivia', action: 'request.admin-deny', before: 'pending', after: 'denied' },
      { actor: 'olivia', action: 'request.resubmit', before: 'denied', after: 'in_process' },
      { actor: 'olivia', action: 'request.issue', before: 'in_process', after: 'issued' },
    ]);
  });

  it('failed requests cannot be resubmitted or denied (WRONG_STATE), and nothing changes', async () => {
    const failed = await withPolicy(failing, () => submit('failed'));
    expect(failed.disposition).toBe('failed');
    const calls = h.verifyCalls.length;
    expect(await failure(resubmit(failed.requestId))).toMatchObject({ code: ErrorCode.WrongState, message: expect.stringMatching(/cannot resubmit a request that is failed/) });
    expect(await failure(h.client.call(Commands.adminDeny, h.ca, { actor: officer, requestId: failed.requestId }))).toMatchObject({ code: ErrorCode.WrongState });
    expect(h.verifyCalls.length).toBe(calls);
    expect((await detail(failed.requestId)).disposition).toBe('failed');
  });

  it('edits, deny and resubmit of an issued request are refused with WRONG_STATE', async () => {
    const pending = await submit('issued-edits');
    await resubmit(pending.requestId);
    const id = pending.requestId;
    for (const p of [
      h.client.call(Commands.adminSetAttributes, h.ca, { actor: officer, requestId: id, attributes: 'a:b' }),
      h.client.call(Commands.adminSetExtension, h.ca, { actor: officer, requestId: id, oid: CUSTOM_OID, value: { type: 'long', value: 1 } }),
      h.client.call(Commands.adminDeny, h.ca, { actor: officer, requestId: id }),
      resubmit(id),
    ]) {
      expect(await failure(p)).toMatchObject({ code: ErrorCode.WrongState, details: { requestId: id, disposition: 'issued' } });
    }
    expect(await failure(resubmit(987654))).toMatchObject({ code: ErrorCode.NotFound });
  });

  it('two officers resubmit the same pending request at once: exactly one certificate, the other gets WRONG_STATE', async () => {
    const pending = await submit('race');
    const second = { name: 'oscar', roles: ['officer' as const] };
    const results = await withPolicy(slowOnResubmit, () => Promise.allSettled([resubmit(pending.requestId), resubmit(pending.requestId, second)]));
    const ok = results.filter((r): r is PromiseFulfilledResult<RequestResult> => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(ok[0].value.disposition).toBe('issued');
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toMatchObject({ code: ErrorCode.WrongState });
    const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM certificate WHERE request_id = $1`, [pending.requestId]);
    expect(n).toBe(1);
    expect(h.verifyCalls.filter((c) => c.requestId === pending.requestId && !c.newRequest)).toHaveLength(1);
    expect((await audit(pending.requestId)).filter((a) => a.action === 'request.resubmit')).toHaveLength(1);
  });

  it('a resubmit while the policy is down parks the request again (POLICY_UNAVAILABLE) so it can be resubmitted later', async () => {
    const pending = await submit('policy-down');
    h.setPolicy(() => new Promise(() => undefined)); // never answers
    try {
      const e = await failure(resubmit(pending.requestId));
      expect(e).toMatchObject({ code: ErrorCode.PolicyUnavailable, details: { requestId: pending.requestId } });
      expect((await detail(pending.requestId)).disposition).toBe('pending');
    } finally {
      h.setPolicy(policy);
    }
    expect(await resubmit(pending.requestId)).toMatchObject({ disposition: 'issued' });
  }, 20_000);

  it('refuses officer actions from an actor without the officer role (FORBIDDEN) and records the attempt', async () => {
    const pending = await submit('forbidden');
    expect(await failure(resubmit(pending.requestId, viewer))).toMatchObject({ code: ErrorCode.Forbidden, details: { action: 'resubmit', needs: 'officer' } });
    expect(await failure(h.client.call(Commands.adminDeny, h.ca, { actor: { name: 'nobody', roles: [] }, requestId: pending.requestId }))).toMatchObject({ code: ErrorCode.Forbidden });
    expect((await detail(pending.requestId)).disposition).toBe('pending');
    expect((await audit(pending.requestId)).slice(2)).toEqual([
      { actor: 'victor', action: 'admin.forbidden', before: null, after: null },
      { actor: 'nobody', action: 'admin.forbidden', before: null, after: null },
    ]);
  });

  it('reads a request with all its attributes and extensions; unknown ids are NOT_FOUND', async () => {
    const r = await submit('read', 'Certificate-Template: WebServer');
    const d = await detail(r.requestId);
    expect(d).toMatchObject({ requestId: r.requestId, disposition: 'pending', requesterName: 'bus:alice', subject: 'CN=read.example.test, O=Signet Tests', template: null });
    expect(d.identity).toEqual({ method: 'bus', principal: 'alice', names: [], groups: [], evidence: {} });
    expect(d.request).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(d.certificate).toBeUndefined();
    expect(await failure(detail(424242))).toMatchObject({ code: ErrorCode.NotFound });
  });
});
